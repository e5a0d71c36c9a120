"""Tuning a lane on a 2-D surface: the fair race.

Comparing optimizers at one shared or hand-picked learning rate decides the winner by the pick. Here every lane's
learning rate is swept over a log grid (default: the rate's whole slider range, 10⁻⁵ … 10, 200 points) — for a
momentum-type optimizer jointly with its β (the registry's PageDefaults.tune_with; 60 × 20 points) — on the current
surface, start and step budget, as ONE vectorized engine call per lane, and the best point by a stated criterion:

- ``auc`` (the default): the mean of f(θ_t) − f* over steps 0 … T, the area under the loss curve divided by T + 1
  (how good the run was all along: getting low early counts, and so does staying low);
- ``final_loss``: f(θ_T) − f* after the step budget (what a training keeps; on an easy surface many rates reach
  f* to rounding, tied, and within 2× of the best is a single grid cell);
- ``steps_to_tolerance``: the first step with f − f* below the tolerance (how soon it is good enough; cannot rank
  runs that never get there).

Where the surface's minimum value f* is not known (a typed function) the lowest final loss any run of the tuning
reached stands in for it. A grid point that diverges (from any start) is never chosen; its score is +inf.

With several starts (``starts`` > 1) every grid point runs from K starts drawn around the start (the start itself
first, the others uniform in a disc of a tenth of the view's diagonal, from ``seed``): final loss and area are
averaged over the starts, steps to tolerance is the slowest start's (never, if one never gets there), so a lucky
start does not decide.

Robustness: the width, in decades of learning rate, of the contiguous range around the best rate (at the best β)
whose criterion is within 2× of the best — Adam's is wide, plain gradient descent's narrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optviz.engine import OPTIMIZERS, run
from optviz.lane import Lane
from optviz.runs import DEFAULT_TOLERANCE
from optviz.surfaces import Surface

CRITERIA = ("auc", "final_loss", "steps_to_tolerance")
DEFAULT_CRITERION = "auc"  # see the guide: the final loss of many rates underflows to ties and its 2× range is
# a cell wide; steps to tolerance cannot rank runs that never get there
LR_POINTS = 200  # the learning rate alone
JOINT_POINTS = (60, 20)  # learning rate × β for a momentum-type optimizer
MAX_POINTS = 400
MAX_SECOND_POINTS = 60
MAX_STARTS = 64
MAX_RUNS = 200_000  # grid points × starts of one lane
MAX_STEPS = 5000
ROBUST_FACTOR = 2.0
FLAT_SHARE = 0.25  # a best criterion above this share of the smallest rate's is "flat" (Tuning.flat)
START_RADIUS = 0.1  # of the view's diagonal
HIGHEST_BETA = 0.99  # β = 0.999 needs thousands of steps to show what it does: the grid stops at 0.99


@dataclass(frozen=True)
class Tuning:
    """One lane tuned: the grid, the criterion per grid point, the best point and how robust it is.

    Arrays are indexed [β][lr] for a joint tuning, [lr] otherwise. `score` is the criterion (lower is better;
    +inf where a run diverged; steps to tolerance is steps + 1 where a run never got there), `final_loss` and `auc`
    always computed (the tie-breakers), both as f − reference. `robust` = (low lr, high lr, width in decades)."""

    optimizer: str
    criterion: str
    lr: np.ndarray
    second_name: str | None
    second: np.ndarray | None
    score: np.ndarray
    final_loss: np.ndarray
    auc: np.ndarray
    steps_to_tolerance: np.ndarray
    diverged: np.ndarray
    best_index: tuple[int, ...]
    best_lr: float
    best_second: float | None
    best_score: float
    robust: tuple[float, float, float]
    reference: float  # f* or, where it is not known, the lowest final loss found
    reference_known: bool
    starts: np.ndarray  # (K, 2)
    steps: int
    tolerance: float
    baseline: float | None = None  # the criterion at the grid's smallest rate (barely moving); None for steps

    @property
    def flat(self) -> bool:
        """Even the best setting does not bring the criterion below a quarter of the smallest rate's (a run that
        barely moves): a wide robust range then says that the criterion hardly depends on the rate, not that the
        optimizer is forgiving (AdaGrad on Rosenbrock, 500 steps: area 4.9 against 12.4)."""
        return self.found and self.baseline is not None and self.best_score > FLAT_SHARE * self.baseline

    @property
    def edge(self) -> float | None:
        """The rate next to the best one that diverges, if one does (at the best β): the tuned rate then sits at the
        cliff, where a little more diverges and the path oscillates wildly on its way."""
        if not self.found:
            return None
        curve, index = self.diverged_curve(), self.best_index[-1]
        for other in (index + 1, index - 1):
            if 0 <= other < len(curve) and curve[other]:
                return float(self.lr[other])
        return None

    @property
    def isolated(self) -> bool:
        """The best rate is alone: its neighbours on the grid are more than 2× worse (a lucky rate, often in a
        chaotic region; several starts or the area under the curve tell)."""
        return self.found and self.robust[2] == 0.0

    @property
    def found(self) -> bool:
        """False when every grid point diverged, or (steps to tolerance) none got there: nothing won by the
        criterion itself (the best point is then the tie-breaker's)."""
        return math.isfinite(self.best_score) and not (
            self.criterion == "steps_to_tolerance" and self.best_score > self.steps)

    def settings(self) -> dict[str, float]:
        """The best point as lane settings: exactly the grid values that won (the default grids are round numbers,
        round_grid, so a slider shows them as they are)."""
        chosen = {"lr": self.best_lr}
        if self.second_name is not None and self.best_second is not None:
            chosen[self.second_name] = self.best_second
        return chosen

    def lr_curve(self) -> np.ndarray:
        """The criterion against the learning rate at the best β (the row the chart draws)."""
        return self.score if self.second is None else self.score[self.best_index[0]]

    def diverged_curve(self) -> np.ndarray:
        return self.diverged if self.second is None else self.diverged[self.best_index[0]]


def tuned_setting(optimizer: str) -> str | None:
    """The setting tuned jointly with the learning rate (the registry's PageDefaults.tune_with), or None."""
    return OPTIMIZERS[optimizer].page.tune_with


def lr_grid(optimizer: str, low: float | None = None, high: float | None = None, points: int | None = None,
            joint: bool = True) -> np.ndarray:
    """The learning rates a tuning tries: log-spaced over the rate's slider range unless given."""
    spec = OPTIMIZERS[optimizer].specs["lr"]
    low = spec.ui_low if low is None else float(low)
    high = spec.ui_high if high is None else float(high)
    if points is None:
        points = JOINT_POINTS[0] if joint and tuned_setting(optimizer) else LR_POINTS
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        raise ValueError(f"learning-rate range {low:g} … {high:g}: needs 0 < low < high")
    if not 2 <= int(points) <= MAX_POINTS:
        raise ValueError(f"{points} learning rates: allowed [2, {MAX_POINTS}]")
    return round_grid(np.geomspace(low, high, int(points)))


def round_grid(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """Grid values rounded to as few significant digits (from `digits` on) as keep them all apart: the values a
    tuning ranks are then the ones a lane's slider shows and gets, exactly. (Rounding the winner afterwards moved
    it: at the edge of stability heavy ball at η = 0.0021826, β = 0.94544 converges, at 0.00218, 0.945 diverges.)"""
    for places in range(digits, 16):
        rounded = np.array([float(f"{value:.{places - 1}e}") for value in values])
        if len(np.unique(rounded)) == len(values):
            return rounded
    return np.asarray(values, dtype=np.float64)


def second_grid(optimizer: str, points: int | None = None) -> np.ndarray | None:
    """The β values a joint tuning tries: spaced evenly in log(1 − β), from the spec's lowest to 0.99 (as many
    points between 0.9 and 0.99 as between 0 and 0.9)."""
    name = tuned_setting(optimizer)
    if name is None:
        return None
    points = JOINT_POINTS[1] if points is None else int(points)
    if not 2 <= points <= MAX_SECOND_POINTS:
        raise ValueError(f"{points} values of {name}: allowed [2, {MAX_SECOND_POINTS}]")
    spec = OPTIMIZERS[optimizer].specs[name]
    low, high = max(spec.ui_low or 0.0, 0.0), min(spec.ui_high or HIGHEST_BETA, HIGHEST_BETA)
    # 1 − β rounded to 3 significant digits, β then written as that decimal (0.9454, not 0.94539999…)
    return np.array([float(f"{1.0 - gap:.12g}") for gap in round_grid(np.geomspace(1.0 - low, 1.0 - high, points))])


def tuning_starts(surface: Surface, start, count: int = 1, seed: int = 0) -> np.ndarray:
    """`count` starts: the start itself, then points drawn uniformly in a disc around it (a tenth of the view's
    diagonal), reproducible from `seed`."""
    if not 1 <= int(count) <= MAX_STARTS:
        raise ValueError(f"{count} starts: allowed [1, {MAX_STARTS}]")
    start = np.asarray(start, dtype=np.float64)
    x_min, x_max, y_min, y_max = surface.view
    radius = START_RADIUS * math.hypot(x_max - x_min, y_max - y_min)
    generator = np.random.default_rng(seed)
    angle = generator.uniform(0, 2 * np.pi, int(count) - 1)
    distance = radius * np.sqrt(generator.uniform(0, 1, int(count) - 1))
    around = start + np.stack([distance * np.cos(angle), distance * np.sin(angle)], axis=-1)
    return np.concatenate([start[None], around])


def tune(surface: Surface, lane: Lane, start, steps: int, criterion: str = DEFAULT_CRITERION, *,
         lr: np.ndarray | None = None, second: np.ndarray | bool | None = True, starts: int = 1, seed: int = 0,
         tolerance: float = DEFAULT_TOLERANCE, threads: int | None = None, pool=None) -> Tuning:
    """Tune `lane` (its other settings, tricks and schedule kept) on `surface` from `start` for `steps` steps.

    `lr`: the learning rates (default lr_grid); `second`: the β values (default second_grid; False: the learning
    rate alone, as None). One engine call runs every grid point from every start."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion {criterion!r}: one of {', '.join(CRITERIA)}")
    if isinstance(steps, bool) or not 1 <= int(steps) <= MAX_STEPS:
        raise ValueError(f"steps = {steps}: allowed [1, {MAX_STEPS}]")
    steps = int(steps)
    second_name = tuned_setting(lane.optimizer)
    if second is False or second is None or second_name is None:
        second, second_name = None, None
    elif second is True:
        second = second_grid(lane.optimizer)
    lrs = lr_grid(lane.optimizer, joint=second is not None) if lr is None else _checked("lr", lr, MAX_POINTS)
    if second is not None:
        second = _checked(second_name, second, MAX_SECOND_POINTS, positive=False)
    points = np.asarray(starts_of(surface, start, starts, seed))
    shape = (len(lrs),) if second is None else (len(second), len(lrs))
    if int(np.prod(shape)) * len(points) > MAX_RUNS:
        raise ValueError(f"{int(np.prod(shape)):,} grid points × {len(points)} starts: at most {MAX_RUNS:,} runs")
    grid = {"lr": lrs} if second is None else dict(zip(("lr", second_name), np.meshgrid(lrs, second), strict=True))
    run_starts = np.broadcast_to(points.reshape(len(points), *([1] * len(shape)), 2), (len(points), *shape, 2))
    final = run(lane.pipeline(grid), same_batches(surface.value_and_grad, int(np.prod(shape))), run_starts, steps,
                record=False, tolerance=tolerance, f_star=surface.f_star, threads=threads, pool=pool, loss_sum=True)
    known = surface.f_star is not None
    with np.errstate(invalid="ignore"):
        reference = float(surface.f_star) if known else float(np.nanmin(final.loss)) if np.isfinite(
            final.loss).any() else 0.0
    scores, diverged = _scores(final, reference, known, steps, tolerance)
    final_loss, auc, slowest = scores["final_loss"], scores["auc"], scores["steps_to_tolerance"].astype(np.int64)
    score = np.where(diverged, np.inf, scores[criterion])
    tie_breaker = scores["final_loss" if criterion == "auc" else "auc"]
    best = _best(score, tie_breaker)
    best_score = float(score[best])
    # "never got there" (steps + 1) is never good, however close to 2× the best it is
    limit = steps if criterion == "steps_to_tolerance" else math.inf
    robust = robust_range(lrs, score if second is None else score[best[0]], best[-1], limit=limit)
    if criterion == "steps_to_tolerance" and best_score > steps:  # nobody got there: ranked by the tie-breaker
        robust = (float("nan"), float("nan"), 0.0)
    # flat's yardstick: the criterion at the grid's smallest rate, where a run barely moves (same runs, same starts)
    lowest = float((score if second is None else score[best[0]])[0])
    baseline = lowest if criterion != "steps_to_tolerance" and math.isfinite(lowest) else None
    return Tuning(lane.optimizer, criterion, lrs, second_name, None if second is None else np.asarray(second),
                  score, final_loss, auc, slowest, diverged, best, float(lrs[best[-1]]),
                  None if second is None else float(second[best[0]]), best_score, robust, reference, known, points,
                  steps, float(tolerance), baseline)


def _scores(final, reference: float, known: bool, steps: int, tolerance: float) -> tuple[dict, np.ndarray]:
    """Every criterion of runs laid out (starts, *grid), aggregated over the starts (area and final loss averaged,
    steps the slowest start's, steps + 1 for never; +inf where any start diverged), and the diverged mask."""
    diverged = (final.diverged_at >= 0).any(axis=0)
    if known:
        reached = final.steps_to_tolerance
    else:  # steps to tolerance needs f*: measured against the reference, and only the end is known
        reached = np.where(np.isfinite(final.loss) & (final.loss - reference < tolerance), steps, -1)
    with np.errstate(invalid="ignore", over="ignore"):
        final_loss = np.where(diverged, np.inf, np.maximum(final.loss - reference, 0.0).mean(axis=0))
        auc = np.where(diverged, np.inf, np.maximum(final.loss_sum / (steps + 1) - reference, 0.0).mean(axis=0))
    slowest = np.where((reached < 0).any(axis=0) | diverged, steps + 1, reached.max(axis=0))
    return {"final_loss": final_loss, "auc": auc, "steps_to_tolerance": slowest.astype(np.float64)}, diverged


def _checked(name: str, values, most: int, positive: bool = True) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    if not 1 <= len(values) <= most or not np.isfinite(values).all() or (positive and (values <= 0).any()):
        raise ValueError(f"{name}: 1 to {most} finite{' positive' if positive else ''} values, in increasing order")
    if (np.diff(values) <= 0).any():
        raise ValueError(f"{name}: 1 to {most} finite values, in increasing order")
    return values


def starts_of(surface: Surface, start, starts, seed: int) -> np.ndarray:
    """Starts given as a count (tuning_starts) or as points (K, 2)."""
    if np.ndim(starts) == 0:
        return tuning_starts(surface, start, int(starts), seed)
    points = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    if not 1 <= len(points) <= MAX_STARTS:
        raise ValueError(f"{len(points)} starts: allowed [1, {MAX_STARTS}]")
    return points


def _best(score: np.ndarray, tie_breaker: np.ndarray) -> tuple[int, ...]:
    """The grid point with the lowest score; among equal scores (integers of steps, or exact zeros) the lowest
    tie-breaker, then the lowest learning rate."""
    flat_score, flat_tie = score.ravel(), tie_breaker.ravel()
    order = np.lexsort((np.arange(flat_score.size), flat_tie, flat_score))
    return tuple(int(index) for index in np.unravel_index(order[0], score.shape))


def robust_range(lrs: np.ndarray, curve: np.ndarray, best: int, factor: float = ROBUST_FACTOR,
                 limit: float = math.inf) -> tuple:
    """(low, high, decades): the contiguous learning rates around `best` whose criterion is within `factor`× of
    the best one (and at most `limit`: steps to tolerance counts "never" as steps + 1); (nan, nan, 0) when nothing
    converged."""
    value = curve[best]
    if not math.isfinite(value) or value > limit:
        return float("nan"), float("nan"), 0.0
    good = (curve <= factor * value if value > 0 else curve <= value) & (curve <= limit)
    low = best
    while low > 0 and good[low - 1]:
        low -= 1
    high = best
    while high < len(curve) - 1 and good[high + 1]:
        high += 1
    return float(lrs[low]), float(lrs[high]), float(math.log10(lrs[high] / lrs[low]))


class same_batches:  # noqa: N801  (used as a function)
    """A stochastic objective (a data surface's mini-batches) seen by a tuning: every grid point from start k draws
    the batches of run k, the ones the lane itself draws from that start (common random numbers). Without it a grid
    point's batches depended on its place in the grid, and the applied winner, run by the lane, drew other batches
    and scored otherwise. `per_start`: the grid points per start (runs are laid out start-major)."""

    def __new__(cls, value_and_grad, per_start: int):
        if not getattr(value_and_grad, "stochastic", False):
            return value_and_grad  # deterministic: nothing to align
        return super().__new__(cls)

    def __init__(self, value_and_grad, per_start: int) -> None:
        self.value_and_grad, self.per_start, self.stochastic = value_and_grad, per_start, True

    def __call__(self, params, step=0, runs=None):
        return self.value_and_grad(params, step=step, runs=None if runs is None else np.asarray(runs) // self.per_start)


def current_score(tuning: Tuning, surface: Surface, lane: Lane, steps: int | None = None) -> float:
    """The criterion of the lane's own setting, measured as the tuning measures (same starts, steps, reference)."""
    steps = tuning.steps if steps is None else steps
    final = run(lane.pipeline(), surface.value_and_grad, tuning.starts, steps, record=False,
                tolerance=tuning.tolerance, f_star=surface.f_star, loss_sum=True)
    scores, diverged = _scores(final, tuning.reference, tuning.reference_known, steps, tuning.tolerance)
    return math.inf if diverged else float(scores[tuning.criterion])
