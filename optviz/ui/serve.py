"""How optviz is served: the st.App that `streamlit run server.py` starts (uvicorn + Starlette, Streamlit 1.67).

Four things happen here, the first three to shorten the wait for a freshly started server's first page
(bench/browser.py measures them), the last for the first training:

- **No pages/ fallback run.** A main script with a pages/ folder beside it makes Streamlit run a deep-linked page
  (e.g. /playground) once without the main script, until some session has called st.navigation
  (optviz.ui.navigation.ensure_navigation then reruns it). The app always uses st.navigation, so the flag is set
  before the first session starts and that first, wasted run never happens.
- **Warm imports.** The modules the pages import (NumPy, the engine, plotly's figure classes and its template) are
  imported on a background thread as soon as the server starts, while the browser is still loading Streamlit's
  JavaScript, instead of in the first visitor's first run. torch is not among them: it stays lazy.
- **The chart library sooner.** Streamlit loads plotly.js (4.7 MB) only when the first chart element reaches the
  browser, late in a page of many elements. Every optviz page draws Plotly charts, so the HTML page starts loading
  and evaluating that chunk as soon as Streamlit's own script has run, and preloads the two KaTeX fonts the formulas
  use. Only HTML responses are touched; a Streamlit whose files are not where 1.67 keeps them gets no tags.
- **Workers started.** The pool of worker processes that runs the trainings (optviz.jobs) starts with the server
  (its forkserver imports torch once), not when the first learner presses Train; it is shut down with the server.

Behind a load balancer (docs/deploy.md), ReconnectMiddleware lets a page whose replica died go on working on the
next replica (see its docstring).

Everything here is an optimisation: `streamlit run app.py` serves the same app without it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("optviz.ui.serve")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

# The chunks to load early: the chart component, and the fonts of the formulas (KaTeX's roman and italic).
CHUNKS = ("PlotlyChart",)
FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")
# Paths whose responses are never pages: Streamlit's assets and endpoints (a last segment with a dot, such as
# favicon.png, is a file too).
NOT_PAGES = ("/static/", "/_stcore/", "/media/", "/component/", "/app/static/")


def static_folder() -> Path:
    """Where Streamlit keeps its built frontend (index.html, static/js, static/media)."""
    import streamlit

    return Path(streamlit.__file__).resolve().parent / "static"


def preload_tags(folder: Path | None = None) -> bytes:
    """The HTML inserted before </head>: font preloads and a module script importing the chart chunk.

    File names carry content hashes, so they are looked up in the installed Streamlit; what is not found is
    left out (b"" when nothing is), never guessed.
    """
    folder = static_folder() if folder is None else folder
    scripts = folder / "static" / "js"
    media = folder / "static" / "media"
    tags = []
    for font in FONTS:
        found = sorted(media.glob(f"{font}.*.woff2"))
        if found:
            tags.append(f'<link rel="preload" as="font" type="font/woff2" crossorigin '
                        f'href="./static/media/{found[0].name}">')
    imports = []
    for chunk in CHUNKS:
        found = sorted(scripts.glob(f"{chunk}.*.js"))
        if found:
            imports.append(f'import("./static/js/{found[0].name}");')
    if imports:
        tags.append('<script type="module" crossorigin>' + "".join(imports) + "</script>")
    return "".join(tags).encode()


def is_page_request(scope: Scope) -> bool:
    """An HTTP GET for a page (index.html under any page's URL), not an asset or an endpoint."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return False
    path = scope.get("path", "/")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):] or "/"
    return not any(marker in path for marker in NOT_PAGES) and not path.rsplit("/", 1)[-1].count(".")


class PreloadMiddleware:
    """ASGI middleware: insert `tags` before </head> of the HTML pages; pass everything else through untouched.

    A page is asked for uncompressed (its Accept-Encoding is dropped: index.html is a few KB) so that its text can
    be edited; Content-Length is set to the new size.
    """

    def __init__(self, app: ASGIApp, tags: bytes | None = None) -> None:
        self.app = app
        self.tags = preload_tags() if tags is None else tags

    async def __call__(self, scope: Scope, receive, send) -> None:
        if not self.tags or not is_page_request(scope):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["headers"] = [(name, value) for name, value in scope.get("headers", [])
                            if name.lower() != b"accept-encoding"]
        held: dict[str, Any] = {}

        async def edit(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = {name.lower(): value for name, value in message.get("headers", [])}
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if is_html and b"content-encoding" not in headers:
                    held["start"], held["body"] = message, b""
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body", False):
                    return
                body = held["body"]
                if b"</head>" in body:
                    body = body.replace(b"</head>", self.tags + b"</head>", 1)
                start = dict(held.pop("start"))
                start["headers"] = [(name, value) for name, value in start.get("headers", [])
                                    if name.lower() != b"content-length"]
                start["headers"].append((b"content-length", str(len(body)).encode()))
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, edit)


class ReconnectMiddleware:
    """ASGI middleware: on a websocket that has not yet asked for a whole-page run, a fragment's rerun becomes a
    whole-page rerun.

    Why: when a replica behind the load balancer dies, the browser reconnects (through nginx) to another replica,
    which starts a new, empty session; the page still shows the dead replica's elements, and its next click inside a
    fragment (the playground's workbench, a training's progress) names a fragment the new session has never drawn.
    Streamlit drops such a request ("the fragment … does not exist anymore"), so the page would stay frozen. Run
    the whole page instead: the new session rebuilds it from the widgets' values and the URL the browser sends. A
    page's first request on a fresh connection is always a whole-page run, so nothing else changes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope.get("type") != "websocket" or not scope.get("path", "").endswith("/_stcore/stream"):
            await self.app(scope, receive, send)
            return
        from streamlit.proto.BackMsg_pb2 import BackMsg

        seen = {"whole": False}

        async def patched() -> Message:
            message = await receive()
            data = message.get("bytes")
            if seen["whole"] or message.get("type") != "websocket.receive" or not data:
                return message
            back = BackMsg()
            try:
                back.ParseFromString(data)
            except Exception:  # not ours to judge: Streamlit answers a bad frame itself
                return message
            if back.WhichOneof("type") != "rerun_script":
                return message
            if not back.rerun_script.fragment_id:
                seen["whole"] = True
                return message
            back.rerun_script.fragment_id = ""
            back.rerun_script.is_auto_rerun = False
            seen["whole"] = True
            LOGGER.info("a fragment rerun on a fresh connection: running the whole page instead")
            return {**message, "bytes": back.SerializeToString()}

        await self.app(scope, patched, send)


def warm_up() -> None:
    """Import what the first page run would import, and build one small figure (plotly's validators and its
    template load on first use). Failures are logged, never raised: the first run then simply does it."""
    try:
        import numpy as np
        import plotly.graph_objects as go

        import optviz.explain
        import optviz.plots.schedules
        import optviz.report
        import optviz.ui.compute
        import optviz.ui.playground  # noqa: F401
        from optviz.plots.playground import overlay_figure, surface_picture

        # plotly creates each property's validator the first time it is set: build a real (tiny) figure
        axis = np.linspace(-1.0, 1.0, 3)
        grid = {"x": axis, "y": axis, "z": np.add.outer(axis**2, axis**2)}
        path = {"label": "warm-up", "colour": "#000000", "xy": np.zeros((2, 2)), "loss": np.ones(2),
                "steps": np.arange(2)}
        labels = {"title": "warm-up", "colorbar": "f", "minimum": "minimum", "start": "start"}
        overlay_figure(surface_picture(grid), [path], [(0.0, 0.0)], (0.5, 0.5), (-1.0, 1.0, -1.0, 1.0),
                       labels).to_plotly_json()
        go.Figure(go.Heatmap(z=[[0.0, 1.0]])).to_plotly_json()
        # Streamlit checks once per process, on the first element any session draws, whether it runs in a REPL:
        # inspect.stack() resolving the path of every loaded module, 0.12 s with NumPy and plotly loaded.
        from streamlit import delta_generator

        check = getattr(delta_generator, "_maybe_print_use_warning", None)
        if check is not None:
            check()
        # what start-up loaded lives as long as the server: out of the collector's sight, so that its full
        # collections (which hold every session's thread) walk only what the sessions create
        import gc

        gc.collect()
        gc.freeze()
    except Exception:  # a warm-up must never stop the server
        LOGGER.exception("optviz warm-up failed; the first page run will import what it needs")


def skip_pages_fallback() -> None:
    """Tell Streamlit that this app uses st.navigation, before any session starts (see the module's docstring)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the fallback
        return
    PagesManager.uses_pages_directory = False


def start_workers() -> None:
    """Start the pool of worker processes for trainings (optviz.jobs) now, so that the first learner to press Train
    does not wait for torch to load in them. Failures are logged: the first training then starts the pool."""
    try:
        from optviz import jobs

        jobs.pool().start()
    except Exception:
        LOGGER.exception("optviz could not start its worker processes; the first training will try again")


@asynccontextmanager
async def lifespan(_app):
    """Server start: skip the pages/ fallback, warm the imports and start the worker processes on daemon threads
    (the server answers at once). Server end: the workers are shut down."""
    skip_pages_fallback()
    threading.Thread(target=warm_up, name="optviz-warm-up", daemon=True).start()
    threading.Thread(target=start_workers, name="optviz-workers", daemon=True).start()
    yield
    from optviz import jobs

    jobs.pool().shutdown()
