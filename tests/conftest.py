"""Shared fixtures: a real streamlit server on a free 127.0.0.1 port, and Debian's Chromium for Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
import classroom  # noqa: E402 (deploy/ is not a package)

CHROMIUM = os.environ.get("OPTVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The pages' tests (AppTest, in this process) run long computations inline, at once (optviz.jobs); the servers the
# tests start use the real pool of worker processes unless a test says otherwise (start_streamlit's environment).
os.environ.setdefault("OPTVIZ_WORKERS", "0")
SERVER_WORKERS = "2"
# `make screenshots` points this at docs/screenshots: the README's pictures come from these tests, from the real app
SCREENSHOTS = Path(os.environ.get("OPTVIZ_SCREENSHOTS", ROOT / "build" / "screenshots"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    """Until `url`'s Streamlit health endpoint answers (deploy/classroom.py's wait, which `make class` uses)."""
    classroom.wait_for(f"{url}/_stcore/health", process, timeout)


def start_streamlit(log_path: Path, script: Path = ROOT / "server.py", cwd: Path = ROOT,
                    environment: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` on 127.0.0.1 and a free port, in a process group of its own; returns it and its
    URL once it answers. Stop it with stop_streamlit."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    if environment is None:
        environment = {**os.environ, "OPTVIZ_WORKERS": SERVER_WORKERS}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
    except BaseException:
        stop_streamlit(process)
        raise
    return process, url


def stop_streamlit(process: subprocess.Popen) -> None:
    """End exactly the server start_streamlit started (its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start `streamlit run server.py` on 127.0.0.1 and a free port; stop exactly that process afterwards."""
    process, url = start_streamlit(tmp_path_factory.mktemp("streamlit") / "server.log")
    try:
        yield url
    finally:
        stop_streamlit(process)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium: `playwright install` cannot download browsers here."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
