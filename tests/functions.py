"""Smooth test problems written twice, in NumPy (for the engine) and in torch (for torch.optim).

f(θ) = Σᵢ wᵢ·log cosh(aᵢ(θᵢ − cᵢ)) + κ·θ₀θ₁: non-quadratic, a unique minimum, well-conditioned enough that
rounding-level differences do not grow along the path (a fair case for step-for-step comparisons).
The NumPy versions follow the engine's protocol: params coordinate-major, shape (d, *B).
"""

import numpy as np

SCALES = np.array([1.0, 2.0, 0.7, 1.5])
CENTERS = np.array([1.0, -0.5, 0.3, -1.2])
WEIGHTS = np.array([1.0, 0.5, 1.2, 0.8])
COUPLING = 0.1
START = np.array([-2.0, 1.5, 2.0, 0.5])


def column(vector, params):
    """A per-coordinate constant shaped to broadcast against params (d, *B)."""
    return vector.reshape(-1, *([1] * (params.ndim - 1)))


def value_and_grad(params):
    """f and its gradient for params of shape (4, *B)."""
    shifted = column(SCALES, params) * (params - column(CENTERS, params))
    value = (column(WEIGHTS, params) * np.log(np.cosh(shifted))).sum(axis=0) + COUPLING * params[0] * params[1]
    grad = column(WEIGHTS * SCALES, params) * np.tanh(shifted)
    grad[0] += COUPLING * params[1]
    grad[1] += COUPLING * params[0]
    return value, grad


def torch_value(params):
    """The same f on a torch tensor of shape (4,)."""
    import torch

    scales, centers, weights = (torch.tensor(a, dtype=torch.float64) for a in (SCALES, CENTERS, WEIGHTS))
    shifted = scales * (params - centers)
    return (weights * torch.log(torch.cosh(shifted))).sum() + COUPLING * params[0] * params[1]


def quadratic(a, b):
    """f = a·x² + b·y² and its gradient, params of shape (2, *B)."""

    def value_and_grad_2d(params):
        x, y = params[0], params[1]
        return a * x * x + b * y * y, np.stack([2 * a * x, 2 * b * y])

    return value_and_grad_2d
