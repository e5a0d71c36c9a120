"""What the pages show about finished runs, as plain data: derived curves, the leaderboard, the step inspector,
and the CSV / JSON exports. No streamlit, no plotly."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from optviz.engine.driver import DIVERGENCE_BOUND, Trajectory
from optviz.lane import Lane
from optviz.runs import DEFAULT_TOLERANCE
from optviz.surfaces import Surface


def format_number(value: float | None) -> str:
    """A table cell: four significant digits, '—' for none, 'NaN' stays visible."""
    if value is None:
        return "—"
    return f"{value:.4g}"


def format_step(value: int | None) -> str:
    """A step number for a table cell, '—' for none."""
    return "—" if value is None else str(int(value))


def finite_rows(trajectory: Trajectory) -> int:
    """How many rows of the path are real positions (all of them, or up to the divergence)."""
    diverged_at = int(trajectory.diverged_at)
    return len(trajectory.positions) if diverged_at < 0 else max(diverged_at, 1)


def distance_to_minimum(surface: Surface, positions: np.ndarray) -> np.ndarray | None:
    """Per step, the distance to the nearest known minimum (None when the surface has none)."""
    if not surface.minima:
        return None
    minima = np.asarray(surface.minima)
    return np.linalg.norm(positions[:, None, :] - minima[None, :, :], axis=-1).min(axis=-1)


def effective_lr(trajectory: Trajectory) -> np.ndarray:
    """Per step t ≥ 1: ‖θ_t − θ_{t−1}‖ / ‖g_{t−1}‖, the step length per unit of gradient."""
    moves = np.linalg.norm(np.diff(trajectory.positions, axis=0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(trajectory.grad_norm[:-1] > 0, moves / trajectory.grad_norm[:-1], np.nan)


def curves(surface: Surface, trajectory: Trajectory) -> dict[str, np.ndarray | None]:
    """The per-step series of the curves view (loss as f − f* where f* is known)."""
    rows = finite_rows(trajectory)
    loss = trajectory.loss[:rows]
    return {
        "steps": np.arange(rows),
        "loss": loss - surface.f_star if surface.f_star is not None else loss,
        "distance": None if surface.minima == () else distance_to_minimum(surface, trajectory.positions[:rows]),
        "grad_norm": trajectory.grad_norm[:rows],
        "effective_lr": np.concatenate([[np.nan], effective_lr(trajectory)[: rows - 1]]),
    }


# A run is diverging when its loss ends more than DIVERGING_FACTOR times its starting gap above the start (the gap
# to f* where f* is known, else |f0|, and at least 1) and is still growing: its highest loss is among its last
# GROWING_WINDOW steps. It is oscillating when over its last quarter of steps its loss did not go down, its path did
# not slow down, and it went back and forth (see ``oscillating``).
DIVERGING_FACTOR = 1e3
GROWING_WINDOW = 10
OSCILLATING_MIN_STEPS = 20
OSCILLATING_SHARE = 4
BACK_AND_FORTH = 5.0

STATUSES = ("undefined_start", "undefined", "diverged", "diverging", "converged", "left", "oscillating",
            "unfinished")


def diverging_threshold(surface: Surface, start_loss: float) -> float:
    """The loss above which a still-growing run counts as diverging: f0 + 10³·max(gap, 1), where the gap is
    f0 − f* (|f0| when f* is unknown)."""
    gap = abs(start_loss - surface.f_star) if surface.f_star is not None else abs(start_loss)
    return start_loss + DIVERGING_FACTOR * max(gap, 1.0)


def diverging_from(surface: Surface, trajectory: Trajectory) -> int | None:
    """The first step whose loss is above the diverging threshold, for a run whose loss ends above it and is
    still growing (its highest loss is among its last GROWING_WINDOW steps); None for any other run."""
    rows = finite_rows(trajectory)
    loss = trajectory.loss[:rows]
    if rows < 2 or not np.all(np.isfinite(loss)):
        return None
    threshold = diverging_threshold(surface, float(loss[0]))
    if loss[-1] <= threshold or int(np.argmax(loss)) < rows - GROWING_WINDOW:
        return None
    return int(np.argmax(loss > threshold))


def oscillating(surface: Surface, trajectory: Trajectory) -> bool:
    """Whether a bounded run neither converges nor diverges: comparing its last quarter of steps with the quarter
    before, its typical (median) loss did not halve (measured from f* where known), its path did not slow down
    (it travelled at least half as far) and it went back and forth (travelled more than BACK_AND_FORTH times its
    net move). Gradient descent on a stability boundary (η·λ_max = 2) does this, and so does a constant
    learning rate under gradient noise; a run whose learning rate decays is slowing down, not oscillating."""
    rows = finite_rows(trajectory)
    if rows - 1 < OSCILLATING_MIN_STEPS or trajectory.diverged_at >= 0:
        return False
    window = max(GROWING_WINDOW // 2, (rows - 1) // OSCILLATING_SHARE)
    window -= window % 2  # an even window: a run flipping between two points ends where the window began
    loss = trajectory.loss[:rows]
    floor = surface.f_star if surface.f_star is not None else float(np.min(loss))
    recent, before = loss[rows - window :] - floor, loss[rows - 2 * window : rows - window] - floor
    if np.median(recent) < 0.5 * np.median(before):
        return False
    moves = np.linalg.norm(np.diff(trajectory.positions[rows - 2 * window - 1 : rows], axis=0), axis=-1)
    travelled, travelled_before = float(moves[window:].sum()), float(moves[:window].sum())
    net = float(np.linalg.norm(trajectory.positions[rows - 1] - trajectory.positions[rows - window - 1]))
    x_min, x_max, y_min, y_max = surface.view
    noticeable = 1e-6 * window * float(np.hypot(x_max - x_min, y_max - y_min))  # not rounding noise at a minimum
    return travelled > noticeable and travelled >= 0.5 * travelled_before and travelled > BACK_AND_FORTH * net


def still_within_tolerance(surface: Surface, trajectory: Trajectory, tolerance: float = DEFAULT_TOLERANCE) -> bool:
    """Whether the run's last point is within the tolerance it once reached (f − f* below it, or ‖g‖ where f* is
    unknown), as the engine measures steps_to_tolerance."""
    last = finite_rows(trajectory) - 1
    if surface.f_star is not None:
        return bool(trajectory.loss[last] - surface.f_star < tolerance)
    return bool(trajectory.grad_norm[last] < tolerance)


def run_status(surface: Surface, trajectory: Trajectory) -> tuple[str, dict[str, Any]]:
    """What a finished run did, as a catalog key ("status.<name>", <name> in STATUSES) and its fields.

    undefined_start: f is not a number at the start; undefined: a step went where f is not defined (x, y);
    diverged: the engine stopped it (|θ| > 10⁶ or f infinite); diverging: see ``diverging_from``;
    converged: it reached the tolerance (step); oscillating: see ``oscillating``; unfinished: none of these.
    """
    if trajectory.diverged_at >= 0:
        step = int(trajectory.diverged_at)
        where = trajectory.diverged_position
        if where is not None and np.all(np.isfinite(where)) and np.abs(where).max() <= DIVERGENCE_BOUND:
            with np.errstate(all="ignore"):
                value = surface.value(np.asarray(where, dtype=np.float64))
            if np.isnan(value):
                point = {"x": f"{where[0]:.4g}", "y": f"{where[1]:.4g}"}
                return ("status.undefined_start", point) if step == 0 else ("status.undefined", {"step": step, **point})
        return "status.diverged", {"step": step}
    step = diverging_from(surface, trajectory)
    if step is not None:
        return "status.diverging", {"step": step, "loss": format_number(float(trajectory.loss[-1]))}
    if trajectory.steps_to_tolerance >= 0:
        reached = int(trajectory.steps_to_tolerance)
        if still_within_tolerance(surface, trajectory):
            return "status.converged", {"step": reached}
        # it came within the tolerance and was thrown out again (RMSProp's spikes): not converged
        final = float(trajectory.loss[finite_rows(trajectory) - 1])
        return "status.left", {"step": reached, "loss": format_number(final)}
    if oscillating(surface, trajectory):
        return "status.oscillating", {}
    return "status.unfinished", {"steps": len(trajectory.positions) - 1}


def leaderboard_row(surface: Surface, trajectory: Trajectory) -> dict[str, Any]:
    """Final loss, steps to tolerance, where it diverged, final distance to the nearest minimum, and the run's
    status (``run_status``: "status" is the catalog key, "status_fields" its fields).

    diverged_at is the step where the engine stopped the run, or for a run whose loss is still growing far above
    its start (``diverging_from``) the first step above the threshold. A final loss that is not a number (f
    undefined at the start) is None.
    """
    rows = finite_rows(trajectory)
    distance = distance_to_minimum(surface, trajectory.positions[rows - 1 : rows])
    status, fields = run_status(surface, trajectory)
    final_loss = float(trajectory.loss[rows - 1])
    diverged_at = int(trajectory.diverged_at) if trajectory.diverged_at >= 0 else None
    if status == "status.diverging":
        diverged_at = fields["step"]
    return {
        "final_loss": final_loss if np.isfinite(final_loss) else None,
        "steps_to_tolerance": int(trajectory.steps_to_tolerance) if trajectory.steps_to_tolerance >= 0 else None,
        "diverged_at": diverged_at,
        "distance": None if distance is None or not np.isfinite(distance[0]) else float(distance[0]),
        "status": status,
        "status_fields": fields,
    }


def inspect_step(trajectory: Trajectory, step: int) -> dict[str, list[float]]:
    """The numbers of one step t ≥ 1: θ before, the gradient it used, the buffers after, the update and the
    effective per-coordinate learning rate (update / gradient)."""
    step = int(np.clip(step, 1, len(trajectory.positions) - 1))
    before, after = trajectory.positions[step - 1], trajectory.positions[step]
    gradient = trajectory.grad[step - 1]
    update = before - after
    with np.errstate(divide="ignore", invalid="ignore"):
        per_coordinate = np.where(gradient != 0, update / gradient, np.nan)
    table = {"theta_before": before, "gradient": gradient, "update": update, "effective_lr": per_coordinate,
             "theta_after": after}
    for name, history in trajectory.state.items():
        table[name] = history[step]
    return {name: [float(value) for value in values] for name, values in table.items()}


def runs_csv(labels: list[str], trajectories: list[Trajectory]) -> str:
    """Every lane's path, one row per step: lane, step, x, y, loss, grad_x, grad_y, lr."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["lane", "step", "x", "y", "loss", "grad_x", "grad_y", "lr"])
    for label, trajectory in zip(labels, trajectories, strict=True):
        for step in range(finite_rows(trajectory)):
            lr = trajectory.lr[step] if step < len(trajectory.lr) else ""
            writer.writerow([label, step, *trajectory.positions[step], trajectory.loss[step], *trajectory.grad[step],
                             lr])
    return buffer.getvalue()


def runs_json(surface_name: str, start, steps: int, lanes: list[Lane], trajectories: list[Trajectory]) -> str:
    """The whole comparison: its settings and every lane's path, as JSON (NaN as null)."""

    def plain(values: np.ndarray) -> list:
        return [None if not np.isfinite(value) else float(value) for value in np.ravel(values)]

    data = {"surface": surface_name, "start": list(start), "steps": steps, "lanes": []}
    for lane, trajectory in zip(lanes, trajectories, strict=True):
        rows = finite_rows(trajectory)
        data["lanes"].append({
            "optimizer": lane.optimizer, "convention": lane.convention,
            "hyperparameters": dict(lane.hyperparameters),
            "tricks": {name: dict(settings) for name, settings in lane.tricks},
            "schedule": None if lane.schedule is None else {"name": lane.schedule[0], **dict(lane.schedule[1])},
            "xy": [plain(row) for row in trajectory.positions[:rows]], "loss": plain(trajectory.loss[:rows]),
            "diverged_at": None if trajectory.diverged_at < 0 else int(trajectory.diverged_at),
            "steps_to_tolerance": None if trajectory.steps_to_tolerance < 0 else int(trajectory.steps_to_tolerance),
        })
    return json.dumps(data, ensure_ascii=False)
