"""The network loss landscape: time of a 41 x 41 filter-normalized slice (1 681 losses over the training set) and
of the top Hessian eigenvalue, batched under torch.vmap against one forward pass per point.

Target (issue 8): a 41 x 41 slice of the small MLP within about 3 s. Both ways are timed in one run, so the ratio
is what to read.

Usage: python bench/landscape_nets.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optviz.nets import geometry
from optviz.nets.data import digits_split, split
from optviz.nets.models import CNNSpec, MLPSpec, build
from optviz.nets.train import loss_function

RESOLUTION = 41


def one_at_a_time(loss: geometry.LossFunction, vectors: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return np.array([float(loss._one(torch.as_tensor(vector, dtype=loss.dtype))) for vector in vectors])


def case(name: str, model, data) -> None:
    loss = geometry.LossFunction(model, data.x_train, data.y_train, loss_function("cross_entropy", data.task), True)
    center = geometry.parameter_vector(model)
    generator = torch.Generator().manual_seed(0)
    first = geometry.filter_normalized_direction(model, generator)
    second = geometry.filter_normalized_direction(model, generator)
    axis = np.linspace(-1, 1, RESOLUTION)
    loss(np.stack([center] * 8))  # warm both ways up (vmap's first call, the allocator)
    one_at_a_time(loss, np.stack([center] * 8))
    began = time.perf_counter()
    grid = geometry.plane_losses(loss, center, first, second, axis, axis)
    batched = time.perf_counter() - began
    grid_b, grid_a = np.meshgrid(axis, axis, indexing="ij")
    vectors = center + grid_a.reshape(-1, 1) * first + grid_b.reshape(-1, 1) * second
    began = time.perf_counter()
    looped = one_at_a_time(loss, vectors).reshape(grid.shape)
    plain = time.perf_counter() - began
    assert np.allclose(grid, looped, rtol=1e-4, equal_nan=True)
    began = time.perf_counter()
    found = geometry.top_hessian_eigenvalue(loss, center)
    hessian = time.perf_counter() - began
    print(f"{name:<34} {loss.size:>7,} {len(loss.inputs):>6} {batched:>9.3f} {plain:>9.3f} {plain / batched:>7.1f}x "
          f"{'vmap' if loss.vectorize else 'loop':>5} {hessian:>8.3f} ({found.iterations} HVPs)")


def main() -> None:
    torch.set_num_threads(1)
    print(f"{RESOLUTION} x {RESOLUTION} slice, seconds (batched = the library's way; loop = one forward per point)")
    print(f"{'network':<34} {'params':>7} {'points':>6} {'batched':>9} {'loop':>9} {'ratio':>8} {'way':>5} "
          f"{'λ_max s':>8}")
    circle = split("circle", 400, 0.1, 0, 0.2, 0.2)
    case("MLP 2-8-8-2 tanh, circle 240", build(MLPSpec(2, 2, (8, 8), "tanh"), 0), circle)
    big = split("spiral", 2000, 0.1, 0, 0.2, 0.2)
    case("MLP 2-64x3-2 relu BN, spiral 1200", build(MLPSpec(2, 2, (64, 64, 64), "relu", "he", "batch"), 0), big)
    digits = digits_split(0, 0.2, 0.2, 1000)
    case("CNN 8 channels, digits 600", build(CNNSpec(10, 8), 0), digits)


if __name__ == "__main__":
    main()
