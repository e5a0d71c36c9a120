"""What every bench times with: the best of several calls (the machine is shared and noisy; the fastest call is the
one least disturbed)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(repeats: int, function: Callable[[], object]) -> float:
    """The shortest wall time of `repeats` calls of `function`, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)
