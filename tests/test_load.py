"""A classroom against one server: 20 Streamlit websocket clients on 127.0.0.1 for 60 s, each moving its start and
a learning rate on the playground and visiting other pages. Nothing may fail, no session may see another's
state, and the server's memory must stay bounded. (bench/load.py prints the latencies; times are not tested.)"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import start_streamlit, stop_streamlit
from tests.streamlit_client import load

pytestmark = pytest.mark.server

SESSIONS = 20
SECONDS = 60.0
MEMORY_LIMIT_MIB = 1024


@pytest.fixture()
def server(tmp_path):
    process, url = start_streamlit(tmp_path / "server.log")
    try:
        yield url, process
    finally:
        stop_streamlit(process)


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
