"""An application-level switch for glibc's allocator: keep large arrays on the heap instead of fresh mmaps.

NumPy allocates each temporary of a vectorized formula anew. Above glibc's mmap threshold (128 KiB at first)
every such array is a fresh mapping whose pages fault in on first touch: on a sweep of 32 768 runs per chunk,
a surface's gradient costs about 8 ns per run that way and about 2 ns from the heap (bench/sweeps.py).
Raising the threshold is a process-wide choice, so the library never makes it by itself: the command line
and the app call ``tune_allocator()`` once at start-up. Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; True if it was done (glibc found), False otherwise."""
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
