"""Process-level infrastructure the engine does not need to know about: glibc's allocator switch and a fork pool.

``tune_allocator()``: NumPy allocates each temporary of a vectorized formula anew. Above glibc's mmap threshold
(128 KiB at first) every such array is a fresh mapping whose pages fault in on first touch: on a sweep of 32 768
runs per chunk, a surface's gradient costs about 8 ns per run that way and about 2 ns from the heap
(bench/sweeps.py). Raising the threshold is a process-wide choice, so the library never makes it by itself: the
command line and the app call it once at start-up. Elsewhere than glibc it does nothing.

``fork_map(function, items, workers)``: the items shared among forked processes, for the engine's sweeps
(``optviz.engine.run(..., pool=fork_map)``). Forked children share no GIL: on a sweep's short NumPy calls two
processes go about twice as fast as one, where two threads do not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import pickle
import select
import signal
from collections.abc import Callable

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024
FORK_TIMEOUT = 300.0  # seconds a forked worker may take before its share is computed here instead
CAN_FORK = hasattr(os, "fork")

Pool = Callable[[Callable, list, int], list]


@functools.cache
def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; True if it was done (glibc found), False otherwise. Once per process:
    finding the C library runs `ldconfig -p` (a fork of this process), which app.py's every rerun paid before."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )


def process_pool(wanted: bool) -> Pool | None:
    """``fork_map`` when processes are wanted and this system can fork, else None (the engine uses threads)."""
    return fork_map if wanted and CAN_FORK else None


def fork_map(function: Callable, items: list, workers: int) -> list:
    """[function(item) for item in items], the items shared among `workers` forked processes (this one included).

    Each child sends its results back pickled through a pipe and leaves with os._exit (none of the parent's
    clean-up runs). A child that fails, or sends nothing within FORK_TIMEOUT, is killed and its share is redone
    here: the answer never depends on the fork succeeding.
    """
    shares = [list(range(index, len(items), workers)) for index in range(workers)]
    children = []
    for share in shares[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps([function(items[index]) for index in share], protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as stream:
                    stream.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end, share))
    results: list = [None] * len(items)
    for index in shares[0]:
        results[index] = function(items[index])
    for pid, read_end, share in children:
        payload = _read_all(read_end, FORK_TIMEOUT)
        if payload is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        try:
            values = pickle.loads(payload) if status == 0 and payload else None
        except (pickle.UnpicklingError, EOFError):
            values = None
        if values is None or len(values) != len(share):
            values = [function(items[index]) for index in share]
        for index, value in zip(share, values, strict=True):
            results[index] = value
    return results


def _read_all(descriptor: int, timeout: float) -> bytes | None:
    """Everything until end of file, or None if nothing more came for `timeout` seconds."""
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([descriptor], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(descriptor)
