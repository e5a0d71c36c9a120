"""A lecture hall against optviz: N learners (Streamlit websocket clients) for a while, a share of them pressing Train
on the networks page with its default settings, the rest moving a start or a learning rate on the playground (one
action in five a visit to the landscape page and back), each acting every 3-8 s.

Run against one server (`--mode single`: `streamlit run server.py`, its training pool one worker per core), and
against one replica per core behind nginx (`--mode replicas`: deploy/classroom.py's replicas and configuration;
each learner first fetches the page for its affinity cookie, as a browser does). Prints one row per class size:
the light reruns' latency (p50 / p95 / max), the trainings' queue wait (Train pressed -> its training started,
read from the progress the page polls) and time to result, errors, sessions that saw another's state, the servers'
memory growth per learner, and the servers' CPU per rerun (their own processes, not the training workers; every
rerun counted: light ones, the trainers' own and the progress polls).

Usage: python bench/load.py [--learners 20 50 100] [--seconds 120] [--think 3 8] [--trainers 0.2]
                            [--mode single replicas]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "deploy"))

import classroom  # noqa: E402
from conftest import free_port  # noqa: E402
from streamlit_client import lecture  # noqa: E402


def quantiles(values: list[float]) -> str:
    if not values:
        return "—"
    data = np.asarray(values)
    return f"{np.percentile(data, 50):.2f} / {np.percentile(data, 95):.2f} / {data.max():.2f}"


def start(mode: str, folder: Path) -> tuple[str, list, list[int]]:
    """The servers of `mode`: (url, processes to stop, the server pids to measure)."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = classroom.shared_secret()
    if mode == "single":
        port = free_port()
        server = classroom.start_replica(port, classroom.cores(), folder / "server.log", secret)
        classroom.wait_for(f"http://127.0.0.1:{port}/_stcore/health", server)
        return f"http://127.0.0.1:{port}", [server], [server.pid]
    count = classroom.cores()
    ports = [free_port() for _ in range(count)]
    replicas = [classroom.start_replica(port, max(1, classroom.cores() // count), folder / f"replica-{port}.log",
                                        secret) for port in ports]
    for port, replica in zip(ports, replicas, strict=True):
        classroom.wait_for(f"http://127.0.0.1:{port}/_stcore/health", replica)
    listen = free_port()
    nginx = classroom.start_nginx(folder / "nginx", f"127.0.0.1:{listen}", ports)
    return f"http://127.0.0.1:{listen}", [*replicas, nginx], [replica.pid for replica in replicas]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 8.0), metavar=("LOW", "HIGH"))
    parser.add_argument("--trainers", type=float, default=0.2, help="the share of learners who train networks")
    parser.add_argument("--mode", nargs="+", default=["single", "replicas"], choices=["single", "replicas"])
    arguments = parser.parse_args()
    print(f"{classroom.cores()} cores; each learner acts every {arguments.think[0]:g}-{arguments.think[1]:g} s for "
          f"{arguments.seconds:.0f} s; {arguments.trainers:.0%} of them train networks (default settings)")
    header = ("| mode | learners | light reruns | p50 / p95 / max (s) | queue wait p50 / p95 / max (s) | "
              "Train → result p50 / p95 (s) | trainings | errors | leaks | MiB per learner | CPU per rerun |")
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for mode in arguments.mode:
        for learners in arguments.learners:
            url, processes, pids = start(mode, Path(tempfile.mkdtemp(prefix=f"optviz-load-{mode}-")))
            try:
                report = asyncio.run(lecture(url, pids, learners, arguments.seconds, tuple(arguments.think),
                                             arguments.trainers, cookies=mode == "replicas"))
            finally:
                for process in reversed(processes):
                    classroom.stop(process)
            reruns = len(report.light_seconds) + report.polls + report.trainer_reruns
            per_rerun = 1000 * report.cpu_seconds / reruns if reruns else float("nan")
            mode_name = "one server" if mode == "single" else f"{len(pids)} replicas + nginx"
            trained = report.training_seconds
            print(f"| {mode_name} | {learners} | {len(report.light_seconds)} | {quantiles(report.light_seconds)} | "
                  f"{quantiles(report.queue_seconds)} | "
                  f"{'—' if not trained else f'{np.percentile(trained, 50):.1f} / {np.percentile(trained, 95):.1f}'}"
                  f" | {len(trained)} | {len(report.errors)} | {len(report.leaks)} | "
                  f"{(report.memory_after - report.memory_before) / learners:.1f} | {per_rerun:.0f} ms |",
                  flush=True)
            for line in (report.errors + report.leaks)[:5]:
                print(f"    {line}", flush=True)


if __name__ == "__main__":
    main()
