"""The network-landscape page's computations, one function per view: record the optimizers' paths, the line from
start to end, a random filter-normalized slice, the PCA plane of the paths, sharpness with gradient descent's
stability limit, and the batch-size study. Plain data in and out; the page only draws.

The maths lives in optviz.nets.geometry (loss functions over flat parameter vectors, PCA, power iteration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from optviz import theory

from .geometry import (
    LossFunction,
    Path,
    Plane,
    filter_normalized_direction,
    interpolation,
    pca_plane,
    plane_losses,
    top_hessian_eigenvalue,
    trace,
)
from .models import build
from .train import batch_bounds, loss_function, needs_two_samples

MAX_BUDGET_EPOCHS = 2000  # "the same number of steps" trains a full batch for at most this many epochs

Progress = Callable[[float], None]


def loss_functions(data, initial, loss_name: str) -> tuple[LossFunction, LossFunction | None]:
    """L on the training set and on the validation set (None if there is none) of a split, for `initial`'s
    architecture and the training loss `loss_name`."""
    loss = loss_function(loss_name, data.task)
    classification = data.task == "classification"
    return (LossFunction(initial, data.x_train, data.y_train, loss, classification),
            LossFunction(initial, data.x_val, data.y_val, loss, classification) if len(data.x_val) else None)


def record_paths(data, spec, lanes: dict[int, object], config, initial, points: int,
                 on_epoch: Callable[[int, int, int], None] | None = None) -> dict[int, Path | str]:
    """Train every lane from `initial` and keep its path (geometry.trace); a lane whose settings are refused
    gets its error text instead. `on_epoch(number, epoch, lanes)` reports progress; returning False stops."""
    paths: dict[int, Path | str] = {}
    for number, (index, lane) in enumerate(lanes.items()):
        def advance(epoch, _history, number=number):
            return on_epoch is None or on_epoch(number, epoch, len(lanes)) is not False

        try:
            paths[index] = trace(data, spec, lane, config, initial, points=points, on_epoch=advance)
        except (ValueError, RuntimeError) as error:  # settings refused, or torch could not train them
            paths[index] = str(error)
    return paths


def line_view(train_loss: LossFunction, val_loss: LossFunction | None, start: np.ndarray, end: np.ndarray,
              low: float, high: float, count: int = 81) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """α from `low` to `high`, and L((1 − α)·start + α·end) on the training and the validation set."""
    alphas = np.linspace(low, high, count)
    return (alphas, interpolation(train_loss, start, end, alphas),
            None if val_loss is None else interpolation(val_loss, start, end, alphas))


def slice_view(spec, seed: int, centre: np.ndarray, train_loss: LossFunction, resolution: int, span: float,
               direction_seed: int, progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The loss over the plane through `centre` spanned by two random filter-normalized directions (Li et al.):
    the axis (−span … span, `resolution` points) and the (resolution, resolution) grid of losses."""
    trained = build(spec, seed)
    torch.nn.utils.vector_to_parameters(torch.as_tensor(centre, dtype=torch.float32), trained.parameters())
    generator = torch.Generator().manual_seed(direction_seed)
    first = filter_normalized_direction(trained, generator)
    second = filter_normalized_direction(trained, generator)
    axis = np.linspace(-span, span, resolution)
    return axis, plane_losses(train_loss, centre, first, second, axis, axis, progress)


def pca_view(paths: list[Path], start: np.ndarray, train_loss: LossFunction, resolution: int, margin: float,
             progress: Progress | None = None) -> tuple[Plane, np.ndarray, np.ndarray, np.ndarray]:
    """The PCA plane of the paths' points (through the common start), a grid over their extent widened by
    `margin` of it on every side, and the loss on that grid."""
    points = np.concatenate([path.points for path in paths])
    plane = pca_plane(points, start)
    a, b = pca_extent(plane.coordinates, resolution, margin)
    return plane, a, b, plane_losses(train_loss, plane.anchor, plane.directions[0], plane.directions[1], a, b,
                                     progress)


def pca_extent(coordinates: np.ndarray, resolution: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid axes over the points' bounding box in the plane, widened by `margin` of its size on each side."""
    low, high = coordinates.min(axis=0), coordinates.max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    return (np.linspace(low[0] - margin * extent[0], high[0] + margin * extent[0], resolution),
            np.linspace(low[1] - margin * extent[1], high[1] + margin * extent[1], resolution))


def stability_limit(lane, full_batch: bool) -> float | None:
    """Gradient descent's stability limit (2 + 2β)/η on λ_max, where it applies: full batch and a lane the
    quadratic theory describes (optviz.theory.heavy_ball) with η > 0. None elsewhere."""
    plain = theory.heavy_ball(lane)
    if not full_batch or plain is None or plain.lr <= 0:
        return None
    return float(theory.stability_product(plain.momentum)) / plain.lr


@dataclass(frozen=True)
class SharpnessRow:
    """One optimizer's end point: λ_max, how power iteration got there, test accuracy, the stability limit."""

    index: int
    value: float
    iterations: int
    converged: bool
    accuracy: float | None
    limit: float | None


def sharpness_view(train_loss: LossFunction, paths: dict[int, Path], lanes: dict[int, object],
                   full_batch: bool) -> list[SharpnessRow]:
    """λ_max at each path's end point (power iteration), with its test accuracy and stability limit."""
    rows = []
    for index, path in paths.items():
        found = top_hessian_eigenvalue(train_loss, path.final)
        rows.append(SharpnessRow(index, found.value, found.iterations, found.converged,
                                 None if np.isnan(path.test_acc) else path.test_acc,
                                 stability_limit(lanes[index], full_batch)))
    return rows


def steps_per_epoch(count: int, batch: int, model) -> int:
    """Optimizer steps in one epoch over `count` samples (a lone last sample joins its batch under BatchNorm)."""
    return len(batch_bounds(count, batch, merge_single=needs_two_samples(model)))


def batch_study(data, spec, lane, config, initial, train_loss: LossFunction, sizes: tuple[int, ...], budget: str,
                on_size: Callable[[int, int], None] | None = None) -> list[dict]:
    """Train `lane` again with each batch size (0: the full batch), for config.epochs epochs each (budget
    "epochs") or for as many steps as the smallest batch takes in config.epochs epochs (budget "steps", at most
    MAX_BUDGET_EPOCHS epochs); then λ_max and test accuracy at each end point. Rows of plain data (batch 0 means
    the full batch); λ_max is NaN where training diverged."""
    count = len(data.x_train)
    per_epoch = {size: steps_per_epoch(count, size, initial) for size in sizes}
    target = config.epochs * max(per_epoch.values())
    rows = []
    for number, size in enumerate(sizes):
        if on_size is not None:
            on_size(number, len(sizes))
        epochs = config.epochs if budget == "epochs" else min(MAX_BUDGET_EPOCHS, -(-target // per_epoch[size]))
        path = trace(data, spec, lane, replace(config, batch_size=size, epochs=epochs), initial, points=2)
        diverged = path.diverged_at is not None or not np.all(np.isfinite(path.final))
        rows.append({"batch": size, "value": float("nan") if diverged else top_hessian_eigenvalue(
            train_loss, path.final).value, "accuracy": path.test_acc, "loss": float(path.train_loss[-1]),
            "epochs": len(path.train_loss) - 1, "steps": (len(path.train_loss) - 1) * per_epoch[size],
            "diverged": diverged})
    return rows

