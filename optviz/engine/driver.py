"""Run a pipeline on a differentiable function for many steps, for K runs at once.

Divergence is data: a run whose parameters or loss become non-finite, or whose parameters leave the box
|theta| <= bound, is stopped at that step (``diverged_at``) and its later rows are NaN; the other runs go on.

Runs that only need their end (``record=False``, as sweeps do) are cut into chunks of a few ten thousand runs
that each stay in the processor's cache for all their steps, and the chunks go to two threads: NumPy releases
the GIL inside its loops, so both cores work.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .core import Pipeline

DIVERGENCE_BOUND = 1e6
CHUNK_RUNS = 32768

ValueAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Trajectory:
    """What a batch of runs did, as arrays. Batch shape B, dimension d, steps S.

    positions (S+1, *B, d), start first; loss (S+1, *B); grad (S+1, *B, d); grad_norm (S+1, *B);
    lr (S, *B): the learning rate used at each step; state: the optimizer's buffers after each step,
    (S+1, *B, d) each, zeros at the start; diverged_at (*B): first step whose result was not finite or left the
    box, -1 if none; steps_to_tolerance (*B): first step below the tolerance, -1 if never (see ``run``).
    Rows from a run's divergence on are NaN.
    """

    positions: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    diverged_at: np.ndarray
    steps_to_tolerance: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Final:
    """The end of a batch of runs, without the path: final position and loss (NaN where the run diverged)."""

    position: np.ndarray
    loss: np.ndarray
    diverged_at: np.ndarray
    steps_to_tolerance: np.ndarray


def _bad_rows(params: np.ndarray, loss: np.ndarray, bound: float) -> np.ndarray:
    """Runs whose params are non-finite or outside the box, or whose loss is non-finite (NaN-safe)."""
    inside = np.abs(params).max(axis=-1) <= bound
    return ~(inside & np.isfinite(loss))


def _evaluate(value_and_grad: ValueAndGrad, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    loss, grad = value_and_grad(params)
    loss = np.asarray(loss, dtype=np.float64)
    grad = np.array(grad, dtype=np.float64)  # a fresh array: the pipeline uses it as scratch space
    return loss, grad


def run(
    pipeline: Pipeline,
    value_and_grad: ValueAndGrad,
    start: np.ndarray,
    steps: int,
    *,
    record: bool = True,
    record_state: bool = False,
    tolerance: float | None = None,
    f_star: float | None = None,
    bound: float = DIVERGENCE_BOUND,
    threads: int | None = None,
) -> Trajectory | Final:
    """Run `steps` updates from `start` (shape (*B, d)); a Trajectory, or with `record=False` a Final.

    steps_to_tolerance is the first step t with f(theta_t) - f_star < tolerance, or, when f_star is None,
    with ||grad f(theta_t)|| < tolerance. Hyperparameter arrays of the pipeline broadcast against B.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps = {steps!r} is out of range: allowed [0, inf) (an integer)")
    params = np.array(start, dtype=np.float64)
    if params.ndim == 0 or params.shape[-1] == 0:
        raise ValueError("start must have at least one coordinate")
    options = dict(tolerance=tolerance, f_star=f_star, bound=bound)
    if record:
        return _trajectory(pipeline, value_and_grad, params, int(steps), record_state, **options)
    return _final(pipeline, value_and_grad, params, int(steps), threads, **options)


def _final(pipeline, value_and_grad, params, steps, threads, **options) -> Final:
    batch_shape, dim = params.shape[:-1], params.shape[-1]
    count = int(np.prod(batch_shape, dtype=np.int64))
    if count <= CHUNK_RUNS:
        return _final_chunk(pipeline, value_and_grad, params, steps, **options)
    flat_params = params.reshape(count, dim)
    flat_pipeline = pipeline.map_batch(lambda value: np.broadcast_to(value, batch_shape).reshape(count))
    chunks = [slice(begin, min(begin + CHUNK_RUNS, count)) for begin in range(0, count, CHUNK_RUNS)]

    def work(chunk: slice) -> Final:
        part = flat_pipeline.map_batch(lambda value: value[chunk])
        return _final_chunk(part, value_and_grad, flat_params[chunk], steps, **options)

    workers = threads or min(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(work, chunks))
    return Final(
        np.concatenate([part.position for part in parts]).reshape(params.shape),
        np.concatenate([part.loss for part in parts]).reshape(batch_shape),
        np.concatenate([part.diverged_at for part in parts]).reshape(batch_shape),
        np.concatenate([part.steps_to_tolerance for part in parts]).reshape(batch_shape),
    )


def _final_chunk(pipeline, value_and_grad, params, steps, *, tolerance, f_star, bound) -> Final:
    params = params.copy()
    batch_shape = params.shape[:-1]
    state = pipeline.init(params)
    loss, grad = _evaluate(value_and_grad, params)
    diverged_at = np.full(batch_shape, -1, dtype=np.int64)
    reached = np.full(batch_shape, -1, dtype=np.int64)
    dead = _bad_rows(params, loss, bound)
    diverged_at[dead] = 0
    _mark_reached(reached, dead, loss, grad, 0, tolerance, f_star)
    for t in range(1, steps + 1):
        pipeline.step(params, grad, state)
        loss, grad = _evaluate(value_and_grad, params)
        newly = _bad_rows(params, loss, bound) & ~dead
        if newly.any():
            diverged_at[newly] = t
            dead |= newly
            params[dead] = np.nan
        _mark_reached(reached, dead, loss, grad, t, tolerance, f_star)
    return Final(params, np.where(dead, np.nan, loss), diverged_at, reached)


def _mark_reached(reached, dead, loss, grad, t, tolerance, f_star) -> None:
    if tolerance is None:
        return
    distance = loss - f_star if f_star is not None else np.sqrt(np.einsum("...i,...i->...", grad, grad))
    hit = (reached < 0) & ~dead & (distance < tolerance)
    reached[hit] = t


def _trajectory(pipeline, value_and_grad, params, steps, record_state, *, tolerance, f_star, bound) -> Trajectory:
    batch_shape = params.shape[:-1]
    state = pipeline.init(params)
    loss, grad = _evaluate(value_and_grad, params)
    diverged_at = np.full(batch_shape, -1, dtype=np.int64)
    reached = np.full(batch_shape, -1, dtype=np.int64)
    dead = _bad_rows(params, loss, bound)
    diverged_at[dead] = 0
    positions = np.full((steps + 1, *params.shape), np.nan)
    losses = np.full((steps + 1, *batch_shape), np.nan)
    grads = np.full((steps + 1, *params.shape), np.nan)
    lrs = np.full((steps, *batch_shape), np.nan)
    states: dict[str, np.ndarray] = {}
    if record_state:
        for name in pipeline.named_state(state):
            states[name] = np.full((steps + 1, *params.shape), np.nan)

    def note(t: int) -> None:
        _mark_reached(reached, dead, loss, grad, t, tolerance, f_star)
        alive = ~dead
        alive_rows = alive[..., None]
        np.copyto(positions[t], params, where=alive_rows)
        np.copyto(losses[t, ...], loss, where=alive)
        np.copyto(grads[t], grad, where=alive_rows)
        for name, buffer in pipeline.named_state(state).items():
            if name in states:
                np.copyto(states[name][t], buffer, where=alive_rows)

    note(0)
    for t in range(1, steps + 1):
        np.copyto(lrs[t - 1, ...], pipeline.lr_at(t), where=~dead)
        pipeline.step(params, grad, state)
        loss, grad = _evaluate(value_and_grad, params)
        newly = _bad_rows(params, loss, bound) & ~dead
        if newly.any():
            diverged_at[newly] = t
            dead |= newly
            params[dead] = np.nan
        note(t)
    grad_norm = np.sqrt(np.einsum("...i,...i->...", grads, grads))
    return Trajectory(positions, losses, grads, grad_norm, lrs, diverged_at, reached, states)
