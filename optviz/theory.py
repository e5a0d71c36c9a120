"""Gradient descent and heavy-ball momentum on a quadratic: what theory predicts (Distill, "Why Momentum Really
Works", Goh 2017; Polyak 1964).

On f(θ) = ½ θᵀAθ, each eigen-direction of A with eigenvalue λ evolves on its own. Gradient descent multiplies
the error along it by (1 − αλ) per step. Heavy ball, θ ← θ − αg + β(θ − θ_prev) (the same iteration as the
PyTorch form b = βb + g, θ −= αb, and the textbook form with a constant learning rate), follows
z² − (1 + β − αλ) z + β = 0: the error shrinks by the larger root's modulus per step.
All functions broadcast over arrays of α and β.

``heavy_ball(lane)`` says when this theory applies to a lane at all: plain SGD or heavy ball (no Nesterov,
dampening or weight decay), no tricks, no schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from optviz.lane import Lane

HEAVY_BALL_OPTIMIZERS = ("sgd", "momentum")


class HeavyBall(NamedTuple):
    """The two numbers of a lane the quadratic theory needs: its learning rate α and momentum β."""

    lr: float
    momentum: float


def heavy_ball(lane: Lane) -> HeavyBall | None:
    """(α, β) when `lane` is plain gradient descent or heavy ball (SGD without Nesterov, dampening or weight
    decay; no tricks; a constant learning rate): the iterations this module's formulas describe. None otherwise."""
    if lane.optimizer not in HEAVY_BALL_OPTIMIZERS or lane.tricks or lane.schedule is not None:
        return None
    values = lane.values()
    if values.get("nesterov") or values.get("dampening") or values.get("weight_decay"):
        return None
    return HeavyBall(float(values["lr"]), float(values.get("momentum", 0.0)))


def stability_product(momentum):
    """The largest α·λ at which heavy ball with momentum β still converges: 2 + 2β (2 for gradient descent)."""
    return 2 + 2 * np.asarray(momentum, dtype=np.float64) if np.ndim(momentum) else 2 + 2 * float(momentum)


def stability_lr(momentum, eigenvalue):
    """The largest learning rate at which heavy ball converges on curvature λ: (2 + 2β)/λ."""
    return stability_product(momentum) / eigenvalue


def _eigenvalues(eigenvalues: Sequence[float]) -> np.ndarray:
    values = np.asarray(eigenvalues, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or np.any(values <= 0):
        raise ValueError("eigenvalues must be a non-empty list of positive numbers")
    return values


def gd_rate(lr, eigenvalues: Sequence[float]) -> np.ndarray:
    """max over λ of |1 − αλ|: the factor by which gradient descent shrinks the error per step."""
    values = _eigenvalues(eigenvalues)
    lr = np.asarray(lr, dtype=np.float64)[..., None]
    return np.abs(1 - lr * values).max(axis=-1)


def gd_converges(lr, eigenvalues: Sequence[float]) -> np.ndarray:
    """0 < αλ < 2 for every eigenvalue λ."""
    values = _eigenvalues(eigenvalues)
    lr = np.asarray(lr, dtype=np.float64)[..., None]
    return np.all((lr * values > 0) & (lr * values < 2), axis=-1)


def momentum_rate(lr, momentum, eigenvalues: Sequence[float]) -> np.ndarray:
    """max over λ of the larger |root| of z² − (1 + β − αλ)z + β: heavy ball's error factor per step."""
    values = _eigenvalues(eigenvalues)
    lr, momentum = np.broadcast_arrays(np.asarray(lr, dtype=np.float64), np.asarray(momentum, dtype=np.float64))
    with np.errstate(over="ignore", invalid="ignore"):  # a range reaching ±1e308 overflows to ±inf: fine here
        centre = (1 + momentum[..., None] - lr[..., None] * values) / 2
        discriminant = centre * centre - momentum[..., None]
        real_root = np.abs(centre) + np.sqrt(np.maximum(discriminant, 0.0))
    complex_modulus = np.sqrt(np.maximum(momentum[..., None], 0.0))
    return np.where(discriminant >= 0, real_root, complex_modulus).max(axis=-1)


def momentum_converges(lr, momentum, eigenvalues: Sequence[float]) -> np.ndarray:
    """0 ≤ β < 1 and 0 < αλ < 2 + 2β for every eigenvalue λ."""
    values = _eigenvalues(eigenvalues)
    lr, momentum = np.broadcast_arrays(np.asarray(lr, dtype=np.float64), np.asarray(momentum, dtype=np.float64))
    with np.errstate(over="ignore"):
        scaled = lr[..., None] * values
    inside = (scaled > 0) & (scaled < stability_product(momentum[..., None]))
    return np.all(inside, axis=-1) & (momentum >= 0) & (momentum < 1)


def gd_optimal(eigenvalues: Sequence[float]) -> tuple[float, float]:
    """(α*, rate): α* = 2/(λ_min + λ_max), rate (κ − 1)/(κ + 1)."""
    values = _eigenvalues(eigenvalues)
    low, high = float(values.min()), float(values.max())
    return 2 / (low + high), (high - low) / (high + low)


def momentum_optimal(eigenvalues: Sequence[float]) -> tuple[float, float, float]:
    """(α*, β*, rate): α* = (2/(√λ_max + √λ_min))², β* = ((√κ − 1)/(√κ + 1))², rate √β*."""
    values = _eigenvalues(eigenvalues)
    low, high = np.sqrt(float(values.min())), np.sqrt(float(values.max()))
    beta = ((high - low) / (high + low)) ** 2
    return float((2 / (high + low)) ** 2), float(beta), float(np.sqrt(beta))
