"""What mini-batches cost on a data surface (optviz/surfaces/data.py), as ratios measured in one run.

- one SGD path of 1 000 steps on linear regression's 100 points: mini-batch of 10 (without and with replacement)
  and SGD (batch 1) against full-batch gradient descent, and against one step of the Rosenbrock surface;
- a 100 x 100 sweep (lr x momentum, 300 steps) with mini-batches of 10 against the same sweep with the full batch;
- the playground's batch-size lesson (three batch sizes, the noise ball) at 10 epochs.

Usage: python bench/data_surfaces.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optviz.batches import batch_race, noise_ball
from optviz.runs import Axis, lane_from_settings, run_lane, sweep
from optviz.surfaces import surface


def best_of(function, repeats: int = 5) -> float:
    """The median wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    lane = lane_from_settings("sgd", {"lr": 0.05})
    steps = 1000
    step_us = {}
    for name in ("rosenbrock", "linreg", "linreg:batch=10", "linreg:batch=10,replace=1", "linreg:batch=1"):
        chosen = surface(name)
        start = chosen.starts[0]
        step_us[name] = best_of(lambda chosen=chosen, start=start: run_lane(chosen, lane, start, steps)) / steps * 1e6
    full = step_us["linreg"]
    print("one path, µs per step (ratio to full-batch linear regression):")
    for name, value in step_us.items():
        print(f"  {name:<28} {value:7.1f}  ({value / full:.1f}x)")
    momentum = lane_from_settings("momentum", {"lr": 0.1, "momentum": 0.5})
    axes = (Axis.make("lr", 0.01, 0.3, 100, log=True), Axis.make("momentum", 0.0, 0.9, 100))
    sweep_s = {name: best_of(lambda name=name: sweep(surface(name), momentum, *axes, (-1.0, 2.0), 300), 1)
               for name in ("linreg", "linreg:batch=10")}
    print(f"100 x 100 sweep x 300 steps: full batch {sweep_s['linreg']:.2f} s, mini-batch of 10 "
          f"{sweep_s['linreg:batch=10']:.2f} s ({sweep_s['linreg:batch=10'] / sweep_s['linreg']:.0f}x)")
    lesson = best_of(lambda: (batch_race("linreg:batch=10", lane, (-1.0, 2.0), 10),
                              noise_ball("linreg:batch=10", lane, (-1.0, 2.0), 10)), 3)
    print(f"batch-size lesson, 10 epochs (16 + 64 + 64 runs): {lesson:.2f} s")


if __name__ == "__main__":
    main()
