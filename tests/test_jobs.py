"""optviz/jobs.py: the bounded pool of worker processes that runs the trainings, its queue, progress and cancelling."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time

import numpy as np
import pytest

from optviz import jobs
from optviz.lane import Lane
from optviz.nets.tasks import Setup, train_lanes

SETUP = Setup("circle", 200, 0.1, 0.2, 0.2, ("x1", "x2"), True, (8,), "tanh", "xavier", "none", 0.0, False,
              "cross_entropy", 6, 32, 0, 0)
RUNS = [(Lane("sgd", {"lr": 0.1}), "optviz"), (Lane("adam", {"lr": 0.01}), "optviz")]


def steps(count: int, pause: float, *, progress) -> int:
    """A job for these tests: `count` steps of `pause` seconds, reporting each; stops when cancelled."""
    done = 0
    for step in range(count):
        if progress.cancelled:
            break
        time.sleep(pause)
        done += 1
        progress((step + 1) / count, 0, step + 1)
    return done


def dies(*, progress) -> None:
    os._exit(3)  # a worker killed under a job (out of memory, say)


def fails(*, progress) -> None:
    raise ValueError("refused")


def wait(job: jobs.Job, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not job.done():
        assert time.monotonic() < deadline, "the job did not end"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pool():
    made = jobs.Pool(1)
    made.start()
    yield made
    made.shutdown()


def test_a_training_in_a_worker_gives_the_numbers_it_gives_in_the_server(pool):
    inline = jobs.Pool(0).submit(train_lanes, dataclasses.replace(SETUP, dtype="float64"), RUNS).result()
    elsewhere = pool.submit(train_lanes, dataclasses.replace(SETUP, dtype="float64"), RUNS, estimate=1.0).result()
    assert len(inline) == len(elsewhere) == 2
    for here, there in zip(inline, elsewhere, strict=True):
        for name in ("train_loss", "val_loss", "step_loss", "grad_norms"):
            np.testing.assert_array_equal(here[name], there[name])
        assert here["test_loss"] == there["test_loss"]


def test_inline_jobs_run_at_once_and_report_to_a_listener():
    heard = []
    job = jobs.Pool(0).submit(steps, 3, 0.0, listener=lambda fraction, run, epoch: heard.append(epoch))
    assert job.done() and job.result() == 3 and heard == [1, 2, 3]
    assert job.status().position == 0 and job.status().fraction == 1.0


def test_the_queue_tells_each_job_its_place_and_its_wait(pool):
    running = pool.submit(steps, 20, 0.05, estimate=1.0)
    second = pool.submit(steps, 4, 0.05, estimate=2.0)
    third = pool.submit(steps, 4, 0.05, estimate=3.0)
    deadline = time.monotonic() + 30
    while running.status().position != 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    while running.status().fraction < 0.2:
        time.sleep(0.02)
    first, behind, last = running.status(), second.status(), third.status()
    assert (first.position, behind.position, last.position) == (0, 1, 2)
    assert 0 < first.left < 1.5  # measured from its own pace: about 0.8 s of 1 s left
    assert behind.wait == pytest.approx(first.left, abs=0.3)  # after the running one
    assert last.wait == pytest.approx(behind.wait + 2.0, abs=0.3)  # and the second's estimate
    for job in (running, second, third):
        wait(job)
    assert [job.result() for job in (running, second, third)] == [20, 4, 4]
    assert not pool.jobs  # every slot is free again


def test_cancelling_a_queued_job_takes_it_out_and_a_running_one_keeps_what_it_finished(pool):
    running = pool.submit(steps, 200, 0.02, estimate=4.0)
    queued = pool.submit(steps, 5, 0.01, estimate=1.0)
    while running.status().position != 0 or running.status().fraction < 0.05:
        time.sleep(0.02)
    queued.cancel()
    running.cancel()
    wait(running)
    wait(queued)
    assert 10 <= running.result() < 200  # stopped at its next report, with what it had done
    with pytest.raises(jobs.CancelledError):
        queued.result()


def test_a_job_whose_owner_left_is_cancelled(pool, monkeypatch):
    monkeypatch.setattr(jobs, "ABANDONED_SECONDS", 0.0)
    job = pool.submit(steps, 500, 0.01, estimate=5.0, alive=lambda: False)
    job.status()  # any look at the queue sweeps it: out of the queue, or stopped at its next report
    wait(job, 10.0)
    with contextlib.suppress(jobs.CancelledError):
        assert job.result() < 500
    kept = pool.submit(steps, 2, 0.0, alive=lambda: True)
    kept.status()
    assert kept.result() == 2  # an owner still there keeps its job


def test_a_full_queue_refuses_with_busy(monkeypatch):
    monkeypatch.setattr(jobs, "SLOTS", 2)
    small = jobs.Pool(1)
    try:
        first = small.submit(steps, 10, 0.02)
        second = small.submit(steps, 1, 0.0)
        with pytest.raises(jobs.BusyError):
            small.submit(steps, 1, 0.0)
        wait(first)
        wait(second)
        assert small.submit(steps, 1, 0.0).result() == 1  # a slot freed is used again
    finally:
        small.shutdown()


def test_a_worker_that_dies_fails_only_its_job_and_the_next_one_runs(pool):
    job = pool.submit(dies)
    wait(job)
    with pytest.raises(jobs.BrokenProcessPool):
        job.result()
    assert pool.submit(steps, 2, 0.0).result() == 2  # a fresh pool of workers
    failed = pool.submit(fails)
    wait(failed)
    with pytest.raises(ValueError, match="refused"):
        failed.result()


def test_the_pool_size_follows_the_machine_or_the_setting(monkeypatch):
    monkeypatch.setenv("OPTVIZ_WORKERS", "3")
    assert jobs.worker_count() == 3
    monkeypatch.setenv("OPTVIZ_WORKERS", "0")
    assert jobs.worker_count() == 0
    monkeypatch.setenv("OPTVIZ_WORKERS", "many")
    assert jobs.worker_count() == len(os.sched_getaffinity(0))
    monkeypatch.delenv("OPTVIZ_WORKERS")
    assert jobs.worker_count() == len(os.sched_getaffinity(0))


SERVER = """
import os, sys, time
sys.path.insert(0, {root!r})
from optviz import jobs
if __name__ == "__main__":
    pool = jobs.Pool(1, preload=())
    pool.start()
    worker = pool.executor.submit(jobs._warm).result()  # a worker's process id
    print(worker, flush=True)
    time.sleep(120)
"""


@pytest.mark.slow
def test_workers_end_when_their_server_is_killed(tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = tmp_path / "server.py"
    script.write_text(SERVER.format(root=str(ROOT)))
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        worker = int(server.stdout.readline().split()[0])
        os.kill(worker, 0)  # alive
        server.send_signal(signal.SIGKILL)  # nothing runs in the server: no shutdown
        server.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the worker outlived its server by 15 s")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
