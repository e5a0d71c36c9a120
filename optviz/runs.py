"""Runs, sweeps and basins on 2D surfaces: the library behind the playground, the landscape page and the CLI.

A lane is one optimizer configuration written as plain, hashable data (so that pages can cache on it and URLs
can carry it). Its settings use one flat vocabulary, shared by the command line and the URL state:

    lr=0.1, beta1=0.9, nesterov=true         the optimizer's hyperparameters (torch.optim names)
    clip_norm=1, l2=0.01, noise=0.1          a training trick, switched on with its main setting
    clip_norm.max_norm=1, noise.seed=3       any setting of a trick (switches it on)
    schedule=cosine, schedule.total_steps=50 a learning-rate schedule and its settings
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optviz.engine import OPTIMIZERS, SCHEDULES, TRICKS, Pipeline, build, optimizer_entry, run
from optviz.engine.driver import Final, Trajectory
from optviz.engine.spec import BOOL, INT, Spec
from optviz.surfaces import Surface

DEFAULT_TOLERANCE = 1e-6
MAX_SWEEP_POINTS = 2000
MAX_SWEEP_RUNS = 4_000_000
START_AXES = ("x0", "y0")
STEPS_AXIS = "steps"

Settings = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Lane:
    """One optimizer configuration: hashable, validated when its pipeline is built."""

    optimizer: str
    hyperparameters: Settings = ()
    convention: str = "pytorch"
    tricks: tuple[tuple[str, Settings], ...] = ()
    schedule: tuple[str, Settings] | None = None

    def pipeline(self, overrides: dict[str, Any] | None = None) -> Pipeline:
        """The engine pipeline; `overrides` replaces hyperparameters or 'trick.setting' values (e.g. arrays)."""
        hyperparameters = dict(self.hyperparameters)
        tricks = {name: dict(settings) for name, settings in self.tricks}
        for key, value in (overrides or {}).items():
            trick, dot, setting = key.partition(".")
            if dot:
                tricks.setdefault(trick, {})[setting] = value
            else:
                hyperparameters[key] = value
        schedule = None if self.schedule is None else (self.schedule[0], dict(self.schedule[1]))
        return build(self.optimizer, hyperparameters, self.convention, list(tricks.items()), schedule)

    def compact_settings(self) -> dict[str, Any]:
        """The settings a URL needs: lr always, everything else only where it differs from its default."""
        specs = OPTIMIZERS[self.optimizer].specs
        settings = {name: value for name, value in self.hyperparameters if name == "lr" or value != specs[name].default}
        for trick, values in self.tricks:
            defaults = TRICKS[trick].defaults()
            changed = {name: value for name, value in values if value != defaults[name]}
            if not changed:  # a trick at its defaults still has to be switched on
                first = next(iter(defaults))
                changed = {first: dict(values).get(first, defaults[first])}
            settings.update({f"{trick}.{name}": value for name, value in changed.items()})
        if self.schedule is not None:
            settings["schedule"] = self.schedule[0]
            defaults = SCHEDULES[self.schedule[0]].defaults()
            settings.update({f"schedule.{name}": value for name, value in self.schedule[1] if value != defaults[name]})
        return settings

    def settings(self) -> dict[str, Any]:
        """The lane as flat settings (the inverse of ``lane_from_settings``)."""
        flat: dict[str, Any] = dict(self.hyperparameters)
        for name, settings in self.tricks:
            for key, value in settings:
                flat[f"{name}.{key}"] = value
            if not settings:
                flat[name] = TRICKS[name].defaults()[next(iter(TRICKS[name].specs))]
        if self.schedule is not None:
            flat["schedule"] = self.schedule[0]
            for key, value in self.schedule[1]:
                flat[f"schedule.{key}"] = value
        return flat


def convert(spec: Spec, text: Any, owner: str) -> Any:
    """A setting given as text (CLI, URL) turned into the spec's kind; ValueError names it."""
    if not isinstance(text, str):
        return text
    value = text.strip()
    if spec.kind == BOOL:
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"{owner}: {spec.name} = {value[:40]!r} is not allowed: must be true or false")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{owner}: {spec.name} = {value[:40]!r} is not a number") from None
    if spec.kind == INT and number.is_integer():
        return int(number)
    return number


def known_settings(optimizer: str) -> list[str]:
    """Every key a lane of `optimizer` accepts."""
    keys = list(optimizer_entry(optimizer).specs)
    for name, entry in TRICKS.items():
        keys.append(name)
        keys.extend(f"{name}.{key}" for key in entry.specs)
    keys.append("schedule")
    for entry in SCHEDULES.values():
        keys.extend(f"schedule.{key}" for key in entry.specs if f"schedule.{key}" not in keys)
    return keys


def lane_from_settings(optimizer: str, settings: dict[str, Any], convention: str = "pytorch") -> Lane:
    """A Lane from flat settings (see the module docstring); every value is validated by building it."""
    entry = optimizer_entry(optimizer)
    hyperparameters: dict[str, Any] = {}
    tricks: dict[str, dict[str, Any]] = {}
    schedule_name = None
    schedule_settings: dict[str, Any] = {}
    for key, raw in settings.items():
        head, dot, tail = key.partition(".")
        if key in entry.specs:
            hyperparameters[key] = convert(entry.specs[key], raw, optimizer)
        elif key == "schedule":
            schedule_name = str(raw).strip()
            if schedule_name not in SCHEDULES:
                raise ValueError(f"unknown schedule {schedule_name[:40]!r}: known are {', '.join(SCHEDULES)}")
        elif head == "schedule" and dot:
            schedule_settings[tail] = raw
        elif head in TRICKS and (not dot or tail in TRICKS[head].specs):
            specs = TRICKS[head].specs
            setting = tail if dot else next(iter(specs))
            tricks.setdefault(head, {})[setting] = convert(specs[setting], raw, head)
        else:
            known = ", ".join(known_settings(optimizer))
            raise ValueError(f"unknown setting {key[:40]!r} for {optimizer}: known are {known}")
    schedule = None
    if schedule_name is not None:
        specs = SCHEDULES[schedule_name].specs
        unknown = sorted(set(schedule_settings) - set(specs))
        if unknown:
            known = ", ".join(specs) or "none"
            raise ValueError(f"schedule {schedule_name}: unknown setting {unknown[0]!r}: known are {known}")
        owner = f"schedule {schedule_name}"
        converted = {key: convert(specs[key], value, owner) for key, value in schedule_settings.items()}
        schedule = (schedule_name, tuple(sorted(converted.items())))
    elif schedule_settings:
        raise ValueError("schedule settings were given without schedule=NAME")
    lane = Lane(
        optimizer,
        tuple(sorted(hyperparameters.items())),
        convention,
        tuple((name, tuple(sorted(values.items()))) for name, values in tricks.items()),
        schedule,
    )
    lane.pipeline()  # validate now, with messages that name the parameter
    return lane


def run_lane(surface: Surface, lane: Lane, starts, steps: int, tolerance: float = DEFAULT_TOLERANCE,
             record_state: bool = False) -> Trajectory:
    """One lane from one or more starts (shape (2,) or (K, 2)): the whole path, one vectorized call."""
    return run(lane.pipeline(), surface.value_and_grad, np.asarray(starts, dtype=np.float64), steps,
               record_state=record_state, tolerance=tolerance, f_star=surface.f_star)


def run_lanes(surface: Surface, lanes: list[Lane], starts, steps: int,
              tolerance: float = DEFAULT_TOLERANCE) -> list[Trajectory]:
    """Several lanes from the same starts."""
    return [run_lane(surface, lane, starts, steps, tolerance) for lane in lanes]


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
                       tolerance=tolerance, f_star=surface.f_star, threads=threads, processes=processes)
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
                       tolerance=tolerance, f_star=surface.f_star, threads=threads, processes=processes,
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
    trick, dot, setting = name.partition(".")
    if dot:
        spec = TRICKS[trick].specs.get(setting) if trick in TRICKS else None
    else:
        spec = OPTIMIZERS[lane.optimizer].specs.get(name)
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
                processes=processes)
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
