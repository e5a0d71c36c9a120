"""Sweep throughput, measured in one run: nanoseconds per run-step (compare ratios; this machine is noisy).

1. In the library (threads, as the app runs them): heavy ball and Adam on a quadratic, 10^4 and 10^6 runs,
   lr x momentum (or lr x beta1) grids, every run with its own hyperparameters.
2. Through the command line, as a user runs it: Adam on Rosenbrock over a 500 x 500 grid (250 000 runs),
   start-up and output subtracted by timing the same command with --steps 0. Target: <= 12 ns per run-step.

Usage: python bench/sweeps.py [--quick]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import best_of  # noqa: E402

from optviz.parallel import tune_allocator  # noqa: E402
from optviz.runs import Axis, lane_from_settings, sweep  # noqa: E402
from optviz.surfaces import surface  # noqa: E402


def library(quick: bool) -> None:
    chosen = surface("quadratic:a=1,b=10")
    print("1. Library sweeps on a quadratic (threads), ns per run-step")
    print(f"   {'optimizer':<12} {'runs':>10} {'steps':>6} {'seconds':>8} {'ns/run-step':>12}")
    for name, second_axis in (("momentum", "momentum"), ("adam", "beta1")):
        lane = lane_from_settings(name, {})
        for side in (100, 1000):
            steps = 500 if side == 100 else (20 if quick else 100)
            x = Axis.make("lr", 1e-3, 0.2, side, log=True)
            y = Axis.make(second_axis, 0.0, 0.99, side)
            seconds = best_of(2, lambda lane=lane, x=x, y=y, steps=steps: sweep(chosen, lane, x, y, (-4, 3), steps))
            runs = side * side
            print(f"   {name:<12} {runs:>10,} {steps:>6} {seconds:>8.3f} {seconds / runs / steps * 1e9:>12.1f}")
    for name, second_axis, target in (("momentum", "momentum", 0.1), ("adam", "beta1", 1.0)):
        lane = lane_from_settings(name, {})
        x, y = Axis.make("lr", 1e-3, 0.2, 200, log=True), Axis.make(second_axis, 0.0, 0.99, 200)
        threaded = best_of(3, lambda lane=lane, x=x, y=y: sweep(chosen, lane, x, y, (-4, 3), 500))
        forked = best_of(3, lambda lane=lane, x=x, y=y: sweep(chosen, lane, x, y, (-4, 3), 500, processes=True))
        print(f"   {name}, 200 x 200 grid x 500 steps: threads {threaded:.3f} s, forked halves {forked:.3f} s"
              f" (the landscape page forks; target <= {target} s)")


def command_line(quick: bool) -> None:
    steps = 50 if quick else 200
    command = [sys.executable, "-m", "optviz", "sweep", "--surface", "rosenbrock", "--optimizer", "adam",
               "--x", "lr=0.001:0.1:500:log", "--y", "beta1=0:0.99:500", "--start", "-1.5,2"]

    def timed(count):
        started = time.perf_counter()
        subprocess.run([*command, "--steps", str(count)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started

    empty = min(timed(0) for _ in range(2))
    full = min(timed(steps) for _ in range(2))
    per = (full - empty) / (250_000 * steps) * 1e9
    print("2. Command line: Adam on Rosenbrock, 500 x 500 grid = 250 000 runs")
    print(f"   --steps 0: {empty:.2f} s   --steps {steps}: {full:.2f} s   -> {per:.1f} ns per run-step (target <= 12)")


def main() -> None:
    quick = "--quick" in sys.argv
    tune_allocator()
    library(quick)
    command_line(quick)


if __name__ == "__main__":
    main()
