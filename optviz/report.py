"""What the pages show about finished runs, as plain data: derived curves, the leaderboard, the step inspector,
and the CSV / JSON exports. No streamlit, no plotly."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from optviz.engine.driver import Trajectory
from optviz.runs import Lane
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


def leaderboard_row(surface: Surface, trajectory: Trajectory) -> dict[str, Any]:
    """Final loss, steps to tolerance, where it diverged, final distance to the nearest minimum."""
    rows = finite_rows(trajectory)
    distance = distance_to_minimum(surface, trajectory.positions[rows - 1 : rows])
    return {
        "final_loss": float(trajectory.loss[rows - 1]),
        "steps_to_tolerance": int(trajectory.steps_to_tolerance) if trajectory.steps_to_tolerance >= 0 else None,
        "diverged_at": int(trajectory.diverged_at) if trajectory.diverged_at >= 0 else None,
        "distance": None if distance is None else float(distance[0]),
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
