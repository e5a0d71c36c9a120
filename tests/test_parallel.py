"""optviz.parallel: the fork pool the engine's sweeps may be given."""

import os
import time

import numpy as np
import pytest

from optviz import parallel
from optviz.engine import build, run
from optviz.engine import driver as driver_module

from .functions import quadratic

pytestmark = pytest.mark.skipif(not parallel.CAN_FORK, reason="this system cannot fork")


def test_a_forked_worker_that_hangs_or_fails_is_replaced(monkeypatch):
    parent = os.getpid()

    def slow_in_child(item):
        if os.getpid() != parent:
            time.sleep(30)
        return item * 2

    def failing_in_child(item):
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return item * 3

    monkeypatch.setattr(parallel, "FORK_TIMEOUT", 0.5)
    started = time.perf_counter()
    assert parallel.fork_map(slow_in_child, [1, 2, 3, 4], 2) == [2, 4, 6, 8]
    assert time.perf_counter() - started < 10
    assert parallel.fork_map(failing_in_child, [1, 2, 3], 2) == [3, 6, 9]


def test_the_engine_given_the_fork_pool_computes_what_it_computes_alone(monkeypatch):
    monkeypatch.setattr(driver_module, "PROCESS_MIN_RUNS", 64)
    monkeypatch.setattr(driver_module, "CHUNK_RUNS", 64)
    generator = np.random.default_rng(2)
    starts = generator.uniform(-3, 3, size=(300, 2))
    pipeline = build("adam", {"lr": np.geomspace(1e-3, 3.0, 300)})
    alone = run(pipeline, quadratic(1, 5), starts, 40, record=False, threads=1)
    calls = []

    def pool(function, items, workers):
        calls.append((len(items), workers))
        return parallel.fork_map(function, items, workers)

    forked = run(pipeline, quadratic(1, 5), starts, 40, record=False, threads=2, pool=pool)
    assert calls and calls[0][1] == 2 and calls[0][0] >= 2  # the chunks really went to the pool
    np.testing.assert_array_equal(forked.position, alone.position)
    np.testing.assert_array_equal(forked.diverged_at, alone.diverged_at)
    assert parallel.process_pool(True) is parallel.fork_map and parallel.process_pool(False) is None
