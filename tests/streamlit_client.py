"""A minimal Streamlit client over the websocket, for load tests: what the browser's frontend sends and reads.

It sends BackMsg.rerun_script (query string, page, widget values) and reads ForwardMsgs until the run finishes,
keeping what a test needs: the widgets drawn (type, label, id, value), the page's texts, the query string the
app wrote, exceptions shown and the time the run took. Nothing here draws anything.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

WIDGETS = ("slider", "number_input", "selectbox", "radio", "checkbox", "text_input", "multiselect", "button",
           "button_group", "segmented_control", "toggle")


@dataclass
class Widget:
    kind: str
    label: str
    id: str
    proto: object
    fragment: str = ""  # the fragment that drew it ("" outside any): a change reruns that fragment only


@dataclass
class Run:
    """What one script run sent back."""

    seconds: float
    status: str
    widgets: list[Widget] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    query_string: str | None = None
    messages: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        """The run (of the page, or of a fragment) ran to its end."""
        return self.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")

    def widget(self, kind: str, label: str) -> Widget:
        found = [widget for widget in self.widgets if widget.kind == kind and widget.label == label]
        if not found:
            raise LookupError(f"no {kind} labelled {label!r}: {[(w.kind, w.label) for w in self.widgets]}")
        return found[0]


class Session:
    """One browser tab's worth of Streamlit session, over one websocket."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.headers = headers or {}  # e.g. the Cookie a load balancer keeps the session on its replica by
        self.connection = None
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.query_string = ""
        self.auto_reruns: dict[str, float] = {}  # fragment id -> seconds: what the browser would rerun by itself
        self.fragments: dict[str, str] = {}  # widget id -> the fragment that drew it

    async def connect(self) -> None:
        self.connection = await connect(self.url, subprotocols=["streamlit"], max_size=2 ** 28,
                                        open_timeout=60, ping_interval=None, additional_headers=self.headers)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def run(self, widget_states: list[WidgetState] | None = None, page: str | None = None,
                  query_string: str | None = None, timeout: float = 120.0, fragment: str = "") -> Run:
        """Ask for a rerun (of `page`, a url path, or the current page; of one `fragment` as the browser's timer
        does) and read until it finishes."""
        message = BackMsg()
        state = message.rerun_script
        drawn_in = {self.fragments.get(widget.id, "") for widget in widget_states or []}
        if not fragment and page is None and len(drawn_in) == 1 and "" not in drawn_in:
            fragment = drawn_in.pop()  # as the browser does: a widget of a fragment reruns that fragment
            auto = False
        else:
            auto = bool(fragment)
        if fragment:
            state.fragment_id = fragment
            state.is_auto_rerun = auto
        else:  # a whole-page run: the browser forgets its fragments' timers, the run sets them again
            self.auto_reruns.clear()
        state.query_string = self.query_string if query_string is None else query_string
        if page is not None:
            state.page_script_hash = self.pages.get(page, "")
            state.page_name = page
        else:
            state.page_script_hash = self.page_hash
        for widget in widget_states or []:
            state.widget_states.widgets.append(widget)
        began = time.perf_counter()
        await self.connection.send(message.SerializeToString())
        run = Run(0.0, "")
        deadline = began + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no end of the run within {timeout:.0f} s")
            raw = await asyncio.wait_for(self.connection.recv(), remaining)
            run.messages += 1
            run.bytes += len(raw)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = forward.new_session.page_script_hash or self.page_hash
                for app_page in forward.new_session.app_pages:
                    self.pages[app_page.url_pathname] = app_page.page_script_hash
            elif kind == "navigation":
                self.page_hash = forward.navigation.page_script_hash or self.page_hash
                for app_page in forward.navigation.app_pages:
                    self.pages[app_page.url_pathname] = app_page.page_script_hash
            elif kind == "auto_rerun":
                self.auto_reruns[forward.auto_rerun.fragment_id] = forward.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment_id in forward.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fragment_id, None)
            elif kind == "page_info_changed":
                self.query_string = run.query_string = forward.page_info_changed.query_string
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                element_kind = element.WhichOneof("type")
                if element_kind in WIDGETS:
                    proto = getattr(element, element_kind)
                    run.widgets.append(Widget(element_kind, getattr(proto, "label", ""), proto.id, proto,
                                              forward.delta.fragment_id))
                    self.fragments[proto.id] = forward.delta.fragment_id
                elif element_kind == "exception":
                    run.exceptions.append(f"{element.exception.type}: {element.exception.message}"
                                          + ("\n" + "\n".join(element.exception.stack_trace) if DEBUG else ""))
                elif element_kind in ("markdown", "heading", "alert"):
                    body = getattr(element, element_kind).body
                    run.texts.append(body)
                elif element_kind == "progress":
                    run.texts.append(element.progress.text)
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - began
                run.status = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
                if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return run
                self.auto_reruns.clear()  # st.rerun(): a whole-page run follows
                run = Run(0.0, "")  # a rerun the script asked for (st.rerun): read the run that follows


def value(widget: Widget, number: float) -> WidgetState:
    """The state that sets `widget` (a slider or a number box) to `number`."""
    state = WidgetState(id=widget.id)
    if widget.kind == "slider":
        state.double_array_value.data.append(number)
    elif widget.kind == "number_input" and widget.proto.data_type == widget.proto.INT:
        state.int_value = int(number)
    else:
        state.double_value = number
    return state


def option(widget: Widget, index: int) -> WidgetState:
    """The state that sets a select slider (a slider with options) to its option `index` (sent as its text)."""
    state = WidgetState(id=widget.id)
    state.string_array_value.data.append(widget.proto.options[index])
    return state


def rss_mib(pid: int) -> float:
    """The resident memory of process `pid` and its children's threads (one process: Streamlit's server), MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class LoadReport:
    """What `load` saw: latencies per kind of action, errors, the server's memory over time."""

    slider_seconds: list[float] = field(default_factory=list)
    page_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    memory: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, RSS MiB)
    memory_before: float = float("nan")
    memory_connected: float = float("nan")  # every session has drawn the playground once
    memory_per_session: float = float("nan")  # MiB per extra session, caches warm (see `load`)
    actions: int = 0


DEBUG = False
PAGES = ("", "landscape", "networks", "network_landscape", "labs", "momentum")


def judge(run: Run, number: int, own: float | None, report) -> None:
    """A learner's run: its errors, and whether its page still shows the start `own` it set (else a leak)."""
    from urllib.parse import parse_qs

    if not run.ok:
        report.errors.append(f"learner {number}: the run ended {run.status}")
    report.errors += [f"learner {number}: {error}" for error in run.exceptions]
    if own is not None and run.query_string is not None:
        start = parse_qs(run.query_string).get("start", [""])[0].split(",")[0]
        if not start or abs(float(start) - own) > 1e-9:
            report.leaks.append(f"learner {number} set start x = {own} but its page says {start!r}")


async def _learner(url: str, number: int, clock: dict, report: LoadReport, think: tuple[float, float],
                   arrived: asyncio.Event, count: list[int]) -> None:
    """One learner: opens the playground, waits for the others, then until clock["end"] moves its start and a
    learning rate, and now and then visits another page and comes back with its own URL."""
    import random

    rng = random.Random(number)
    session = Session(url)

    def arrive() -> None:
        count[0] += 1
        if count[0] == count[1]:
            arrived.set()

    try:
        try:
            await session.connect()
            await session.run(page="")
            run = await session.run(page="playground")
        finally:
            arrive()
        await arrived.wait()
        own = None
        while time.monotonic() < clock["end"]:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= clock["end"]:
                break
            if rng.random() < 0.2:  # another page, then back to the playground with its own URL
                mine = session.query_string
                other = await session.run(page=rng.choice(PAGES), query_string="")
                report.page_seconds.append(other.seconds)
                report.errors += [f"learner {number}: {error}" for error in other.exceptions]
                run = await session.run(page="playground", query_string=mine)
                report.page_seconds.append(run.seconds)
            else:
                if rng.random() < 0.5:
                    own = round(-1.9 + 0.01 * number + 0.5 * rng.randrange(2), 2)
                    state = value(run.widget("number_input", "start x"), own)
                else:
                    slider = run.widget("slider", "learning rate")
                    state = option(slider, rng.randrange(len(slider.proto.options)))
                run = await session.run([state])
                report.slider_seconds.append(run.seconds)
            report.actions += 1
            judge(run, number, own, report)
    except Exception as error:  # every failure is a finding of the load test
        import traceback

        report.errors.append(f"learner {number}: {type(error).__name__}: {error} "
                             f"{traceback.format_exc(limit=-2) if DEBUG else ''}")
    finally:
        await session.close()


async def load(url: str, pid: int, sessions: int = 20, seconds: float = 60.0,
               think: tuple[float, float] = (0.5, 1.5), measure_sessions: int = 0) -> LoadReport:
    """`sessions` learners at once against the server at `url` (process `pid`): each draws the playground, then all
    act for `seconds`. The server's memory is sampled every half second. With `measure_sessions`, that many new
    sessions are opened afterwards to measure what one more session costs (caches warm)."""
    report = LoadReport(memory_before=rss_mib(pid))
    began = time.monotonic()
    arrived = asyncio.Event()
    clock = {"end": float("inf")}

    async def sample() -> None:
        while time.monotonic() < clock["end"] + 2:
            report.memory.append((time.monotonic() - began, rss_mib(pid)))
            await asyncio.sleep(0.5)

    async def start_clock() -> None:
        await arrived.wait()
        report.memory_connected = rss_mib(pid)
        clock["end"] = time.monotonic() + seconds

    sampler = asyncio.create_task(sample())
    timer = asyncio.create_task(start_clock())
    count = [0, sessions]  # learners that have drawn the playground (or failed to), and all of them
    await asyncio.gather(*[_learner(url, number, clock, report, think, arrived, count)
                           for number in range(sessions)])
    await timer
    sampler.cancel()
    if measure_sessions:
        report.memory_per_session = await _memory_per_session(url, pid, measure_sessions)
    return report


async def _memory_per_session(url: str, pid: int, count: int) -> float:
    """MiB of server memory per session, with the caches already warm: `count` new sessions each draw every page
    and stay open while the server's RSS is read (the mean over the last three seconds, before and after)."""

    async def steady() -> float:
        samples = []
        for _ in range(6):
            samples.append(rss_mib(pid))
            await asyncio.sleep(0.5)
        return float(sum(samples) / len(samples))

    warm = Session(url)  # one session opens every page first: torch and the caches are loaded before measuring
    try:
        await warm.connect()
        for page in (*PAGES, "playground"):
            await warm.run(page=page, query_string="")
    finally:
        await warm.close()
    before = await steady()
    sessions = [Session(url) for _ in range(count)]
    try:
        for session in sessions:
            await session.connect()
            for page in (*PAGES, "playground"):
                await session.run(page=page, query_string="")
        after = await steady()
    finally:
        for session in sessions:
            await session.close()
    return (after - before) / count


def press(widget: Widget) -> WidgetState:
    """The state of a click on button `widget`."""
    state = WidgetState(id=widget.id)
    state.trigger_value = True
    return state


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (its own threads, not its children), seconds."""
    import os

    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ClassReport:
    """What `lecture` saw: light reruns' latencies, the trainings' queue waits and durations, the browsers'
    progress polls, errors and leaks, and the servers' CPU and memory."""

    light_seconds: list[float] = field(default_factory=list)
    queue_seconds: list[float] = field(default_factory=list)  # Train pressed -> its training started
    training_seconds: list[float] = field(default_factory=list)  # Train pressed -> its results drawn
    polls: int = 0  # the progress fragment's reruns (the browser's timer)
    trainer_reruns: int = 0  # whole-page runs of the trainers (a new seed, Train, the results)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the servers' own processes (not their training workers) during the lecture
    memory_before: float = 0.0  # MiB, all servers
    memory_after: float = 0.0
    seconds: float = 0.0


async def _light_learner(session: Session, number: int, rng, clock: dict, report: ClassReport,
                         think: tuple[float, float]) -> None:
    """Moves its start or a learning rate on the playground; one action in five visits the landscape and comes
    back with its own URL. Checks that its page keeps its own start."""

    run = await session.run(page="playground")
    own = None
    while time.monotonic() < clock["end"]:
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() >= clock["end"]:
            break
        if rng.random() < 0.2:
            mine = session.query_string
            other = await session.run(page="landscape", query_string="")
            report.light_seconds.append(other.seconds)
            report.errors += [f"learner {number}: {error}" for error in other.exceptions]
            run = await session.run(page="playground", query_string=mine)
        elif rng.random() < 0.5:
            own = round(-1.9 + 0.01 * (number % 100) + 0.5 * rng.randrange(2), 2)
            run = await session.run([value(run.widget("number_input", "start x"), own)])
        else:
            slider = run.widget("slider", "learning rate")
            run = await session.run([option(slider, rng.randrange(len(slider.proto.options)))])
        report.light_seconds.append(run.seconds)
        judge(run, number, own, report)


async def _trainer(session: Session, number: int, rng, clock: dict, report: ClassReport,
                   think: tuple[float, float]) -> None:
    """On the networks page with its default settings: a seed of its own, Train, then the progress fragment polled
    as the browser's timer would until the results are drawn; again after thinking, with the next seed."""
    run = await session.run(page="networks")
    report.trainer_reruns += 1
    seed = 1000 + 37 * number
    while time.monotonic() < clock["end"]:
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() >= clock["end"]:
            break
        seed += 1
        run = await session.run([value(run.widget("number_input", "seed"), seed)])
        report.trainer_reruns += 1
        pressed = time.monotonic()
        run = await session.run([press(run.widget("button", "Train"))])
        report.trainer_reruns += 1
        started = None
        while session.auto_reruns:
            texts = " ".join(run.texts)
            if started is None and "Training" in texts:
                started = time.monotonic()
            if time.monotonic() - pressed > 600:
                report.errors.append(f"trainer {number}: no result after 600 s")
                return
            fragment, interval = next(iter(session.auto_reruns.items()))
            await asyncio.sleep(interval)
            run = await session.run(fragment=fragment)
            report.polls += 1
            report.errors += [f"trainer {number}: {error}" for error in run.exceptions]
        finished = time.monotonic()
        report.queue_seconds.append((started or finished) - pressed)
        report.training_seconds.append(finished - pressed)
        if not any("Test set" in text for text in run.texts):
            report.errors.append(f"trainer {number}: the results did not appear (seed {seed})")
        report.errors += [f"trainer {number}: {error}" for error in run.exceptions]


async def lecture(url: str, server_pids: list[int], learners: int, seconds: float,
                  think: tuple[float, float] = (3.0, 8.0), trainers: float = 0.2,
                  cookies: bool = False) -> ClassReport:
    """A class at `url`: `learners` sessions, a share `trainers` of them pressing Train on the networks page, the
    rest rerunning the playground (and visiting the landscape), each acting every `think` seconds, for `seconds`
    once all have arrived. With `cookies` each learner first GETs the page for the balancer's affinity cookie and
    sends it with its websocket (a browser behind nginx). CPU and memory are read from `server_pids`."""
    import random
    import urllib.request

    report = ClassReport()
    report.memory_before = sum(rss_mib(pid) for pid in server_pids)
    clock = {"end": float("inf")}
    arrived = asyncio.Event()
    count = [0]
    trainer_count = round(learners * trainers)

    async def learner(number: int) -> None:
        rng = random.Random(number)
        headers = {}
        if cookies:
            response = await asyncio.to_thread(urllib.request.urlopen, url + "/", None, 30)
            cookie = response.headers.get("Set-Cookie", "").split(";")[0]
            headers = {"Cookie": cookie} if cookie else {}
        session = Session(url, headers)
        try:
            try:
                await session.connect()
                await session.run(page="")
            finally:
                count[0] += 1
                if count[0] == learners:
                    arrived.set()
            await arrived.wait()
            if number < trainer_count:
                await _trainer(session, number, rng, clock, report, think)
            else:
                await _light_learner(session, number, rng, clock, report, think)
        except Exception as error:  # every failure is a finding
            report.errors.append(f"learner {number}: {type(error).__name__}: {error}")
        finally:
            await session.close()

    async def start_clock() -> None:
        await arrived.wait()
        report.cpu_seconds = -sum(cpu_seconds(pid) for pid in server_pids)
        clock["end"] = time.monotonic() + seconds
        clock["began"] = time.monotonic()

    timer = asyncio.create_task(start_clock())
    await asyncio.gather(*[learner(number) for number in range(learners)])
    await timer
    report.seconds = time.monotonic() - clock["began"]
    report.cpu_seconds += sum(cpu_seconds(pid) for pid in server_pids)
    report.memory_after = sum(rss_mib(pid) for pid in server_pids)
    return report
