"""A class behind a real load balancer: two optviz replicas and nginx with deploy/optviz.conf.template, started by
deploy/classroom.py's own functions on 127.0.0.1 (the configuration tested is the one `make class` runs).

Checked: nginx's /healthz and Streamlit's /_stcore/health answer through the balancer; every browser (its cookie)
stays on one replica for the page and every websocket, and a class is spread over both; killing one replica loses
only its own sessions: they reconnect through nginx to the other replica as fresh sessions, while the sessions on
the surviving replica go on with their state; in Chromium, the page of a killed replica reconnects by itself, its
next click rebuilds the playground from the URL on the other replica, and the clicks after it work as before.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.conftest import ROOT, free_port
from tests.streamlit_client import Session, lecture, option, value

sys.path.insert(0, str(ROOT / "deploy"))
import classroom

pytestmark = pytest.mark.server
# nginx lists every replica it tried ("a, b" when a refused): the last one answered
LOG_LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<tried>.+?) affinity=(?P<affinity>\w+)')


def run(coroutine):
    """asyncio.run on a thread of its own (the browser tests' Playwright keeps an event loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture()
def lecture_hall(tmp_path):
    """Two replicas (one training worker each) and nginx in front; everything stopped afterwards."""
    if classroom.nginx_binary() is None:
        pytest.fail("nginx is not installed: `make test` installs it (Debian's nginx-light)")
    ports = [free_port(), free_port()]
    secret = classroom.shared_secret()
    replicas = {port: classroom.start_replica(port, 1, tmp_path / f"replica-{port}.log", secret) for port in ports}
    nginx = None
    try:
        for port, process in replicas.items():
            classroom.wait_for(f"http://127.0.0.1:{port}/_stcore/health", process)
        listen = free_port()
        nginx = classroom.start_nginx(tmp_path / "nginx", f"127.0.0.1:{listen}", ports)
        yield {"url": f"http://127.0.0.1:{listen}", "replicas": replicas, "log": tmp_path / "nginx" / "access.log"}
    finally:
        for process in [*replicas.values(), *([nginx] if nginx else [])]:
            classroom.stop(process)


def get(url: str, cookie: str | None = None) -> tuple[int, str, str | None]:
    """(status, body, the affinity cookie nginx set) of a GET."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(url, headers={"Cookie": f"optviz_replica={cookie}"} if cookie else {})
    with opener.open(request, timeout=30) as response:
        body = response.read().decode(errors="replace")
        status = response.status
    found = [item.value for item in jar if item.name == "optviz_replica"]
    return status, body, found[0] if found else None


def log_entries(path: Path) -> list[dict]:
    time.sleep(0.3)  # nginx writes a websocket's line when it closes
    entries = [match.groupdict() for match in map(LOG_LINE.search, path.read_text().splitlines()) if match]
    for entry in entries:
        entry["upstream"] = entry["tried"].split(", ")[-1]
    return entries


def upstream_of(path: Path, affinity: str) -> set[str]:
    return {entry["upstream"] for entry in log_entries(path) if entry["affinity"] == affinity}


def test_the_health_checks_answer_through_the_balancer(lecture_hall):
    status, body, _ = get(lecture_hall["url"] + "/healthz")
    assert (status, body) == (200, "ok\n")  # nginx's own, no replica asked
    status, body, cookie = get(lecture_hall["url"] + "/_stcore/health")
    assert (status, body) == (200, "ok") and cookie  # Streamlit's, on the replica the new cookie points at
    for port in lecture_hall["replicas"]:
        assert get(f"http://127.0.0.1:{port}/_stcore/health")[:2] == (200, "ok")


def test_every_browser_stays_on_one_replica_and_the_class_is_spread(lecture_hall):
    url = lecture_hall["url"]

    async def learner(number: int) -> str:
        _, page, cookie = get(url + "/playground")
        assert "<html" in page.lower() and cookie
        _, _, again = get(url + "/playground", cookie)
        assert again is None  # the cookie is set once, then kept
        for _attempt in range(2):  # a session, then a reconnection of the same browser
            session = Session(url, {"Cookie": f"optviz_replica={cookie}"})
            await session.connect()
            try:
                await session.run(page="")
                drawn = await session.run(page="playground")
                moved = await session.run([value(drawn.widget("number_input", "start x"), -1.5 + 0.01 * number)])
                assert not moved.exceptions and moved.ok
            finally:
                await session.close()
        return cookie

    async def class_of(count: int) -> list[str]:
        return await asyncio.gather(*[learner(number) for number in range(count)])

    cookies = run(class_of(12))
    served = {cookie: upstream_of(lecture_hall["log"], cookie) for cookie in cookies}
    assert all(len(upstreams) == 1 for upstreams in served.values()), served  # page and websockets: one replica
    websockets = [entry for entry in log_entries(lecture_hall["log"]) if "/_stcore/stream" in entry["request"]]
    assert len(websockets) == 24 and all(entry["status"] == "101" for entry in websockets)
    replicas = {f"127.0.0.1:{port}" for port in lecture_hall["replicas"]}
    assert set().union(*served.values()) == replicas  # 12 random keys on 2 replicas: all on one has p = 2⁻¹¹


def test_a_replica_that_dies_loses_only_its_own_sessions(lecture_hall):
    url, log = lecture_hall["url"], lecture_hall["log"]

    async def scenario() -> dict:
        learners = []
        number = 0
        # learners arrive until each replica has at least three (random cookies: 8 or so)
        while number < 8 or min(sum(f"127.0.0.1:{port}" in learner["replica"] for learner in learners)
                                for port in lecture_hall["replicas"]) < 3:
            assert number < 40, "nginx sent 40 random cookies to one replica"
            _, _, cookie = get(url + "/", None)
            session = Session(url, {"Cookie": f"optviz_replica={cookie}"})
            await session.connect()
            await session.run(page="")
            drawn = await session.run(page="playground")
            own = round(-1.8 + 0.05 * number, 2)
            drawn = await session.run([value(drawn.widget("number_input", "start x"), own)])
            learners.append({"session": session, "cookie": cookie, "own": own, "run": drawn,
                             "replica": upstream_of(log, cookie) - {"-"}})
            number += 1
        port = next(iter(lecture_hall["replicas"]))
        doomed = f"127.0.0.1:{port}"
        assert {next(iter(learner["replica"])) for learner in learners} == {
            f"127.0.0.1:{port}" for port in lecture_hall["replicas"]}, "the class was not spread"
        classroom.stop(lecture_hall["replicas"][port], kill=True)  # SIGKILL: the replica and its workers die
        outcome = {"lost": [], "kept": [], "reconnected": []}
        for learner in learners:
            session = learner["session"]
            if doomed in learner["replica"]:
                with pytest.raises(Exception):  # noqa: B017 (the websocket closes: any connection error)
                    await session.run([option(learner["run"].widget("slider", "learning rate"), 1)], timeout=20)
                outcome["lost"].append(learner)
                fresh = Session(url, {"Cookie": f"optviz_replica={learner['cookie']}"})  # the browser reconnects
                await fresh.connect()
                await fresh.run(page="")
                again = await fresh.run(page="playground")
                outcome["reconnected"].append(again)
                await fresh.close()
            else:
                # the slider takes an option of its own: the start this learner set must still be there
                moved = await session.run([option(learner["run"].widget("slider", "learning rate"), 2)])
                start = parse_qs(moved.query_string or "").get("start", [""])[0].split(",")[0]
                outcome["kept"].append((learner, moved, start))
                await session.close()
        return outcome

    outcome = run(scenario())
    assert outcome["lost"] and outcome["kept"]
    for learner, moved, start in outcome["kept"]:  # the other replica's sessions noticed nothing
        assert not moved.exceptions and moved.ok
        assert abs(float(start) - learner["own"]) < 1e-9
    for again in outcome["reconnected"]:  # a fresh session on the surviving replica, working
        assert not again.exceptions and again.ok
        assert again.widget("number_input", "start x")


def test_a_class_through_the_balancer_has_no_errors_and_sees_only_its_own_state(lecture_hall):
    """bench/load.py's lecture, small: 12 learners for 30 s, 3 of them training networks (not timed)."""
    pids = [process.pid for process in lecture_hall["replicas"].values()]
    report = run(lecture(lecture_hall["url"], pids, 12, 30.0, (1.0, 3.0), 0.25, cookies=True))
    assert report.errors == [] and report.leaks == []
    assert len(report.light_seconds) > 40 and report.training_seconds  # reruns and trainings happened
    assert report.polls > 0  # the trainers' pages polled their progress as the browser's timer does


@pytest.mark.browser
def test_a_page_whose_replica_dies_reconnects_and_restores_the_playground_from_its_url(lecture_hall, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(lecture_hall["url"] + "/playground?start=-1.25,1.5&steps=321")
        expect(page.get_by_label("steps")).to_have_value("321", timeout=60_000)
        cookie = next(item["value"] for item in page.context.cookies() if item["name"] == "optviz_replica")
        serving = upstream_of(lecture_hall["log"], cookie) - {"-"}
        port = int(next(iter(serving)).rsplit(":", 1)[1])
        surviving = f"127.0.0.1:{next(other for other in lecture_hall['replicas'] if other != port)}"
        classroom.stop(lecture_hall["replicas"][port], kill=True)
        # Streamlit's page notices its closed websocket and reconnects by itself; nginx sends it to the other
        # replica, where a new session reads the comparison back from the page's URL
        deadline = time.monotonic() + 60
        while surviving not in upstream_of(lecture_hall["log"], cookie) and time.monotonic() < deadline:
            time.sleep(0.5)
        page.wait_for_timeout(2000)
        assert surviving in upstream_of(lecture_hall["log"], cookie), "the page did not reconnect"
        # the page's next click runs the whole page in the new session (optviz.ui.serve.ReconnectMiddleware),
        # which reads the comparison back from the URL; after that, clicks work as before
        steps = page.get_by_label("steps")
        steps.fill("300")
        steps.press("Enter")
        page.wait_for_timeout(3000)
        expect(page.get_by_label("steps")).to_have_value("321", timeout=60_000)
        steps.fill("300")
        steps.press("Enter")
        expect(page).to_have_url(re.compile(r"start=-1\.25%2C1\.5&steps=300"), timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
