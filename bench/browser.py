"""What a learner feels, measured in headless Chromium (run on demand; not part of `make test`'s pass/fail).

For the playground (Rosenbrock, 5 lanes x 1 000 steps, overlay view), in English and in Chinese:
- cold start: server launch -> first chart drawn (the browser is started first, so its own start-up is not
  counted), next to a bare Streamlit page with one small Plotly chart measured by the same harness; the median
  of several launches, interleaved with the bare page's, and its ratio to the bare page's median;
- slider latency: keyboard move of lane 1's learning-rate slider -> the chart shows the new path (median of 7
  moves, each waiting for the final value, not an intermediate rerun);
- bytes received over the websocket per rerun (one slider move);
- server RSS once the playground has loaded.

The server is `streamlit run server.py`, the app as `make run` serves it (optviz/ui/serve.py's start-up included).

Usage: python bench/browser.py [cold starts per page, default 5]
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERY = ("surface=rosenbrock&steps=1000&lane1=sgd;lr=0.001&lane2=momentum;lr=0.001&lane3=adam;lr=0.05"
         "&lane4=rmsprop;lr=0.01&lane5=nesterov;lr=0.001")
FIRST_PATH = """() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const path = graph && graph.data ? graph.data.find(trace => trace.meta === 'path-0') : null;
    return path ? JSON.stringify([path.x, path.y]) : null;
}"""
ANY_CHART = "() => !!document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot .main-svg')"
# The playground's own chart (the same five lanes) alone on a page, served as server.py serves optviz: what the rest
# of the playground's page (its ~70 controls, formulas and tables) adds to the cold start.
CHART_ONLY_APP = """import streamlit as st
from optviz.plots import playground as figures
from optviz.plots.style import lane_colour
from optviz.report import finite_rows
from optviz.runs import Lane
from optviz.ui.compute import get_surface, run_cached, surface_picture_cached

name = "rosenbrock"
surface = get_surface(name)
lanes = [Lane("sgd", (("lr", 0.001),)), Lane("momentum", (("lr", 0.001),)), Lane("adam", (("lr", 0.05),)),
         Lane("rmsprop", (("lr", 0.01),)), Lane("nesterov", (("lr", 0.001),))]
paths = []
for index, lane in enumerate(lanes):
    trajectory = run_cached(name, lane, (-1.5, 2.0), 1000)
    shown = figures.subsample(finite_rows(trajectory))
    paths.append({"label": lane.optimizer, "colour": lane_colour(index), "xy": trajectory.positions[shown],
                  "loss": trajectory.loss[shown], "steps": shown})
labels = {"title": surface.label("en"), "colorbar": "log f", "minimum": "minimum", "start": "start"}
st.title("chart only")
figure = figures.overlay_figure(surface_picture_cached(name), paths, surface.minima, (-1.5, 2.0), surface.view, labels)
st.plotly_chart(figure, on_select="rerun", selection_mode="points", width="stretch")
"""
CHART_ONLY_ENTRY = """import streamlit as st
from starlette.middleware import Middleware
from optviz.ui.serve import PreloadMiddleware, lifespan
app = st.App("chart.py", lifespan=lifespan, middleware=[Middleware(PreloadMiddleware)])
"""
RUNS = 5  # cold starts per page: one launch varies by +-0.15 s on this machine
# The yardstick: one slider and one Plotly line chart that it changes (its trace carries meta 'path-0', so the same
# probe reads it).
BARE_APP = """import plotly.graph_objects as go
import streamlit as st
st.title("bare")
lr = st.select_slider("learning rate", [0.001, 0.0012, 0.0015, 0.002, 0.0025, 0.003], value=0.001)
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3 * lr * 1000, 2], meta="path-0")))
"""
DEFAULT_QUERY = "surface=rosenbrock"  # the playground as a new visitor sees it: 3 lanes x 500 steps


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(script: Path, cwd: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1", "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=15)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start(browser, script: Path, cwd: Path, path: str) -> tuple[float, subprocess.Popen, object, list]:
    """Seconds from server launch to the first chart drawn; the server, the page, and its websocket byte log."""
    received: list[int] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("websocket", lambda socket_: socket_.on("framereceived", lambda payload: received.append(
        len(payload) if isinstance(payload, (bytes, str)) else 0)))
    started = time.perf_counter()
    process, url = start_server(script, cwd)
    try:
        page.goto(url + path)
        page.wait_for_function(ANY_CHART, timeout=120_000)
    except BaseException:
        stop(process)  # never leave a server behind
        raise
    return time.perf_counter() - started, process, page, received


def new_session(browser, url: str) -> float:
    """Seconds from opening `url` in a fresh browser context (a new learner, the server already running and its
    caches warm) to the first chart drawn; the median of three."""
    times = []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(ANY_CHART, timeout=120_000)
        times.append(time.perf_counter() - started)
        context.close()
    return statistics.median(times)


def slider_latency(page, language: str, received: list[int]) -> tuple[float, int]:
    label = "learning rate" if language == "en" else "学习率"
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).first.get_by_role("slider")
    times, sizes = [], []
    for direction in ["ArrowRight"] * 4 + ["ArrowLeft"] * 3:
        page.wait_for_timeout(300)
        before = page.evaluate(FIRST_PATH)
        received.clear()
        slider.focus()
        started = time.perf_counter()
        slider.press(direction)
        page.wait_for_function(f"() => {{ const now = ({FIRST_PATH})(); return now && now !== {before!r}; }}",
                               timeout=60_000)
        times.append(time.perf_counter() - started)
        page.wait_for_timeout(500)  # let the rest of the rerun arrive before counting its bytes
        sizes.append(sum(received))
    return statistics.median(times), int(statistics.median(sizes))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    starts: dict[str, list[float]] = {"bare": [], "chart": [], "en": [], "zh": []}
    measured: dict[str, tuple] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        with tempfile.TemporaryDirectory() as folder:
            bare = Path(folder) / "bare.py"
            bare.write_text(BARE_APP)
            (Path(folder) / "chart.py").write_text(CHART_ONLY_APP)
            chart_only = Path(folder) / "server.py"
            chart_only.write_text(CHART_ONLY_ENTRY)
            for attempt in range(runs):  # interleaved, so that a slow spell of the machine hits every page alike
                seconds, process, page, received = cold_start(browser, bare, Path(folder), "/")
                starts["bare"].append(seconds)
                if attempt == 0:
                    page.wait_for_function(FIRST_PATH, timeout=120_000)
                    memory = rss_mib(process.pid)
                    measured["bare"] = (memory, *slider_latency(page, "en", received))
                    measured["bare_session"] = new_session(browser, process_url(page) + "/")
                page.close()
                stop(process)
                seconds, process, page, _ = cold_start(browser, chart_only, Path(folder), "/")
                starts["chart"].append(seconds)
                page.close()
                stop(process)
                for language in ("en", "zh"):
                    path = f"/playground?{QUERY}" + ("&lang=zh" if language == "zh" else "")
                    seconds, process, page, received = cold_start(browser, ROOT / "server.py", ROOT, path)
                    starts[language].append(seconds)
                    if attempt == 0:
                        page.wait_for_function(FIRST_PATH, timeout=120_000)
                        memory = rss_mib(process.pid)
                        latency, size = slider_latency(page, language, received)
                        measured[language] = (memory, latency, size)
                        if language == "en":  # the defaults a new visitor sees, on the same warm server
                            measured["session"] = new_session(browser, process_url(page) + f"/playground?{QUERY}")
                            page.goto(process_url(page) + f"/playground?{DEFAULT_QUERY}")
                            page.wait_for_function(FIRST_PATH, timeout=120_000)
                            page.wait_for_timeout(1000)
                            measured["defaults"] = (memory, *slider_latency(page, language, received))
                    page.close()
                    stop(process)
        browser.close()

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"

    bare_median = statistics.median(starts["bare"])
    bare_latency = measured["bare"][1]
    rows = [("bare Streamlit: one slider + one Plotly chart", spread(starts["bare"]), "1.00",
             f"{bare_latency * 1000:.0f} ms (1.00)", f"{measured['bare'][2] / 1e6:.3f} MB",
             f"{measured['bare'][0]:.0f} MiB"),
            ("the playground's chart alone (server.py's serving)", spread(starts["chart"]),
             f"{statistics.median(starts['chart']) / bare_median:.2f}", "", "", "")]
    memory, latency, size = measured["defaults"]
    rows.append(("playground (en), its default 3 lanes x 500 steps", "", "",
                 f"{latency * 1000:.0f} ms ({latency / bare_latency:.2f})", f"{size / 1e6:.3f} MB", ""))
    for language in ("en", "zh"):
        memory, latency, size = measured[language]
        rows.append((f"playground ({language}), 5 lanes x 1 000 steps", spread(starts[language]),
                     f"{statistics.median(starts[language]) / bare_median:.2f}",
                     f"{latency * 1000:.0f} ms ({latency / bare_latency:.2f})", f"{size / 1e6:.3f} MB",
                     f"{memory:.0f} MiB"))
    header = ("page", f"cold start, median of {runs}", "x bare", "slider -> chart (x bare)", "bytes per rerun",
              "server RSS")
    widths = [max(len(str(row[index])) for row in [header, *rows]) for index in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print()
    bare_session, session = measured["bare_session"], measured["session"]
    print(f"new session on a running server -> first chart: bare page {bare_session:.2f} s, playground (5 lanes x "
          f"1 000 steps) {session:.2f} s = {session / bare_session:.2f}x the bare page")
    print()
    print("server time of one rerun (script run, median of 5, AppTest in this process):")
    for name, seconds in server_times().items():
        print(f"  {name:<48} {seconds * 1000:6.0f} ms")


def process_url(page) -> str:
    """The scheme, host and port of the page's server."""
    return "/".join(page.url.split("/")[:3])


def server_times() -> dict[str, float]:
    """Seconds of server time for the workbench's costly actions: each playground view (5 lanes x 1 000 steps) and
    a click on a landscape cell, each the median of five reruns after a first one that fills the caches."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))  # the pages import optviz
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's "no ScriptRunContext" warnings, by the hundred

    def median_rerun(app, action) -> float:
        times = []
        for _ in range(5):
            action(app)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
            assert not app.exception, app.exception
        return statistics.median(times)

    results = {}
    playground = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=120)
    for pair in QUERY.split("&"):
        name, value = pair.split("=", 1)
        playground.query_params[name] = value
    playground.run()
    for view in ("overlay", "multiples", "surface3d", "curves", "animation"):
        playground.segmented_control(key="pg_view").set_value(view).run()
        results[f"playground: switch to the {view} view"] = median_rerun(playground, lambda app: None)
    landscape = AppTest.from_file(str(ROOT / "pages" / "landscape.py"), default_timeout=120).run()
    cells = iter([(0.01 * (1 + index), 0.1 * (1 + index)) for index in range(10)])

    def click(app) -> None:
        x, y = next(cells)
        app.session_state["ls_chart_0"] = {"selection": {"points": [{"x": x, "y": y}]}}

    results["landscape: click a cell (a new cell each time)"] = median_rerun(landscape, click)
    return results


if __name__ == "__main__":
    main()
