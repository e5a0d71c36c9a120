"""Per-step time of the engine against torch.optim.Adam (default settings) on the same network and data.

A step is forward, backward and the update, full batch. The engine reads the gradients and writes the weights
through zero-copy views (optviz.nets.train.flat_views). Targets: <= 0.7x on a 2-16-16-2 MLP with 1 000 points,
<= 1.05x on a 2-64-64-64-2 MLP with 10 000 points. Ratios are measured in one run, interleaved.

Usage: python bench/nets.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optviz.lane import Lane
from optviz.nets.data import split
from optviz.nets.models import MLPSpec, build
from optviz.nets.train import flat_views, loss_function, torch_optimizer


def steps_per_second(spec: MLPSpec, points: int, engine: str, steps: int) -> float:
    data = split("spiral", points, 0.1, seed=0)
    inputs = torch.as_tensor(data.x_train, dtype=torch.float32)
    targets = torch.as_tensor(data.y_train)
    model = build(spec, 0)
    loss = loss_function("cross_entropy", "classification")
    lane = Lane("adam", (("lr", 1e-3),))
    if engine == "optviz":
        pipeline = lane.pipeline()
        values, grads = flat_views(model)
        state = pipeline.init(values)

        def step() -> None:
            grads.fill(0)
            loss(model(inputs), targets).backward()
            pipeline.step(values, grads, state)
    else:
        optimizer = torch_optimizer(lane, model.parameters()).optimizer

        def step() -> None:
            optimizer.zero_grad(set_to_none=False)
            loss(model(inputs), targets).backward()
            optimizer.step()
    for _ in range(20):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - started) / steps


def main() -> None:
    torch.set_num_threads(1)
    cases = [("2-16-16-2, 1 000 points", MLPSpec(2, 2, (16, 16)), 1667, 0.7),
             ("2-64-64-64-2, 10 000 points", MLPSpec(2, 2, (64, 64, 64)), 16667, 1.05)]
    print(f"{'network':<30} {'engine µs/step':>15} {'torch µs/step':>14} {'ratio':>7} {'target':>7}")
    for label, spec, points, target in cases:  # 60 % of the points are the training set
        ours, theirs = [], []
        for _ in range(3):
            ours.append(steps_per_second(spec, points, "optviz", 200))
            theirs.append(steps_per_second(spec, points, "torch", 200))
        engine, reference = min(ours), min(theirs)
        print(f"{label:<30} {engine * 1e6:>15.1f} {reference * 1e6:>14.1f} {engine / reference:>6.2f}x {target:>6.2f}x")


if __name__ == "__main__":
    main()
