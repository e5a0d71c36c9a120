"""A session's long computation (optviz.jobs) on its page: its place in the queue and the wait, then its progress
and the time left, a Cancel button; the page stays usable meanwhile (the progress is a fragment that redraws
itself every POLL_SECONDS) and redraws with the result once it is in.

Pages keep the Job in session state under a name of their own; `submit` queues it, `follow` shows it and, once
done, hands it to the page's `finish(job)` (which stores the result) and reruns the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from optviz import jobs

from .i18n import t

BUSY_SECONDS = 60.0  # compute() waits this long for a free place in a full queue
POLL_SECONDS = 1.0  # each waiting page reruns its progress this often: 20 waiting learners, 20 small reruns a second


def duration_text(seconds: float) -> str:
    """'about 40 s', 'about 3 min' in the user's language."""
    if seconds < 90:
        return t("nt.about_seconds", count=max(1, round(seconds)))
    return t("nt.about_minutes", count=round(seconds / 60))


def _session_alive() -> Callable[[], bool] | None:
    """A check that this browser session is still connected (its closed tab lets the pool cancel its job)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is None or not runtime.exists():
        return None
    server, session = runtime.get_instance(), context.session_id
    return lambda: server.is_active_session(session)


def submit(name: str, function: Callable, *args, estimate: float) -> jobs.Job | None:
    """Queue `function(*args, progress=…)` for this session under the session key `name`. None (and a message) when
    the server's queue is full."""
    try:
        job = jobs.pool().submit(function, *args, estimate=estimate, alive=_session_alive())
    except jobs.BusyError:
        st.warning(t("jobs.busy"), icon=":material/hourglass_top:")
        return None
    st.session_state[name] = job
    return job


def compute(function: Callable, *args, estimate: float = 5.0):
    """`function(*args)` computed by the pool while this script waits for it (sleeping, it holds nothing: other
    sessions' reruns go on). For a page's own cached computations (the labs): the session's page waits as it would
    for a computation of its own, the server does not. A full queue is retried for BUSY_SECONDS, then the
    computation runs here. Raises what the function raised."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            job = jobs.pool().submit(jobs.call, function, *args, estimate=estimate, alive=_session_alive())
            break
        except jobs.BusyError:
            if time.monotonic() > deadline:
                return function(*args)
            time.sleep(1.0)
    return job.result()  # blocks on the future: the interpreter is free meanwhile


def pending(name: str) -> jobs.Job | None:
    """This session's job under `name`, if one is queued, running, or done but not yet shown."""
    found = st.session_state.get(name)
    return found if isinstance(found, jobs.Job) else None


def outcome(job: jobs.Job):
    """(result, problem): the job's result (what it had finished, if cancelled) and, if it did not run to its end,
    why, in the user's language."""
    try:
        return job.result(), (t("jobs.cancelled") if job.cancel_requested else None)
    except jobs.CancelledError:
        return None, t("jobs.cancelled")
    except jobs.BrokenProcessPool:
        return None, t("jobs.broken")
    except (ValueError, RuntimeError) as error:
        return None, t("jobs.failed", error=str(error)[:300])


@st.fragment(run_every=POLL_SECONDS)
def follow(name: str, describe: Callable[[jobs.Status], str], finish: Callable[[jobs.Job], None]) -> None:
    """The job under `name`: queued (position, wait), running (`describe(status)`: what is being computed, with the
    time left) with a Cancel button; once done, `finish(job)` and a rerun of the whole page."""
    job = pending(name)
    if job is None:
        return
    if job.done():
        st.session_state.pop(name, None)
        finish(job)
        st.rerun(scope="app")
    status = job.status()
    if status.position:
        st.progress(0.0, text=t("jobs.queued", position=status.position, wait=duration_text(status.wait),
                                duration=duration_text(status.left)))
    else:
        st.progress(status.fraction, text=describe(status))
    if job.cancel_requested:
        st.caption(t("jobs.cancelling"))
    elif st.button(t("jobs.cancel"), icon=":material/stop:", key=name + "_cancel", help=t("jobs.cancel_help")):
        job.cancel()  # it ends at its next report, or now if still queued; the next poll finishes it
        st.rerun(scope="fragment")
