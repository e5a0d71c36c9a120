"""A classroom against one server: 20 Streamlit websocket clients on 127.0.0.1 for 60 s, each moving its start and
a learning rate on the playground and visiting other pages. Nothing may fail, no session may see another's
state, and the server's memory must stay bounded. (bench/load.py prints the latencies; times are not tested.)"""

import asyncio
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT, free_port, wait_healthy
from tests.streamlit_client import load

pytestmark = pytest.mark.server

SESSIONS = 20
SECONDS = 60.0
MEMORY_LIMIT_MIB = 1024


@pytest.fixture()
def server(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


@pytest.mark.timeout(240)
def test_twenty_learners_for_a_minute(server):
    url, process = server
    # in a thread of its own: after the Playwright tests, this thread has an event loop running already
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(asyncio.run, load(url, process.pid, SESSIONS, SECONDS, think=(1.0, 3.0))).result()
    assert report.errors == []
    assert report.leaks == []
    assert report.actions >= SESSIONS  # every learner acted (about 200 actions in all here)
    assert len(report.page_seconds) > 0 and len(report.slider_seconds) > 0
    peak = max(rss for _, rss in report.memory)
    assert peak < MEMORY_LIMIT_MIB, f"the server grew to {peak:.0f} MiB"
    assert process.poll() is None  # the server is still up
