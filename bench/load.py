"""A classroom against one server: N learners (Streamlit websocket clients, 20 by default) on the playground for
60 s, each moving its start and a learning rate every 0.5-1.5 s and now and then visiting another page.

Prints the rerun latency (p50 / p95 / max) seen by the learners, errors, sessions that saw another's state, and the
server's memory: before, once every learner has drawn the playground, at its peak and at the end; and the memory
one more session costs. The server is `streamlit run server.py` on a free 127.0.0.1 port, started and stopped here.

Usage: python bench/load.py [--sessions 20] [--seconds 60] [--think 0.5 1.5]
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

from conftest import start_streamlit, stop_streamlit  # noqa: E402
from streamlit_client import load  # noqa: E402


def quantiles(values: list[float]) -> str:
    if not values:
        return "—"
    data = np.asarray(values)
    return (f"p50 {np.percentile(data, 50):.3f} s, p95 {np.percentile(data, 95):.3f} s, max {data.max():.3f} s "
            f"({len(data)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("LOW", "HIGH"),
                        help="seconds a learner waits between two actions, drawn uniformly (default 0.5 1.5)")
    arguments = parser.parse_args()
    process, url = start_streamlit(Path(tempfile.mkdtemp()) / "server.log")
    try:
        report = asyncio.run(load(url, process.pid, arguments.sessions, arguments.seconds,
                                   tuple(arguments.think), measure_sessions=20))
    finally:
        stop_streamlit(process)
    peak = max(rss for _, rss in report.memory)
    print(f"{arguments.sessions} sessions for {arguments.seconds:.0f} s on one server, each acting every "
          f"{arguments.think[0]:g}-{arguments.think[1]:g} s: {report.actions} actions "
          f"({report.actions / arguments.seconds:.1f} per second)")
    print(f"  slider / number box moves on the playground: {quantiles(report.slider_seconds)}")
    print(f"  page switches (another page, then back):     {quantiles(report.page_seconds)}")
    print(f"  errors: {len(report.errors)}; sessions that saw another's state: {len(report.leaks)}")
    for line in (report.errors + report.leaks)[:10]:
        print(f"    {line}")
    print(f"  server RSS: before {report.memory_before:.0f} MiB, all sessions on the playground "
          f"{report.memory_connected:.0f} MiB, peak {peak:.0f} MiB, end {report.memory[-1][1]:.0f} MiB")
    print(f"  memory per session: {report.memory_per_session:.1f} MiB (20 more sessions, each on every page, caches "
          f"warm); the first {arguments.sessions} on the playground added "
          f"{(report.memory_connected - report.memory_before) / arguments.sessions:.1f} MiB each")


if __name__ == "__main__":
    main()
