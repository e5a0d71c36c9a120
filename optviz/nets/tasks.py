"""The network pages' long computations as jobs a worker process runs (optviz.jobs): plain, picklable arguments in
(a Setup, lanes), plain data out (arrays, numbers, the geometry's Paths); nothing here draws or imports streamlit.

Importing this module does not import torch (the pages import Setup from here); the jobs import it when they run,
and a worker process has it loaded already (optviz.jobs preloads optviz.nets.train in its forkserver).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

BOUNDARY_RESOLUTION = 60  # the decision boundary is drawn from the prediction on a 60 × 60 grid


@dataclass(frozen=True)
class Setup:
    """Everything but the lanes that decides a training: data, model, training settings (hashable)."""

    dataset: str
    size: int
    noise: float
    validation: float
    test: float
    features: tuple[str, ...]
    standardize: bool
    hidden: tuple[int, ...]
    activation: str
    init: str
    norm: str
    dropout: float
    residual: bool
    loss: str
    epochs: int
    batch_size: int
    patience: int
    seed: int
    cnn: bool = False
    channels: int = 8
    dtype: str = "float32"  # float64: the check against torch.optim agrees to rounding over any number of steps


def prepare(setup: Setup):
    """The data split, the network's spec, the shared initial network and the training config of `setup`.

    Imports torch. ValueError names a setting out of range."""
    from .data import digits_split, split
    from .models import CNNSpec, MLPSpec, build
    from .train import TrainConfig

    if setup.dataset == "digits":
        data = digits_split(setup.seed, setup.validation, setup.test, setup.size)
    else:
        data = split(setup.dataset, setup.size, setup.noise, setup.seed, setup.validation, setup.test,
                     setup.features, setup.standardize)
    if setup.cnn:
        spec = CNNSpec(10, setup.channels, setup.residual, setup.init)
    else:
        spec = MLPSpec(data.x_train.shape[1], data.classes if data.task == "classification" else 1,
                       setup.hidden, setup.activation, setup.init, setup.norm, setup.dropout, setup.residual)
    initial = build(spec, setup.seed)
    config = TrainConfig(setup.epochs, setup.batch_size, setup.loss, setup.patience, True, setup.seed, setup.dtype)
    return data, spec, initial, config


def summary(history) -> dict[str, Any]:
    """What the page shows of a training, as plain data (no torch objects leave the job)."""
    return {
        "train_loss": np.asarray(history.train_loss), "val_loss": np.asarray(history.val_loss),
        "train_acc": np.asarray(history.train_acc), "val_acc": np.asarray(history.val_acc),
        "step_loss": np.asarray(history.step_loss), "grad_norms": np.asarray(history.grad_norms),
        "snapshots": history.snapshots, "diverged_at": history.diverged_at, "stopped_at": history.stopped_at,
        "best_epoch": history.best_epoch, "test_loss": history.test_loss, "test_acc": history.test_acc,
        "restored_epoch": history.restored_epoch, "restored_snapshot": history.restored_snapshot,
        "merged_single": history.merged_single,
    }


def train_lanes(setup: Setup, runs: list[tuple], *, progress) -> list[dict[str, Any]]:
    """The networks page's Train: each (lane, engine) of `runs` trained from the same initial network, in order.

    Returns one result per run (a `summary`, with the boundary grid's `axes`, the training `points` and `targets`),
    or {"error": True} for a run torch refused or could not train; fewer results than runs when cancelled.
    `progress(fraction, run, epoch)` is reported after every epoch."""
    from .train import train

    data, spec, initial, config = prepare(setup)
    grid = axes = view = None
    if data.points is not None:  # a 2D data set: the decision boundary over the plane
        view = np.asarray(data.points)
        low, high = view.min(axis=0) - 0.5, view.max(axis=0) + 0.5
        axes = [np.linspace(low[0], high[0], BOUNDARY_RESOLUTION), np.linspace(low[1], high[1], BOUNDARY_RESOLUTION)]
        grid = data.inputs_at(np.stack(np.meshgrid(*axes), axis=-1))
    results: list[dict[str, Any]] = []
    for number, (lane, engine) in enumerate(runs):
        def advance(epoch, _history, number=number) -> bool:
            progress((number + epoch / setup.epochs) / len(runs), number, epoch)
            return not progress.cancelled

        try:
            history = train(data, spec, lane, config, engine, initial, on_epoch=advance, snapshot_inputs=grid)
        except (ValueError, RuntimeError):
            results.append({"error": True})
            continue
        if progress.cancelled:
            break
        result = summary(history)
        result["axes"] = axes
        result["points"] = None if view is None else view[: len(data.x_train)]
        result["targets"] = data.y_train
        results.append(result)
    return results


def record_experiment(setup: Setup, lanes: dict[int, object], points: int, *, progress) -> dict[str, Any]:
    """The network-landscape page's Train: every lane trained from one initial network, its path through parameter
    space kept (`points` per path at most). Returns {"paths", "initial" (flat parameters), "spec"}."""
    from .geometry import parameter_vector
    from .landscape import record_paths

    data, spec, initial, config = prepare(setup)

    def advance(number: int, epoch: int, total: int) -> bool:
        progress((number + epoch / setup.epochs) / total, number, epoch)
        return not progress.cancelled

    paths = record_paths(data, spec, lanes, config, initial, points, advance)
    return {"paths": paths, "initial": parameter_vector(initial), "spec": spec}


def range_test_lanes(setup: Setup, lanes: list, settings, *, progress) -> list[dict[str, Any]]:
    """The networks page's learning-rate range test (optviz.nets.tuning.range_test) of each lane of `lanes`, in
    order, from the Setup's shared initial network with its mini-batches; the trained weights are thrown away.

    Returns one result per lane ({"error": message} for a lane that cannot run); fewer when cancelled.
    `progress(fraction, lane, step)` after every step."""
    from .tuning import range_test

    data, _spec, initial, config = prepare(setup)
    results: list[dict[str, Any]] = []
    for number, lane in enumerate(lanes):
        def advance(step: int, number: int = number) -> bool:
            progress((number + step / settings.steps) / len(lanes), number, step)
            return not progress.cancelled

        try:
            result = range_test(data, lane, config, initial, settings, on_step=advance)
        except (ValueError, RuntimeError) as error:
            result = {"error": str(error)[:300]}
        if progress.cancelled:
            break
        results.append(result)
    return results


def search_lane(setup: Setup, lane, settings, *, progress) -> dict[str, Any]:
    """The networks page's random search (optviz.nets.tuning.random_search) for one lane on the Setup: its trials
    trained one after another from the shared initial network. Cancelling keeps the finished trials.
    `progress(fraction, trial, epoch)` after every epoch (the fraction of the search's work: random_search's), and
    at the end of a trial that ended early."""
    from .tuning import random_search

    data, spec, initial, config = prepare(setup)

    def advance(_trial: int, _epoch: int) -> bool:
        return not progress.cancelled

    return random_search(data, spec, lane, config, initial, settings, on_epoch=advance, on_progress=progress)
