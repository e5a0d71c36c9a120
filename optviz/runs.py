"""Runs, sweeps and basins on 2D surfaces: the library behind the playground, the landscape page and the CLI.

A lane (optviz.lane) is one optimizer configuration; a sweep varies its settings, named in the lane's flat
vocabulary ('lr', 'clip_norm.max_norm'), or the start ('x0', 'y0'), or the number of steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optviz import parallel
from optviz.engine import run
from optviz.engine.driver import Final, Trajectory
from optviz.lane import Lane, convert, known_settings, lane_from_settings  # noqa: F401  (re-exported for old callers)
from optviz.surfaces import Surface

DEFAULT_TOLERANCE = 1e-6
MAX_SWEEP_POINTS = 2000
MAX_SWEEP_RUNS = 4_000_000
START_AXES = ("x0", "y0")
STEPS_AXIS = "steps"


def run_lane(surface: Surface, lane: Lane, starts, steps: int, tolerance: float = DEFAULT_TOLERANCE,
             record_state: bool = False) -> Trajectory:
    """One lane from one or more starts (shape (2,) or (K, 2)): the whole path, one vectorized call."""
    return run(lane.pipeline(), surface.value_and_grad, np.asarray(starts, dtype=np.float64), steps,
               record_state=record_state, tolerance=tolerance, f_star=surface.f_star)


@dataclass(frozen=True)
class Axis:
    """One axis of a sweep: a setting name (a hyperparameter, 'trick.setting', or x0 / y0 for the start)."""

    name: str
    values: np.ndarray

    @staticmethod
    def parse(text: str) -> Axis:
        """'KEY=LO:HI:N' or 'KEY=LO:HI:N:log' → an Axis of N values."""
        key, equals, spec = text.partition("=")
        parts = spec.split(":")
        if not equals or len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
            raise ValueError(f"axis {text[:60]!r} should be KEY=LO:HI:N or KEY=LO:HI:N:log")
        try:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise ValueError(f"axis {text[:60]!r}: LO and HI must be numbers and N an integer") from None
        return Axis.make(key.strip(), low, high, count, log=len(parts) == 4)

    @staticmethod
    def make(name: str, low: float, high: float, count: int, log: bool = False) -> Axis:
        """N values from low to high, evenly spaced or (log) geometrically."""
        if not 1 <= count <= MAX_SWEEP_POINTS:
            raise ValueError(f"axis {name}: N = {count} is out of range: allowed [1, {MAX_SWEEP_POINTS}]")
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(f"axis {name}: LO and HI must be finite")
        if log and (low <= 0 or high <= 0):
            raise ValueError(f"axis {name}: a log axis needs LO > 0 and HI > 0")
        values = np.geomspace(low, high, count) if log else np.linspace(low, high, count)
        return Axis(name, values)


@dataclass
class SweepResult:
    """Grids indexed [y][x] (or [x] for a one-axis sweep): final loss, diverged, steps to tolerance (-1: never)."""

    x: Axis
    y: Axis | None
    final_loss: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    steps_to_tolerance: np.ndarray
    final_position: np.ndarray


def sweep(surface: Surface, lane: Lane, x: Axis, y: Axis | None, start, steps: int,
          tolerance: float = DEFAULT_TOLERANCE, threads: int | None = None, processes: bool = False) -> SweepResult:
    """Every point of a grid over one or two settings (or over the start), as one vectorized engine call.

    An axis named 'steps' is not a setting: the runs of the other axis go to its largest value once, and the
    loss is read off after each step count of the axis. `processes=True` shares large grids among forked
    processes (the command line); the default, threads, is what a server may use."""
    shape = (len(y.values), len(x.values)) if y is not None else (len(x.values),)
    if int(np.prod(shape)) > MAX_SWEEP_RUNS:
        raise ValueError(f"a sweep may have at most {MAX_SWEEP_RUNS:,} runs, this one has {int(np.prod(shape)):,}")
    if y is not None and y.name == x.name:
        raise ValueError(f"the two axes of a sweep must differ, both are {x.name}")
    if STEPS_AXIS in (x.name, getattr(y, "name", None)):
        return _sweep_over_steps(surface, lane, x, y, start, tolerance, threads, processes)
    grids: dict[str, np.ndarray] = {}
    if y is not None:
        grid_x, grid_y = np.meshgrid(x.values, y.values)
        grids[x.name], grids[y.name] = grid_x, grid_y
    else:
        grids[x.name] = x.values.copy()
    starts, overrides = _grid_settings(lane, grids, shape, start)
    final: Final = run(lane.pipeline(overrides), surface.value_and_grad, starts, steps, record=False,
                       tolerance=tolerance, f_star=surface.f_star, threads=threads,
                       pool=parallel.process_pool(processes))
    return SweepResult(x, y, final.loss, final.diverged_at >= 0, final.diverged_at, final.steps_to_tolerance,
                       final.position)


def _grid_settings(lane: Lane, grids: dict[str, np.ndarray], shape, start) -> tuple[np.ndarray, dict]:
    starts = np.empty((*shape, 2))
    starts[...] = np.asarray(start, dtype=np.float64)
    overrides = {}
    for name, grid in grids.items():
        if name in START_AXES:
            starts[..., START_AXES.index(name)] = grid
            continue
        _check_sweepable(lane, name)
        overrides[name] = grid
    return starts, overrides


def _sweep_over_steps(surface, lane, x, y, start, tolerance, threads, processes) -> SweepResult:
    step_axis, other = (x, y) if x.name == STEPS_AXIS else (y, x)
    counts = np.round(step_axis.values).astype(np.int64)
    if counts.min() < 0 or counts.max() > 100_000:
        raise ValueError(f"axis steps: values must be within [0, 100000], got {counts.min()}..{counts.max()}")
    step_axis = Axis(STEPS_AXIS, counts.astype(np.float64))
    if other is None:
        grids, shape = {}, ()
    else:
        grids, shape = {other.name: other.values.copy()}, (len(other.values),)
    starts, overrides = _grid_settings(lane, grids, shape, start)
    final: Final = run(lane.pipeline(overrides), surface.value_and_grad, starts, int(counts.max()), record=False,
                       tolerance=tolerance, f_star=surface.f_star, threads=threads,
                       pool=parallel.process_pool(processes),
                       checkpoints=counts)
    # loss_at is (steps, *other); each cell is (run of the other axis, step count)
    after = counts.reshape(-1, *([1] * len(shape)))
    diverged_at = np.broadcast_to(final.diverged_at, final.loss_at.shape)
    reached = np.broadcast_to(final.steps_to_tolerance, final.loss_at.shape)
    diverged = (diverged_at >= 0) & (diverged_at <= after)
    reached = np.where((reached >= 0) & (reached <= after), reached, -1)
    position = np.broadcast_to(final.position, (*final.loss_at.shape, 2))
    grids_out = [final.loss_at, diverged, np.where(diverged, diverged_at, -1), reached, position]
    if y is not None and x.name == STEPS_AXIS:  # cells indexed [y][x]: steps along x
        grids_out = [np.swapaxes(grid, 0, 1) for grid in grids_out]
    x_axis, y_axis = (step_axis, other) if x.name == STEPS_AXIS else (other, step_axis)
    if y is None:
        x_axis, y_axis = step_axis, None
    return SweepResult(x_axis, y_axis, *[np.ascontiguousarray(grid) for grid in grids_out])


def _check_sweepable(lane: Lane, name: str) -> None:
    spec = lane.override_spec(name)
    if spec is None:
        raise ValueError(f"cannot sweep {name!r}: not a setting of {lane.optimizer} (or x0, y0 for the start)")
    if spec.kind != "float":
        raise ValueError(f"cannot sweep {name!r}: only number settings can be swept, not {spec.kind}")


@dataclass
class Basins:
    """Which minimum each start of a grid ends in: labels[y][x] indexes `minima`; -1 none, -2 diverged."""

    x_values: np.ndarray
    y_values: np.ndarray
    labels: np.ndarray
    minima: np.ndarray
    final_position: np.ndarray


def basins(surface: Surface, lane: Lane, x_values, y_values, steps: int, radius: float | None = None,
           threads: int | None = None, processes: bool = False) -> Basins:
    """Run from every start of a grid; label each run by the known minimum it ends within `radius` of.

    For a surface whose minima are not known (a typed function) the end points are grouped: runs that end
    within `radius` of each other, where the gradient is small, share a label.
    """
    x_values, y_values = np.asarray(x_values, dtype=np.float64), np.asarray(y_values, dtype=np.float64)
    if x_values.size * y_values.size > MAX_SWEEP_RUNS:
        raise ValueError(f"a basin map may have at most {MAX_SWEEP_RUNS:,} starts")
    grid_x, grid_y = np.meshgrid(x_values, y_values)
    starts = np.stack([grid_x, grid_y], axis=-1)
    x_min, x_max, y_min, y_max = surface.view
    radius = radius if radius is not None else 0.02 * float(np.hypot(x_max - x_min, y_max - y_min))
    final = run(lane.pipeline(), surface.value_and_grad, starts, steps, record=False, threads=threads,
                pool=parallel.process_pool(processes))
    ends = final.position
    finite = np.all(np.isfinite(ends), axis=-1)
    if surface.minima:
        minima = np.asarray(surface.minima, dtype=np.float64)
    else:
        minima = _found_minima(surface, ends[finite], radius)
    labels = np.full(grid_x.shape, -1, dtype=np.int64)
    if len(minima):
        distance = np.linalg.norm(np.nan_to_num(ends, nan=np.inf)[..., None, :] - minima, axis=-1)
        nearest = distance.argmin(axis=-1)
        close = np.take_along_axis(distance, nearest[..., None], axis=-1)[..., 0] <= radius
        labels[close] = nearest[close]
    labels[final.diverged_at >= 0] = -2
    return Basins(x_values, y_values, labels, minima, ends)


def _found_minima(surface: Surface, ends: np.ndarray, radius: float) -> np.ndarray:
    """Minima found by runs: end points where the gradient is small, grouped within `radius`; a group whose
    centre has lower values around it (a saddle or a ridge where runs stalled) is not a minimum."""
    settled = ends[np.linalg.norm(np.nan_to_num(surface.gradient(ends), nan=np.inf), axis=-1) < 1e-3]
    if not len(settled):
        return np.empty((0, 2))
    cells, group = np.unique(np.round(settled / radius), axis=0, return_inverse=True)
    centres = np.stack([settled[group.ravel() == index].mean(axis=0) for index in range(len(cells))])
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = 0.25 * radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    around = surface.value(centres[:, None, :] + ring)
    lowest = np.all(around >= surface.value(centres)[:, None] - 1e-12, axis=-1)
    return centres[lowest]
