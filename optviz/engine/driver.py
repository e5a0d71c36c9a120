"""Run a pipeline on a differentiable function for many steps, for K runs at once.

Shapes: ``run`` takes starts as points, shape (*B, d), and returns paths as points, (steps + 1, *B, d). Inside,
parameters are coordinate-major, (d, *B), and so is the function's protocol: ``value_and_grad(params)`` gets
params of shape (d, *B) and returns the loss, shape B, and a *new* gradient array of shape (d, *B) (the
pipeline writes into it). For a single start (d,), B is empty and p[0] is a NumPy scalar (cheap arithmetic).
Coordinate-major rows are contiguous, which makes both the surfaces' formulas and
the broadcasting of per-run hyperparameters several times faster than with points as rows.

A stochastic objective (one whose ``stochastic`` attribute is true, such as a data surface's mini-batch loss) is
called as ``value_and_grad(params, step=t, runs=r)``: t is the step whose update the gradient feeds (0 at the start)
and r (shape B, integers) says which runs these are, their flat index in the whole batch of starts, so that every
run draws its own batches and a chunk, or a working set from which diverged runs were dropped, draws exactly what
the whole batch would have drawn.

Divergence is data: a run whose parameters or loss become non-finite, or whose parameters leave the box
|theta| <= bound, is stopped at that step (``diverged_at``) and its later rows are NaN; the other runs go on.

Runs that only need their end (``record=False``, as sweeps do) are cut into chunks that stay in the processor's
cache for all their steps; from 2 x 65 536 runs on, chunks go to two threads (NumPy releases the GIL inside its
loops; for smaller arrays the hand-over of the GIL costs more than the second core brings), and a run that
diverges is parked and then dropped from its chunk's working arrays.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .core import Pipeline

DIVERGENCE_BOUND = 1e6
CHUNK_RUNS = 32768  # runs per chunk on one thread: a chunk's working arrays stay in a core's 4 MiB L2 cache
PARALLEL_CHUNK_RUNS = 65536  # the smallest chunk worth a second thread (measured: 1.9x at 131072 elements)
PROCESS_MIN_RUNS = 8192  # from this many runs on, a forked second process pays for its start

ValueAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
# pool(function, chunks, workers) -> [function(chunk) for chunk in chunks], computed by other processes
# (optviz.parallel.fork_map): the engine only cuts the work, it starts no process itself.
Pool = Callable[[Callable, list, int], list]


@dataclass
class Trajectory:
    """What a batch of runs did, as arrays. Batch shape B, dimension d, steps S.

    positions (S+1, *B, d), start first; loss (S+1, *B); grad (S+1, *B, d); grad_norm (S+1, *B);
    lr (S, *B): the learning rate used at each step; state: the optimizer's buffers after each step,
    (S+1, *B, d) each, their initial value first; diverged_at (*B): first step whose result was not finite or
    left the box, -1 if none; steps_to_tolerance (*B): first step below the tolerance, -1 if never (see
    ``run``). Rows from a run's divergence on are NaN (its lr stays for the step that diverged);
    diverged_position (*B, d): where the step that diverged took the run (what made it diverge: a point
    outside the box, or one where f is not finite), NaN for runs that did not diverge.
    """

    positions: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    diverged_at: np.ndarray
    steps_to_tolerance: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    diverged_position: np.ndarray | None = None


@dataclass
class Final:
    """The end of a batch of runs, without the path: position (*B, d) and loss (*B), NaN where a run diverged;
    diverged_at and steps_to_tolerance as in Trajectory; loss_at (C, *B): the loss after each of the C
    checkpoint steps asked for (NaN once diverged), None when none were asked for; loss_sum (*B): the sum of the
    loss over steps 0 … S (the area under the loss curve; NaN where a run diverged), None unless asked for."""

    position: np.ndarray
    loss: np.ndarray
    diverged_at: np.ndarray
    steps_to_tolerance: np.ndarray
    loss_at: np.ndarray | None = None
    loss_sum: np.ndarray | None = None


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
    pool: Pool | None = None,
    checkpoints=None,
    loss_sum: bool = False,
) -> Trajectory | Final:
    """Run `steps` updates from `start` (points, shape (*B, d)); a Trajectory, or with `record=False` a Final.

    steps_to_tolerance is the first step t with f(theta_t) - f_star < tolerance, or, when f_star is None,
    with ||grad f(theta_t)|| < tolerance. Hyperparameter arrays of the pipeline broadcast against B.
    With `record=False`, `threads` caps the workers, and a `pool` (optviz.parallel.fork_map) gives the chunks to
    processes instead of threads (no GIL to share: for a single-threaded program such as the command line).
    `checkpoints` (record=False): steps after which every run's loss is kept as well (Final.loss_at).
    `loss_sum` (record=False): every run's loss summed over its steps as well (Final.loss_sum: one addition per step).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps = {steps!r} is out of range: allowed [0, inf) (an integer)")
    points = np.asarray(start, dtype=np.float64)
    if points.ndim == 0 or points.shape[-1] == 0:
        raise ValueError("start must have at least one coordinate")
    params = np.moveaxis(points, -1, 0).copy(order="C")  # never the caller's array: it is updated in place
    options = dict(tolerance=tolerance, f_star=f_star, bound=bound)
    if not record:
        options["checkpoints"] = None if checkpoints is None else np.asarray(checkpoints, dtype=np.int64)
        options["loss_sum"] = loss_sum
    # A run that blows up overflows on its way out; that is reported as diverged_at, not as a warning.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if record:
            result = _trajectory(pipeline, value_and_grad, params, int(steps), record_state, **options)
        else:
            result = _final(pipeline, value_and_grad, params, int(steps), threads, pool, **options)
    return result


def _evaluate(value_and_grad: ValueAndGrad, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    loss, grad = value_and_grad(params)
    if type(loss) is not np.float64 and (type(loss) is not np.ndarray or loss.dtype != np.float64):
        loss = np.asarray(loss, dtype=np.float64)
    if type(grad) is not np.ndarray or grad.dtype != np.float64:
        grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != params.shape:
        raise ValueError(f"the gradient has shape {grad.shape}, the parameters {params.shape}")
    return loss, grad


def _stochastic(value_and_grad: ValueAndGrad) -> bool:
    return bool(getattr(value_and_grad, "stochastic", False))


def _bad_runs(params: np.ndarray, loss: np.ndarray, bound: float, scratch: np.ndarray) -> np.ndarray:
    """Per run: params non-finite or outside the box, or loss non-finite (NaN-safe comparisons).

    For a few coordinates the largest |theta_i| is taken row by row: NumPy's max over a short axis 0 costs
    about 15 ns per run, the row loop about 1 ns.
    """
    np.abs(params, out=scratch)
    if params.ndim == 1:  # one run
        largest = scratch.max()
    elif params.shape[0] <= 16:
        largest = scratch[0].copy()
        for row in scratch[1:]:
            np.maximum(largest, row, out=largest)
    else:
        largest = scratch.max(axis=0)
    return ~((largest <= bound) & np.isfinite(loss))


def _diverged(params: np.ndarray, loss: np.ndarray, bound: float, scratch: np.ndarray) -> np.ndarray | None:
    """None when every run is fine (the common case, two passes over memory), else the per-run mask."""
    if params.size <= 8:
        # One small run (a playground path): plain floats beat four NumPy calls by a few microseconds a step.
        if all(abs(value) <= bound for value in params.flat) and all(math.isfinite(v) for v in loss.flat):
            return None
        return _bad_runs(params, loss, bound, scratch)
    if params.size and -bound <= params.min() and params.max() <= bound and np.isfinite(loss.sum()):
        return None  # two reductions, nothing written; NaN fails both comparisons
    return _bad_runs(params, loss, bound, scratch)


def _gradient_below(grad: np.ndarray, tolerance: float) -> np.ndarray:
    """Per run: ||grad|| < tolerance (the tolerance test when f_star is not known)."""
    return np.sqrt(np.einsum("i...,i...->...", grad, grad)) < tolerance


def _final(pipeline, value_and_grad, params, steps, threads, pool, **options) -> Final:
    dim, batch_shape = params.shape[0], params.shape[1:]
    count = int(np.prod(batch_shape, dtype=np.int64))
    flat = params.reshape(dim, count)
    flat_pipeline = pipeline.map_batch(lambda value: np.broadcast_to(value, batch_shape).reshape(count))
    workers = threads or min(2, os.cpu_count() or 1)
    if count < (PROCESS_MIN_RUNS if pool is not None else 2 * PARALLEL_CHUNK_RUNS):
        workers = 1
    if workers == 1:
        size = CHUNK_RUNS
    elif pool is not None:  # processes share no GIL: cache-sized chunks, as many as needed to give every worker one
        size = min(CHUNK_RUNS, -(-count // workers))
    else:
        # Equal chunks, a multiple of the workers in number, each large enough that NumPy's calls outlast
        # the hand-over of the GIL between threads (with small arrays two threads are slower than one).
        parts = max(workers, count // PARALLEL_CHUNK_RUNS // workers * workers)
        size = -(-count // parts)
    chunks = [slice(begin, min(begin + size, count)) for begin in range(0, count, size)] or [slice(0, 0)]

    def work(chunk: slice) -> Final:
        part = flat_pipeline.map_batch(lambda value: value[chunk])
        return _final_chunk(part, value_and_grad, np.ascontiguousarray(flat[:, chunk]), steps, first_run=chunk.start,
                            **options)

    if len(chunks) == 1 or workers == 1:
        results = [work(chunk) for chunk in chunks]
    elif pool is not None:
        results = pool(work, chunks, workers)
    else:
        with ThreadPoolExecutor(max_workers=workers) as executor:
            results = list(executor.map(work, chunks))
    position = np.concatenate([result.position for result in results], axis=1)
    return Final(
        np.moveaxis(position.reshape(dim, *batch_shape), 0, -1),
        np.concatenate([result.loss for result in results]).reshape(batch_shape),
        np.concatenate([result.diverged_at for result in results]).reshape(batch_shape),
        np.concatenate([result.steps_to_tolerance for result in results]).reshape(batch_shape),
        None if results[0].loss_at is None else np.concatenate(
            [result.loss_at for result in results], axis=1).reshape(-1, *batch_shape),
        None if results[0].loss_sum is None else np.concatenate(
            [result.loss_sum for result in results]).reshape(batch_shape),
    )


def _final_chunk(pipeline, value_and_grad, params, steps, *, tolerance, f_star, bound, checkpoints=None,
                 loss_sum: bool = False, first_run: int = 0) -> Final:
    """Runs of one chunk, params (d, n), to their end; `position` comes back coordinate-major, (d, n).

    A run that diverges is parked: its parameters and buffers are set to zero, so that it cannot keep the
    cheap all-runs-fine check failing, and once a quarter of the working runs are parked they are dropped
    from the working arrays (state and hyperparameters too), so the runs left stop paying for them.
    """
    count = params.shape[1]
    final_position = np.full(params.shape, np.nan)
    final_loss = np.full(count, np.nan)
    diverged_at = np.full(count, -1, dtype=np.int64)
    reached = np.full(count, -1, dtype=np.int64)
    loss_at = None if checkpoints is None else np.full((len(checkpoints), count), np.nan)
    rows = np.arange(count)  # the chunk column of each working column
    parked = np.zeros(count, dtype=bool)
    unreached = np.ones(count, dtype=bool)
    reached_here = np.full(count, -1, dtype=np.int64)
    area = np.full(count, np.nan) if loss_sum else None
    area_here = np.zeros(count) if loss_sum else None
    params = params.copy()
    scratch = np.empty_like(params)
    state = pipeline.init(params)
    stochastic = _stochastic(value_and_grad)
    loss, grad = _evaluate(value_and_grad, params) if not stochastic else _evaluate(
        partial(value_and_grad, step=0, runs=first_run + rows), params)
    t = 0
    while True:
        bad = _diverged(params, loss, bound, scratch)
        if bad is not None:
            newly = bad & ~parked
            diverged_at[rows[newly]] = t
            parked |= bad
            unreached &= ~bad
            where = np.flatnonzero(bad)  # few runs: integer indexing beats a boolean mask over all of them
            params[:, where] = 0.0
            grad[:, where] = 0.0
            state = _map_runs(state, bad.size, lambda array, where=where: _zero_runs(array, where))
            if parked.sum() * 4 >= parked.size:
                keep = np.flatnonzero(~parked)
                reached[rows] = reached_here
                rows, loss, parked = rows[keep], loss[keep], parked[keep]
                reached_here, unreached = reached_here[keep], unreached[keep]
                if area_here is not None:
                    area_here = area_here[keep]
                params, grad = params[:, keep], grad[:, keep]
                scratch = np.empty_like(params)
                state = _map_runs(state, bad.size, lambda array, keep=keep: np.ascontiguousarray(array[..., keep]))
                pipeline = pipeline.map_batch(lambda value, keep=keep: value[keep])
        if area_here is not None:
            area_here += loss  # a parked run's sum is garbage from here on; it is never read
        if loss_at is not None:
            for index in np.flatnonzero(checkpoints == t):
                loss_at[index, rows] = np.where(parked, np.nan, loss)
        if tolerance is not None:
            if f_star is not None:  # a single comparison: this runs at every step of every run
                hit = np.less(loss, f_star + tolerance, out=np.empty(len(rows), dtype=bool))
            else:
                hit = _gradient_below(grad, tolerance)
            hit &= unreached
            if hit.any():
                reached_here[hit] = t
                unreached &= ~hit
        if t == steps or len(rows) == 0:
            break
        pipeline.step(params, grad, state)
        t += 1
        loss, grad = _evaluate(value_and_grad, params) if not stochastic else _evaluate(
            partial(value_and_grad, step=t, runs=first_run + rows), params)
    reached[rows] = reached_here
    alive = ~parked
    final_position[:, rows[alive]] = params[:, alive]
    final_loss[rows[alive]] = loss[alive]
    if area is not None:
        area[rows[alive]] = area_here[alive]
    return Final(final_position, final_loss, diverged_at, reached, loss_at, area)


def _zero_runs(array: np.ndarray, runs: np.ndarray) -> np.ndarray:
    array[..., runs] = 0
    return array


def _map_runs(state: dict, count: int, function) -> dict:
    """`function` applied to every state array whose last axis is the batch of `count` runs."""

    def apply(value):
        if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == count:
            return function(value)
        return value

    return {**state, "links": [{key: apply(value) for key, value in link.items()} for link in state["links"]]}


def _trajectory(pipeline, value_and_grad, params, steps, record_state, *, tolerance, f_star, bound) -> Trajectory:
    """Every step recorded. Divergence is found afterwards, in one pass over the recorded rows: a run that blew up
    just goes on with NaN, which costs nothing and saves a check per step (a few µs for one small run)."""
    batch_shape = params.shape[1:]
    state = pipeline.init(params)
    runs = np.arange(int(np.prod(batch_shape, dtype=np.int64))).reshape(batch_shape)
    stochastic = _stochastic(value_and_grad)
    loss, grad = _evaluate(value_and_grad, params) if not stochastic else _evaluate(
        partial(value_and_grad, step=0, runs=runs), params)
    # Recorded coordinate-major, (S+1, d, *B); turned into points once at the end.
    positions = np.empty((steps + 1, *params.shape))
    losses = np.empty((steps + 1, *batch_shape))
    grads = np.empty((steps + 1, *params.shape))
    lrs = np.empty((steps, *batch_shape))
    buffers = pipeline.named_state(state) if record_state else {}
    states = {name: np.empty((steps + 1, *params.shape)) for name in buffers}
    constant_lr = pipeline.schedule is None
    if constant_lr:
        lrs[...] = pipeline.base_lr
    positions[0], losses[0], grads[0] = params, loss, grad
    for name, buffer in buffers.items():
        states[name][0] = buffer
    for t in range(1, steps + 1):
        if not constant_lr:
            lrs[t - 1] = pipeline.lr_at(t)
        pipeline.step(params, grad, state)
        loss, grad = _evaluate(value_and_grad, params) if not stochastic else _evaluate(
            partial(value_and_grad, step=t, runs=runs), params)
        positions[t] = params
        losses[t] = loss
        grads[t] = grad
        if buffers:
            for name, buffer in buffers.items():
                states[name][t] = buffer
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(positions).max(axis=1) <= bound) & np.isfinite(losses))
    dead = bad.any(axis=0)
    diverged_at = np.where(dead, bad.argmax(axis=0), -1).astype(np.int64)

    def points(history: np.ndarray) -> np.ndarray:
        return np.moveaxis(history, 1, -1)

    positions, grads = points(positions), points(grads)
    states = {name: points(history) for name, history in states.items()}
    # Where each diverged run went, kept before its row becomes NaN (the explanation reads it).
    diverged_position = np.take_along_axis(positions, np.maximum(diverged_at, 0)[None, ..., None], axis=0)[0]
    diverged_position = np.where(dead[..., None], diverged_position, np.nan)
    if dead.any():
        after = np.arange(steps + 1).reshape(-1, *([1] * len(batch_shape))) >= diverged_at
        after &= dead
        positions[after] = np.nan
        losses[after] = np.nan
        grads[after] = np.nan
        lrs[after[:-1]] = np.nan  # the step that diverged keeps its learning rate
        for history in states.values():
            history[after] = np.nan
    grad_norm = np.sqrt(np.einsum("...i,...i->...", grads, grads))
    reached = np.full(batch_shape, -1, dtype=np.int64)
    if tolerance is not None:
        # After the loop, over the recorded rows (NaN rows never count): the first step below the tolerance.
        with np.errstate(invalid="ignore"):
            below = (losses - f_star < tolerance) if f_star is not None else (grad_norm < tolerance)
        reached = np.where(below.any(axis=0), below.argmax(axis=0), -1).astype(np.int64)
    return Trajectory(positions, losses, grads, grad_norm, lrs, diverged_at, reached, states, diverged_position)
