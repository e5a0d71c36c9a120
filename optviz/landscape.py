"""The hyperparameter landscape: what the landscape page shows beside its sweeps, as plain data.

Which settings can be swept, the theory of gradient descent and heavy ball on a quadratic laid over a sweep
(stability boundary, optimal point, predicted rate), the measured rate of every cell, the error along each
eigen-direction of a path (Distill's "milestones"), and the playground link of a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optviz import theory
from optviz.engine import OPTIMIZERS, TRICKS
from optviz.engine.driver import Trajectory
from optviz.lane import Lane
from optviz.runs import START_AXES, STEPS_AXIS, SweepResult
from optviz.surfaces import Surface


def sweepable(optimizer: str) -> list[str]:
    """Settings of `optimizer` a sweep can vary: its number hyperparameters, the tricks' number settings."""
    names = [name for name, spec in OPTIMIZERS[optimizer].specs.items() if spec.kind == "float"]
    for trick, entry in TRICKS.items():
        names += [f"{trick}.{name}" for name, spec in entry.specs.items() if spec.kind == "float"]
    return names


def axis_spec(optimizer: str, name: str):
    """The spec behind a sweep axis (None for the start coordinates x0, y0 and for steps)."""
    if name in START_AXES or name == STEPS_AXIS:
        return None
    spec = Lane(optimizer).override_spec(name)
    if spec is None:
        raise KeyError(name)
    return spec


def hessian_eigen(surface: Surface) -> tuple[np.ndarray, np.ndarray] | None:
    """Eigenvalues (ascending) and eigenvectors (columns) of the Hessian at the first minimum of a quadratic,
    from differences of its analytic gradient (exact for a quadratic); None for other surfaces."""
    if surface.hessian_eigenvalues is None or not surface.minima:
        return None
    centre = np.asarray(surface.minima[0], dtype=np.float64)
    base = surface.gradient(centre)
    hessian = np.stack([surface.gradient(centre + unit) - base for unit in np.eye(2)], axis=1)
    values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    return values, vectors


@dataclass
class TheoryOverlay:
    """What theory predicts for a lr (× momentum) sweep on a quadratic."""

    predicted_rate: np.ndarray  # max |σ| per cell, same shape as the sweep's grids
    converges: np.ndarray
    boundary_x: np.ndarray  # the stability boundary as a curve in (x, y) axis coordinates
    boundary_y: np.ndarray
    optimal: tuple[float, float] | None  # (x, y) of the optimal setting, in axis coordinates
    optimal_rate: float


def theory_overlay(surface: Surface, lane: Lane, result: SweepResult) -> TheoryOverlay | None:
    """Theory for sweeps over lr, momentum or both, of SGD / heavy ball without tricks, on a quadratic."""
    eigenvalues = surface.hessian_eigenvalues
    names = {result.x.name} | ({result.y.name} if result.y is not None else set())
    plain = theory.heavy_ball(lane)
    if eigenvalues is None or plain is None:
        return None
    if not names <= {"lr", "momentum"} or "lr" not in names:
        return None
    grids = _grids(result)
    lr = grids["lr"]
    momentum = grids.get("momentum", np.full_like(lr, plain.momentum))
    rate = theory.momentum_rate(lr, momentum, eigenvalues)
    converges = theory.momentum_converges(lr, momentum, eigenvalues)
    top = max(eigenvalues)
    if result.y is not None:
        betas = result.y.values if result.y.name == "momentum" else result.x.values
        boundary = theory.stability_lr(betas, top)
        curve = (boundary, betas) if result.x.name == "lr" else (betas, boundary)
        best_lr, best_beta, best_rate = theory.momentum_optimal(eigenvalues)
        optimal = (best_lr, best_beta) if result.x.name == "lr" else (best_beta, best_lr)
    else:
        beta = plain.momentum
        curve = (np.array([theory.stability_lr(beta, top)] * 2), np.array([0.0, 1.0]))
        if beta == 0:
            best_lr, best_rate = theory.gd_optimal(eigenvalues)
            optimal = (best_lr, 0.0)
        else:
            optimal, best_rate = None, float("nan")
    return TheoryOverlay(rate, converges, np.asarray(curve[0]), np.asarray(curve[1]), optimal, float(best_rate))


def _grids(result: SweepResult) -> dict[str, np.ndarray]:
    if result.y is None:
        return {result.x.name: result.x.values}
    grid_x, grid_y = np.meshgrid(result.x.values, result.y.values)
    return {result.x.name: grid_x, result.y.name: grid_y}


def measured_rate(result: SweepResult, initial_loss: float, f_star: float | None, steps: int) -> np.ndarray:
    """Per cell, the loss's shrink factor per step turned into an error factor: ((f_T − f*)/(f_0 − f*))^(1/2T).

    On a quadratic the error shrinks by max|σ| per step and the loss by its square; diverged cells are NaN.
    """
    floor = f_star if f_star is not None else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (result.final_loss - floor) / (initial_loss - floor)
        rate = np.power(np.maximum(ratio, 0.0), 1.0 / (2 * max(steps, 1)))
    return np.where(result.diverged, np.nan, rate)


def eigen_errors(surface: Surface, trajectory: Trajectory) -> np.ndarray | None:
    """|⟨θ_t − θ*, q_k⟩| per step t and eigenvector q_k of a quadratic's Hessian: each direction's own decay."""
    eigen = hessian_eigen(surface)
    if eigen is None:
        return None
    _, vectors = eigen
    error = trajectory.positions - np.asarray(surface.minima[0])
    return np.abs(error @ vectors)


def cell_settings(result: SweepResult, row: int, column: int) -> dict[str, float]:
    """The swept values of one cell: {axis name: value}."""
    values = {result.x.name: float(result.x.values[column])}
    if result.y is not None:
        values[result.y.name] = float(result.y.values[row])
    return values


def cell_lane(lane: Lane, values: dict[str, Any]) -> Lane:
    """The lane of one cell: the swept values written into it (start axes excluded)."""
    return lane.with_settings({name: value for name, value in values.items()
                               if name not in START_AXES and name != STEPS_AXIS})


def cell_start(start, values: dict[str, Any]) -> tuple[float, float]:
    """The start of one cell (x0, y0 may be swept)."""
    return float(values.get("x0", start[0])), float(values.get("y0", start[1]))
