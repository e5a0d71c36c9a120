"""Engine speed, measured in one run (this machine is noisy: compare the ratios, not the absolute times).

1. One 2D trajectory on Rosenbrock: microseconds per step of the engine (gradient and recording included)
   against torch.optim driven by autograd. Target: the engine at least 20x faster per step.
2. Vectorized Adam over K runs (float64, d = 2): nanoseconds per run-step, for the bare update
   (Pipeline.step with a given gradient) and for whole runs on a quadratic (run(..., record=False): gradient,
   divergence checks, chunks in cache, two threads). Target: <= 12 ns per run-step at K = 10^6.

Usage: python bench/engine.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best_of

from optviz.engine import OPTIMIZERS, build, run
from optviz.surfaces import surface

# Each optimizer at its playground learning rate (its registry entry's page defaults), from the playground's start.
LEARNING_RATES = {name: entry.page.playground_lr for name, entry in OPTIMIZERS.items()}


rosenbrock = surface("rosenbrock").value_and_grad  # the app's own surface, analytic gradient


def quadratic(params):
    """x² + 10y², params (2, *B)."""
    x, y = params[0], params[1]
    grad = np.empty_like(params)
    np.multiply(x, 2.0, out=grad[0])
    np.multiply(y, 20.0, out=grad[1])
    return x * x + 10 * y * y, grad


def torch_steps(name, steps):
    import torch

    def go():
        params = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        # the reference the registry builds for this optimizer: its torch.optim class, with the same settings
        optimizer = OPTIMIZERS[name].build_reference(torch, [params], {"lr": LEARNING_RATES[name]})
        path = []
        for _ in range(steps):
            optimizer.zero_grad()
            x, y = params[0], params[1]
            loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
            loss.backward()
            optimizer.step()
            path.append(params.detach().numpy().copy())
        return path

    return go


def trajectories(steps, repeats):
    print(f"1. One 2D trajectory on Rosenbrock, {steps} steps (best of {repeats})")
    print(f"   {'optimizer':<10} {'engine µs/step':>15} {'torch µs/step':>14} {'speed-up':>9}")
    for name in OPTIMIZERS:
        def engine(name=name):
            return run(build(name, {"lr": LEARNING_RATES[name]}), rosenbrock, np.array([-1.5, 2.0]), steps)

        ours = best_of(repeats, engine) / steps * 1e6
        theirs = best_of(repeats, torch_steps(name, steps)) / steps * 1e6
        print(f"   {name:<10} {ours:>15.2f} {theirs:>14.2f} {theirs / ours:>8.1f}x")


def vectorized(counts, steps_for):
    print("2. Vectorized Adam, float64, d = 2: ns per run-step")
    print(f"   {'K runs':>9} {'bare update':>12} {'whole run (quadratic)':>22}")
    for count in counts:
        steps = steps_for(count)
        generator = np.random.default_rng(0)
        starts = generator.normal(size=(count, 2))

        def bare(starts=starts, steps=steps):
            pipeline = build("adam", {"lr": 0.01})
            params = starts.T.copy()  # the engine's layout: coordinates first
            state = pipeline.init(params)
            grads = params.copy()
            for _ in range(steps):
                pipeline.step(params, grads, state)

        def whole(starts=starts, steps=steps):
            run(build("adam", {"lr": 0.01}), quadratic, starts, steps, record=False)

        bare_ns = best_of(2, bare) / steps / count * 1e9
        whole_ns = best_of(2, whole) / steps / count * 1e9
        print(f"   {count:>9,} {bare_ns:>12.1f} {whole_ns:>22.1f}")


def main():
    quick = "--quick" in sys.argv
    trajectories(steps=200 if quick else 1000, repeats=2 if quick else 3)
    vectorized([10**4, 10**6], (lambda count: 20) if quick else (lambda count: 2000 if count <= 10**4 else 50))


if __name__ == "__main__":
    main()
