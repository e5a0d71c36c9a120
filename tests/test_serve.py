"""optviz/ui/serve.py: the st.App start-up (pages/ fallback off, warm imports) and the HTML preload middleware."""

import asyncio
import logging
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from optviz.ui import serve


def run(coroutine):
    """asyncio.run on a thread of its own: the browser tests' Playwright keeps an event loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_middleware(response: list[dict], path: str = "/playground", method: str = "GET",
                   headers: list | None = None, tags: bytes = b"<x-preload>") -> tuple[list[dict], dict]:
    """Send one request through PreloadMiddleware to an app that answers `response`; return what left it and the
    scope the app saw."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)
        for message in response:
            await send(message)

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "root_path": "",
             "headers": headers or [(b"accept-encoding", b"gzip, br"), (b"host", b"127.0.0.1")]}
    run(serve.PreloadMiddleware(app, tags)(scope, receive, send))
    return sent, seen


def html_response(body: bytes, chunks: int = 2, extra: list | None = None) -> list[dict]:
    size = -(-len(body) // chunks)
    parts = [body[index:index + size] for index in range(0, len(body), size)]
    start = {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"text/html; charset=utf-8"),
                         (b"content-length", str(len(body)).encode()), *(extra or [])]}
    return [start, *({"type": "http.response.body", "body": part, "more_body": index < len(parts) - 1}
                     for index, part in enumerate(parts))]


def test_the_tags_name_files_of_the_installed_streamlit():
    tags = serve.preload_tags().decode()
    chunk = re.search(r'import\("\./static/js/(PlotlyChart\.[\w-]+\.js)"\)', tags)
    assert chunk and (serve.static_folder() / "static" / "js" / chunk.group(1)).is_file()
    fonts = re.findall(r'href="\./static/media/([\w.-]+\.woff2)"', tags)
    assert len(fonts) == 2 and all((serve.static_folder() / "static" / "media" / font).is_file() for font in fonts)


def test_a_streamlit_without_those_files_gets_no_tags(tmp_path):
    assert serve.preload_tags(tmp_path) == b""
    sent, _ = run_middleware(html_response(b"<html><head></head></html>"), tags=b"")
    assert b"".join(message.get("body", b"") for message in sent) == b"<html><head></head></html>"


def test_pages_get_the_tags_before_head_and_a_correct_length():
    page = b"<html><head><title>Streamlit</title></head><body>" + b"x" * 5000 + b"</body></html>"
    sent, seen = run_middleware(html_response(page, chunks=3))
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    body = sent[1]["body"]
    assert body == page.replace(b"</head>", b"<x-preload></head>")
    headers = dict(sent[0]["headers"])
    assert headers[b"content-length"] == str(len(body)).encode()
    assert sum(name == b"content-length" for name, _ in sent[0]["headers"]) == 1
    assert b"accept-encoding" not in dict(seen["headers"])  # asked for uncompressed, to be editable


@pytest.mark.parametrize("path", ["/static/js/index.js", "/_stcore/health", "/favicon.png", "/app/static/a.csv",
                                  "/media/abc.png", "/manifest.json"])
def test_assets_and_endpoints_pass_untouched(path):
    response = html_response(b"<html><head></head></html>")
    sent, seen = run_middleware(response, path=path)
    assert sent == response
    assert (b"accept-encoding", b"gzip, br") in seen["headers"]


def test_other_methods_compressed_or_non_html_responses_pass_untouched():
    page = html_response(b"<html><head></head></html>")
    assert run_middleware(page, method="POST")[0] == page
    compressed = html_response(b"\x1f\x8b...", extra=[(b"content-encoding", b"gzip")])
    assert run_middleware(compressed)[0] == compressed
    script = [{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/javascript")]},
              {"type": "http.response.body", "body": b"</head>", "more_body": False}]
    assert run_middleware(script)[0] == script


def test_a_page_without_head_is_sent_as_it_was():
    sent, _ = run_middleware(html_response(b"<p>no head</p>", chunks=1))
    assert sent[1]["body"] == b"<p>no head</p>"


def test_start_up_switches_off_the_pages_fallback_and_warms_without_errors(caplog):
    from streamlit.runtime.pages_manager import PagesManager

    previous = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None

        async def start():
            async with serve.lifespan(None):
                return PagesManager.uses_pages_directory

        assert run(start()) is False
    finally:
        PagesManager.uses_pages_directory = previous
    with caplog.at_level(logging.ERROR, logger="optviz.ui.serve"):
        serve.warm_up()
    assert not caplog.records


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no plotly today")

    monkeypatch.setattr("optviz.plots.playground.overlay_figure", broken)
    with caplog.at_level(logging.ERROR, logger="optviz.ui.serve"):
        serve.warm_up()
    assert "warm-up failed" in caplog.text


def test_the_server_sends_pages_with_the_preload_and_the_chunk_it_names(app_url):
    """Through `streamlit run server.py`: every page's HTML carries the import, and the chunk it names is served."""
    for path in ("/", "/playground?lang=zh"):
        with urllib.request.urlopen(app_url + path, timeout=30) as response:
            html = response.read().decode()
        chunk = re.search(r'import\("\./(static/js/PlotlyChart\.[\w-]+\.js)"\)', html)
        assert chunk and html.index(chunk.group(0)) < html.index("</head>")
    with urllib.request.urlopen(f"{app_url}/{chunk.group(1)}", timeout=30) as response:
        assert response.status == 200 and len(response.read()) > 1_000_000


def test_a_fragment_rerun_on_a_fresh_connection_runs_the_whole_page():
    from streamlit.proto.BackMsg_pb2 import BackMsg

    def frame(fragment: str = "") -> dict:
        message = BackMsg()
        message.rerun_script.query_string = "start=1,2"
        message.rerun_script.fragment_id = fragment
        message.rerun_script.is_auto_rerun = bool(fragment)
        return {"type": "websocket.receive", "bytes": message.SerializeToString()}

    def passed(frames: list[dict], path: str = "/_stcore/stream") -> list[BackMsg]:
        incoming, seen = list(frames), []

        async def app(scope, receive, send):
            for _ in frames:
                message = BackMsg()
                message.ParseFromString((await receive())["bytes"])
                seen.append(message)

        async def receive():
            return incoming.pop(0)

        async def send(message):
            pass

        run(serve.ReconnectMiddleware(app)({"type": "websocket", "path": path}, receive, send))
        return seen

    # a reconnection to a replica that never drew the page: its first fragment rerun becomes a whole-page run
    first, second = passed([frame("workbench"), frame("workbench")])
    assert (first.rerun_script.fragment_id, first.rerun_script.is_auto_rerun) == ("", False)
    assert first.rerun_script.query_string == "start=1,2"
    assert second.rerun_script.fragment_id == "workbench"
    # a page load starts with a whole-page run: nothing is changed
    assert [message.rerun_script.fragment_id for message in passed([frame(), frame("workbench")])] == ["", "workbench"]
    # other websockets are not touched
    assert passed([frame("workbench")], path="/other")[0].rerun_script.fragment_id == "workbench"
