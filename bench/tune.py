"""Tuning speed, measured in one run (this machine is noisy: compare the ratios, not the absolute times).

Issue 19's target: tuning 5 lanes x 200 learning rates x 1 000 steps takes <= 1 s of server time. Five lanes at
their default settings (SGD, Momentum, Nesterov, Adam, RMSProp) are each tuned by optviz.tune.tune as a "Tune all
lanes" press runs them on a server (threads, one engine call per lane), on Rosenbrock from (-1.5, 2) and on the
quadratic x² + 10y² from (-4, 3):

- the learning rate alone (second=False): 200 rates per lane;
- with the default joint grids (60 rates x 20 values of β for Momentum, Nesterov and Adam: 1 200 points; SGD and
  RMSProp tune their rate alone, 200 points);

from the start alone and from 16 starts. Per lane: the best of N runs; all five lanes one after the other (a
"Tune all" press): the best of N runs, and its ratio to the 1 s target.

Usage: python bench/tune.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best_of

from optviz import tune
from optviz.parallel import tune_allocator
from optviz.runs import lane_from_settings
from optviz.surfaces import surface

LANES = ("sgd", "momentum", "nesterov", "adam", "rmsprop")
SURFACES = (("rosenbrock", (-1.5, 2.0)), ("quadratic:a=1,b=10", (-4.0, 3.0)))
TARGET_SECONDS = 1.0


def grid_label(result: tune.Tuning) -> str:
    return str(len(result.lr)) if result.second is None else f"{len(result.lr)}x{len(result.second)}"


def measure(name: str, start, steps: int, starts: int, joint: bool, repeats: int) -> None:
    chosen = surface(name)
    lanes = {optimizer: lane_from_settings(optimizer, {}) for optimizer in LANES}

    def tune_one(optimizer):
        # lr alone: the 200-point grid (lr_grid's default for second=False)
        return tune.tune(chosen, lanes[optimizer], start, steps, starts=starts, second=joint)

    def tune_all():
        return [tune_one(optimizer) for optimizer in LANES]

    results = tune_all()
    print(f"   {'lane':<10} {'grid':>6} {'runs':>7} {'seconds':>8} {'ns/run-step':>12} {'best':>28}")
    for optimizer, result in zip(LANES, results, strict=True):
        seconds = best_of(repeats, lambda optimizer=optimizer: tune_one(optimizer))
        runs = result.score.size * starts
        chosen_setting = ", ".join(f"{key}={value:g}" for key, value in result.settings().items())
        print(f"   {optimizer:<10} {grid_label(result):>6} {runs:>7,} {seconds:>8.3f}"
              f" {seconds / runs / steps * 1e9:>12.1f} {chosen_setting:>28}")
    total = best_of(repeats, tune_all)
    runs = sum(result.score.size for result in results) * starts
    print(f"   all five lanes, one after the other: {total:.3f} s for {runs:,} runs x {steps} steps"
          f" = {total / TARGET_SECONDS:.2f}x the {TARGET_SECONDS:g} s target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 steps and 2 repeats: a smoke run")
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    steps = 200 if arguments.quick else 1000
    repeats = 2 if arguments.quick else arguments.repeats
    tune_allocator()
    print(f"Tuning 5 lanes on a 2-D surface, {steps} steps, threads (as a server runs it), best of {repeats}")
    section = 0
    for starts in (1, 16):
        for joint in (False, True):
            for name, start in SURFACES:
                section += 1
                grids = "default joint grids (lr x β where the registry says)" if joint else "lr alone, 200 rates"
                where = "from the start" if starts == 1 else f"from {starts} starts"
                print(f"{section}. {name} from {start}, {grids}, {where}")
                measure(name, start, steps, starts, joint, repeats)


if __name__ == "__main__":
    main()
