"""Long computations (network trainings, network landscapes) in a bounded pool of worker processes, first come
first served, so that they cannot starve the server.

Why processes: a Streamlit server runs every session's script in a thread of one Python process, so a training in
a script holds the interpreter that every other learner's slider move needs (bench/load.py measured a class of 20
waiting seconds per move while others trained). Here a training is a *job*: a top-level function and plain
(picklable) arguments, run by `concurrent.futures.ProcessPoolExecutor` in another process; its result comes back
pickled, the same numbers as if it had run in the server (the same function on the same arguments, one torch
thread).

- **Workers** fork from a *forkserver*: a small process started once, single-threaded, that has imported the
  training code (and torch) once; a worker is a copy of it, not of the threaded server. Workers run at a lower
  priority (nice 10), so on a busy machine the learners' reruns come first and the trainings take the rest.
- **How many**: `OPTVIZ_WORKERS` (a number), else one per core the process may use. `OPTVIZ_WORKERS=0` runs each job
  at once in the calling thread (no processes; the tests of the pages and the command line use it).
- **Progress and cancelling** go through shared memory, not messages: each job in flight has a slot of a few
  doubles (started, fraction done, run, epoch) that the worker writes and the server reads, and a cancel flag the
  worker reads between epochs.
- **Queue**: at most `SLOTS` jobs in flight (queued or running) per server; beyond that `BusyError` is raised (the page
  says "try again in a minute"). A job whose owner is gone (its `alive()` has answered False, e.g. the browser tab
  was closed, for `ABANDONED_SECONDS`) is cancelled, so a closed tab does not hold a worker.

A job's function is called as `function(*args, progress=Progress)`; it reports with `progress(fraction, run,
epoch)` and, when `progress.cancelled` turns true, stops early and returns what it has finished (a job cancelled
before it started raises CancelledError instead).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

LOGGER = logging.getLogger("optviz.jobs")

SLOTS = 256  # jobs in flight (queued or running) at once per server
FIELDS = 4  # per slot: when it started (time.time(); 0: not yet), fraction done, run number, epoch
NICENESS = 10  # workers yield the cores to the server's reruns
ABANDONED_SECONDS = 60.0  # a job whose owner has been gone this long is cancelled
PRELOAD = ("optviz.nets.tasks", "optviz.nets.train", "optviz.nets.landscape")  # imported once by the forkserver:
# every worker starts with torch and the training code loaded


class BusyError(RuntimeError):
    """Every slot of the queue is taken."""


class CancelledError(RuntimeError):
    """The job was cancelled before it finished."""


def worker_count() -> int:
    """OPTVIZ_WORKERS if set (0: no processes), else the cores this process may use."""
    setting = os.environ.get("OPTVIZ_WORKERS", "").strip()
    if setting:
        try:
            return max(0, int(setting))
        except ValueError:
            LOGGER.warning("OPTVIZ_WORKERS=%r is not a whole number; using one worker per core", setting)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------------------------------------ in the worker
_SHARED: tuple | None = None  # (values, flags) of the pool that started this worker


def _start_worker(values, flags, niceness: int, server: int) -> None:
    global _SHARED
    _SHARED = (values, flags)
    with contextlib.suppress(OSError):  # not allowed here: run at the server's priority
        os.nice(niceness)
    threading.Thread(target=_watch, args=(server,), name="optviz-watch-server", daemon=True).start()


def _watch(server: int, period: float = 2.0) -> None:
    """End this worker, and the forkserver it came from, once the server process is gone (killed with SIGKILL,
    say: nothing else would tell them, and each holds a few hundred MB)."""
    while True:
        time.sleep(period)
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            parent = os.getppid()
            if parent not in (1, server):
                with contextlib.suppress(OSError):
                    os.kill(parent, signal.SIGTERM)
            os._exit(0)
        except PermissionError:  # a process of another user took the number: ours is gone
            os._exit(0)


class Progress:
    """A job's progress report and cancel flag: shared memory in a worker, a local array when run inline."""

    def __init__(self, slot: int, values=None, flags=None,
                 listener: Callable[[float, int, int], None] | None = None) -> None:
        self.slot = slot
        self.values = values
        self.flags = flags
        self.listener = listener

    def start(self) -> None:
        self.values[self.slot * FIELDS] = time.time()

    def __call__(self, fraction: float, run: int = 0, epoch: int = 0) -> None:
        base = self.slot * FIELDS
        self.values[base + 1] = min(max(float(fraction), 0.0), 1.0)
        self.values[base + 2] = run
        self.values[base + 3] = epoch
        if self.listener is not None:
            self.listener(fraction, run, epoch)

    @property
    def cancelled(self) -> bool:
        return bool(self.flags[self.slot])


def _run(function: Callable, slot: int, args: tuple):
    """What a worker runs: the job's function with its Progress (nothing at all if it was cancelled meanwhile)."""
    values, flags = _SHARED
    progress = Progress(slot, values, flags)
    if progress.cancelled:
        raise CancelledError
    progress.start()
    return function(*args, progress=progress)  # cancelled while running: what it had finished


# ------------------------------------------------------------------------------------------------ in the server
@dataclass(frozen=True)
class Status:
    """Where a job stands: `position` 0 running (or done), n ≥ 1 the n-th in the queue; `wait` the seconds until it
    starts (an estimate, 0 when running), `left` the seconds until it ends (an estimate)."""

    position: int
    fraction: float
    run: int
    epoch: int
    wait: float
    left: float


class Job:
    """One submitted computation. `estimate` is how long it should take once started (seconds)."""

    def __init__(self, pool: Pool, number: int, slot: int, estimate: float, future: Future,
                 alive: Callable[[], bool] | None = None) -> None:
        self.pool = pool
        self.number = number
        self.slot = slot
        self.estimate = max(float(estimate), 0.01)
        self.future = future
        self.submitted = time.monotonic()
        self.started: float | None = None  # time.time() when a worker began it
        self.alive = alive
        self.seen_at = self.submitted  # when its owner was last known to be there
        self.context: dict = {}  # the submitter's own notes (what the job computes, for its page)
        self.cancel_requested = False

    def done(self) -> bool:
        return self.future.done()

    def cancel(self) -> None:
        """Out of the queue; or, running, stop at its next report (its result is then what it had finished)."""
        self.cancel_requested = True
        self.pool.cancel(self)

    def result(self):
        """The function's result; raises what it raised, CancelledError (cancelled before it started), or
        BrokenProcessPool (its worker died)."""
        try:
            return self.future.result()
        except concurrent.futures.CancelledError:
            raise CancelledError from None

    def status(self) -> Status:
        return self.pool.status(self)


class Pool:
    """A bounded process pool with a visible queue (see the module's docstring). `workers=0` runs jobs inline."""

    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = PRELOAD) -> None:
        self.workers = worker_count() if workers is None else workers
        self.preload = preload
        self.lock = threading.Lock()
        self.values = self.flags = None
        self.executor: ProcessPoolExecutor | None = None
        self.jobs: dict[int, Job] = {}  # in flight, by number (submission order)
        self.free = list(range(SLOTS - 1, -1, -1))
        self.numbers = itertools.count()

    # -------------------------------------------------------------- the executor, created at the first job
    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(self.preload))
            if self.values is None:
                self.values = context.Array("d", SLOTS * FIELDS, lock=False)
                self.flags = context.Array("b", SLOTS, lock=False)
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                                initargs=(self.values, self.flags, NICENESS, os.getpid()))
        return self.executor

    def start(self) -> None:
        """Start the forkserver and the workers now (a server calls this at start-up, so that the first training
        does not wait for torch to load)."""
        if self.workers == 0:
            return
        with self.lock:
            executor = self._executor()
        for future in [executor.submit(_warm) for _ in range(self.workers)]:
            future.result()

    def shutdown(self) -> None:
        with self.lock:
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None

    # -------------------------------------------------------------- jobs
    def submit(self, function: Callable, *args, estimate: float = 1.0, alive: Callable[[], bool] | None = None,
               listener: Callable[[float, int, int], None] | None = None) -> Job:
        """Queue `function(*args, progress=…)` (a top-level function; picklable arguments). `alive()` tells whether
        whoever waits for it is still there. Inline pools run it now, calling `listener(fraction, run, epoch)` on
        each report. Raises BusyError when SLOTS jobs are in flight."""
        self._forget_abandoned()
        with self.lock:
            if not self.free:
                raise BusyError(f"{SLOTS} computations are queued or running")
            slot = self.free.pop()
            number = next(self.numbers)
            if self.workers == 0:
                future: Future = Future()
                job = Job(self, number, slot, estimate, future, alive)
                self.jobs[number] = job
            else:
                executor = self._executor()
                self.values[slot * FIELDS:(slot + 1) * FIELDS] = [0.0] * FIELDS
                self.flags[slot] = 0
                try:
                    future = executor.submit(_run, function, slot, args)
                except BrokenProcessPool:  # a worker died (killed, out of memory): start a fresh pool
                    LOGGER.warning("the worker pool broke; starting a new one")
                    self.executor = None
                    future = self._executor().submit(_run, function, slot, args)
                job = Job(self, number, slot, estimate, future, alive)
                self.jobs[number] = job
        future.add_done_callback(lambda _future, job=job: self._finished(job))
        if self.workers == 0:
            self._run_inline(job, function, args, listener)
        return job

    def _run_inline(self, job: Job, function: Callable, args: tuple, listener) -> None:
        progress = Progress(0, np.zeros(FIELDS), np.zeros(1, dtype=np.int8), listener)  # its own slot, here
        progress.start()
        job.started = time.time()
        job.future.set_running_or_notify_cancel()
        try:
            job.future.set_result(function(*args, progress=progress))
        except BaseException as error:  # handed to whoever reads the result, as a worker's would be
            job.future.set_exception(error)

    def _finished(self, job: Job) -> None:
        with self.lock:
            if self.jobs.pop(job.number, None) is not None:
                self.free.append(job.slot)
        if isinstance(job.future.exception() if not job.future.cancelled() else None, BrokenProcessPool):
            with self.lock:
                self.executor = None  # the next job starts a fresh pool

    def cancel(self, job: Job) -> None:
        """Take `job` out of the queue, or ask its worker to stop at its next report."""
        if self.flags is not None and job.number in self.jobs:
            self.flags[job.slot] = 1
        job.future.cancel()

    def _forget_abandoned(self) -> None:
        """Cancel the jobs whose owners have been gone for ABANDONED_SECONDS."""
        now = time.monotonic()
        with self.lock:
            waiting = [job for job in self.jobs.values() if job.alive is not None and not job.future.done()]
        for job in waiting:
            if job.alive():
                job.seen_at = now
            elif now - job.seen_at > ABANDONED_SECONDS:
                LOGGER.info("cancelling job %d: its owner has been gone for %.0f s", job.number, now - job.seen_at)
                self.cancel(job)

    def _started(self, job: Job) -> bool:
        if job.started is None and self.values is not None and self.values[job.slot * FIELDS] > 0:
            job.started = float(self.values[job.slot * FIELDS])
        return job.started is not None or job.future.done()

    def status(self, job: Job) -> Status:
        """Position in the queue, progress, and estimates of the wait and of the time left."""
        self._forget_abandoned()
        with self.lock:
            ahead = [other for number, other in sorted(self.jobs.items()) if number < job.number]
            running = [other for other in self.jobs.values() if self._started(other) and not other.future.done()]
        values = self.values if self.values is not None and not job.future.done() else None
        base = job.slot * FIELDS
        if values is not None:
            fraction, run, epoch = float(values[base + 1]), int(values[base + 2]), int(values[base + 3])
        else:
            fraction, run, epoch = (1.0 if job.future.done() else 0.0), 0, 0
        if self._started(job):
            return Status(0, fraction, run, epoch, 0.0, self._left(job, fraction))
        # the jobs ahead take the earliest free worker in turn (an estimate of what the executor will do)
        free = sorted(self._left(other, self._fraction(other)) for other in running)
        free = (free + [0.0] * self.workers)[: max(self.workers, 1)]
        queued = [other for other in ahead if not self._started(other)]
        for other in queued:
            free.sort()
            free[0] += other.estimate
        return Status(len(queued) + 1, 0.0, 0, 0, min(free), job.estimate)

    def _fraction(self, job: Job) -> float:
        return float(self.values[job.slot * FIELDS + 1]) if self.values is not None else 0.0

    @staticmethod
    def _left(job: Job, fraction: float) -> float:
        """Seconds left of a running job: from its pace once a tenth is done, else from its estimate."""
        if job.started is None:
            return job.estimate
        elapsed = max(time.time() - job.started, 0.0)
        if fraction >= 0.1:
            return elapsed / fraction * (1.0 - fraction)
        return max(job.estimate - elapsed, 0.0)


def _warm() -> int:
    return os.getpid()


def call(function: Callable, *args, progress: Progress):
    """A job of a function that reports nothing: `function(*args)` (a top-level function; picklable arguments)."""
    return function(*args)


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> Pool:
    """The server's pool (one per process, created on first use with worker_count() workers)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Pool()
        return _POOL
