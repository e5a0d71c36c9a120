"""What the pages show about data surfaces (optviz/surfaces/data.py), as plain data: the points and each lane's fit
at any step, the x axis in epochs, and the batch-size lesson (d2l.ai 12.5's comparison of full batch, mini-batch and
stochastic gradient descent at the same number of examples, and the noise ball of SGD). No streamlit, no plotly."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from optviz.lane import Lane
from optviz.runs import run_lane
from optviz.surfaces import Surface, surface

FIT_POINTS = {"linreg": 2, "logreg": 80}  # a line needs its two ends; a sigmoid, a curve
MAX_LESSON_STEPS = 5000  # SGD's steps in the lesson: n × epochs is capped here
RACE_RUNS = 16  # runs per batch size in the race; the curve is their median, the band their quartiles
BALL_RUNS = 64  # runs of SGD from one start for the noise ball


def data_view(chosen: Surface) -> dict | None:
    """The points of a data surface and the x values its fits are drawn over; None for other surfaces."""
    data = chosen.data
    if data is None:
        return None
    low, high = float(data.x.min()), float(data.x.max())
    pad = 0.08 * (high - low or 1.0)
    grid = np.linspace(low - pad, high + pad, FIT_POINTS[data.kind])
    best = None
    if chosen.minima:
        w, b = chosen.minima[0]
        best = data.predict(w, b, grid)
    return {"kind": data.kind, "x": data.x.astype(np.float32), "y": data.y.astype(np.float32),
            "grid": grid.astype(np.float32), "best": None if best is None else best.astype(np.float32)}


def fits(chosen: Surface, positions: np.ndarray) -> np.ndarray:
    """The model over data_view's grid for each (w, b) of `positions` (N, 2): shape (N, grid points), NaN where a
    position is not finite."""
    view = data_view(chosen)
    positions = np.asarray(positions, dtype=np.float64)
    with np.errstate(all="ignore"):
        return chosen.data.predict(positions[:, 0], positions[:, 1], view["grid"]).astype(np.float32)


def epochs_axis(chosen: Surface, steps: np.ndarray) -> np.ndarray:
    """Steps as epochs (examples processed / n) on a data surface; the steps themselves elsewhere."""
    return chosen.data.epochs(steps) if chosen.data is not None else np.asarray(steps)


def with_settings(name: str, **changes) -> str:
    """A surface name with some settings replaced: with_settings('linreg:n=50,batch=0', batch=10)."""
    family, _, text = name.partition(":")
    settings = dict(item.split("=", 1) for item in text.split(",") if "=" in item)
    settings.update({key: f"{value:g}" if isinstance(value, float) else str(value) for key, value in changes.items()})
    return family + ":" + ",".join(f"{key}={value}" for key, value in settings.items())


def lesson_epochs(chosen: Surface, epochs: int) -> int:
    """The epochs the lesson runs: at most what keeps SGD within MAX_LESSON_STEPS steps."""
    return max(1, min(int(epochs), MAX_LESSON_STEPS // chosen.data.n))


def mini_batch_size(chosen: Surface) -> int:
    """The lesson's mini-batch: the surface's own batch when it is one, else 10 (a tenth of n at most)."""
    data = chosen.data
    if 1 < data.batch < data.n:
        return data.batch
    return max(2, min(10, data.n // 10))


def batch_race(name: str, lane: Lane, start, epochs: int, runs: int = RACE_RUNS) -> dict:
    """Full batch, mini-batch and SGD (batch 1) with `lane`, each for the same number of epochs from `start`, `runs`
    runs each (their own batches): per batch size, the steps, the epochs (examples / n) and the median and quartiles
    over runs of the full-data loss gap f − f* (f itself where f* is unknown)."""
    chosen = surface(name)
    epochs = lesson_epochs(chosen, epochs)
    race = {}
    for kind, batch in (("full", 0), ("mini", mini_batch_size(chosen)), ("sgd", 1)):
        variant = surface(with_settings(name, batch=batch))
        steps = math.ceil(epochs * variant.data.steps_per_epoch)
        count = 1 if variant.data.full_batch else runs
        path = run_lane(variant, lane, np.tile(np.asarray(start, dtype=np.float64), (count, 1)), steps)
        loss = path.loss - (variant.f_star if variant.f_star is not None else 0.0)
        with np.errstate(all="ignore"):
            low, middle, high = np.nanpercentile(loss, [25, 50, 75], axis=1)
        axis = np.arange(steps + 1)
        race[kind] = {"batch": variant.data.batch, "steps": axis, "epochs": variant.data.epochs(axis),
                      "median": middle, "low": low, "high": high, "runs": count}
    return race


def noise_ball(name: str, lane: Lane, start, epochs: int, runs: int = BALL_RUNS) -> dict:
    """SGD (batch 1) with `lane`'s constant learning rate and with the same rate decaying as η/(1 + t/n) (halved after
    one epoch, a tenth after nine), `runs` runs each from `start`: where they end (the noise ball and its shrinking),
    and per epoch the median distance to the minimum."""
    chosen = surface(with_settings(name, batch=1))
    epochs = lesson_epochs(chosen, epochs)
    steps = epochs * chosen.data.n
    starts = np.tile(np.asarray(start, dtype=np.float64), (runs, 1))
    minimum = np.asarray(chosen.minima[0]) if chosen.minima else None
    decay = (("decay_rate", 1.0 / chosen.data.n), ("power", 1.0))
    result = {"epochs": np.arange(epochs + 1), "minimum": minimum, "steps": steps}
    for kind, schedule in (("constant", None), ("decaying", ("inverse_time", decay))):
        path = run_lane(chosen, replace(lane, schedule=schedule), starts, steps)
        at_epochs = path.positions[:: chosen.data.n]
        result[kind] = {"ends": path.positions[-1], "median_distance": None}
        if minimum is not None:
            distance = np.linalg.norm(at_epochs - minimum, axis=-1)
            with np.errstate(all="ignore"):
                result[kind]["median_distance"] = np.nanmedian(distance, axis=1)
    return result
