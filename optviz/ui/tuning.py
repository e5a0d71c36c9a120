"""The networks page's Tune tab: the learning-rate range test of every lane and a random search for one lane, each
run as a job on the worker pool (optviz.jobs), their results kept in the session, drawn in the chart column, and
buttons that write a suggestion into a lane's widgets.

A result is stored under what decides it and nothing else: the range test ignores a lane's learning rate and the
Setup's epochs, the search a lane's learning rate and weight decay; so applying a suggestion (which changes the
lane's learning rate) keeps its chart in view."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import streamlit as st

from optviz.engine import OPTIMIZERS
from optviz.engine.spec import format_plain
from optviz.lane import Lane
from optviz.nets.tuning import (
    BATCH_CHOICES,
    RANGE_MAX_LR,
    RANGE_MIN_LR,
    RANGE_STEPS,
    SEARCH_EPOCHS,
    SEARCH_TRIALS,
    RangeSettings,
    SearchSettings,
    draw_trials,
    significant,
)
from optviz.plots import tuning as figures
from optviz.plots.style import lane_colour

from . import jobs as jobs_ui
from . import keys
from . import networks as nt
from .i18n import t
from .widgets import log_options

RANGE_JOB = nt.key("tune_range_job")
SEARCH_JOB = nt.key("tune_search_job")
APPLIED = nt.key("tune_applied")  # what a button wrote into a lane, said beside it while the lane keeps it
PROBLEM = nt.key("tune_problem")  # why the last tuning job gave no (or a partial) result, shown once
RANGES = nt.key("tune_ranges")
SEARCHES = nt.key("tune_searches")
LINEAGE = nt.key("tune_lineage")  # {a lane's id: the id it had before a button rewrote it}, so a lane knows its tests
STORE_SIZE = 24
LINEAGE_SIZE = 64
VIEWS = ("range", "search")  # the chart column's views this module draws (beside the training's)


def key(name: str) -> str:
    """The session key of a Tune-tab widget ("nt_tune_<name>": no lane's, no Setup's; not copied to other pages)."""
    return nt.key("tune_" + name)


def _without(lane: Lane, names: tuple[str, ...]) -> Lane:
    return dataclasses.replace(lane, hyperparameters=tuple(item for item in lane.hyperparameters
                                                           if item[0] not in names))


def range_name(setup, lane: Lane) -> tuple:
    """The store's key of a lane's range test: its Setup but the epochs and patience (a range test runs a fixed
    number of steps) and the lane but its learning rate (the test sets it) and schedule (the test replaces it)."""
    return (dataclasses.replace(setup, epochs=0, patience=0),
            dataclasses.replace(_without(lane, ("lr",)), schedule=None))


def search_name(setup, lane: Lane, searched_batch: bool) -> tuple:
    """The store's key of a lane's search: its Setup but the epochs (the search has its own; and the batch size
    when the search draws it) and the lane but the learning rate and weight decay (the search draws them)."""
    plain = dataclasses.replace(setup, epochs=0, batch_size=0 if searched_batch else setup.batch_size)
    return plain, _without(lane, ("lr", "weight_decay")), searched_batch


def ranges() -> dict:
    """The session's range tests, by range_name; the oldest leave first."""
    return nt.session_store(RANGES)


def searches() -> dict:
    """The session's searches, by search_name; the oldest leave first."""
    return nt.session_store(SEARCHES)


# ------------------------------------------------------------------------------------------------ applying values


def rewrite_lane(index: int, values: dict[str, float], batch_size: int | None = None,
                 said: tuple[str, str] | None = None) -> None:
    """Callback: lane `index` takes `values` (hyperparameters by name) and, with `batch_size`, the page its batch size.

    The lane gets a fresh id with every other value copied over, so all its widgets are new ones: a widget inside a
    closed popover (a weight decay under More settings) is not mounted in the browser and would send its old value
    back on the next rerun, whatever the server had set (see optviz.ui.playground.reset_lane)."""
    state = st.session_state
    ids = list(state.get(nt.PREFIX + "lanes", []))
    if not 0 <= index < len(ids):
        return
    old, fresh = ids[index], state.get(nt.PREFIX + "next_id", max(ids) + 1)
    state[nt.PREFIX + "next_id"] = fresh + 1
    for name in keys.lane_keys(list(state), nt.PREFIX, old):
        field = keys.lane_field(name, nt.PREFIX)[1]
        if field not in keys.VALUELESS_FIELDS:
            state[keys.lane_key(fresh, field, nt.PREFIX)] = state[name]
        del state[name]
    for name, value in values.items():
        state[keys.hyperparameter_key(fresh, name, nt.PREFIX)] = value
    ids[index] = fresh
    state[nt.PREFIX + "lanes"] = ids
    lineage = state.setdefault(LINEAGE, {})
    lineage[fresh] = old
    for oldest in list(lineage)[:-LINEAGE_SIZE]:
        del lineage[oldest]
    if batch_size is not None:
        state[nt.key("batch")] = batch_size
    if said is not None:  # (where: "range" or "search", the sentence), shown under the buttons while it holds
        state[APPLIED] = (*said, fresh, dict(values), batch_size)


def forget_applied() -> None:
    """Drop what a button said it wrote (a training or a new range test or search has happened since)."""
    st.session_state.pop(APPLIED, None)


def applied_text(label: str, values: dict[str, float], batch_size: int | None = None) -> str:
    """What a button wrote, said in full: the lane's values, and the page's batch size as every lane's."""
    if batch_size is None:
        return t("nt.tune.applied", lane=label, values=values_text(values))
    return t("nt.tune.applied_batch", lane=label, values=values_text(values), batch=batch_size)


def values_text(values: dict[str, float], batch_size: int | None = None) -> str:
    """'lr 0.32, wd 1.4e-05, batch 64' in the user's language (what a button writes into a lane)."""
    parts = [f"{t('nt.tune.lr_short') if name == 'lr' else t('nt.tune.wd')} {figures.short(value)}"
             for name, value in values.items()]
    if batch_size is not None:
        parts.append(f"{t('nt.tune.batch_short')} {batch_size}")
    return t("nt.tune.separator").join(parts)


def applied_ui(where: str, lane_index: int | None = None) -> None:
    """What a button of this part (`where`) wrote into a lane, as long as the lane (and the page's batch size, when
    it was written) still holds those values; with `lane_index`, only when that lane is the one written into."""
    said = st.session_state.get(APPLIED)
    if said is None or said[0] != where:
        return
    _, sentence, lane_id, values, batch_size = said
    ids = st.session_state.get(nt.PREFIX + "lanes", [])
    if lane_id in ids and all(st.session_state.get(keys.hyperparameter_key(lane_id, name, nt.PREFIX)) == value
                              for name, value in values.items()) and (
            batch_size is None or st.session_state.get(nt.key("batch")) == batch_size):
        if lane_index is None or (0 <= lane_index < len(ids) and ids[lane_index] == lane_id):
            st.success(sentence, icon=":material/check:")
    else:
        st.session_state.pop(APPLIED)


# ------------------------------------------------------------------------------------------------ the Tune tab


def range_settings_ui() -> RangeSettings:
    """The range test's settings (in a popover): the smallest and largest learning rate and the steps."""
    with st.popover(t("nt.tune.range_settings"), icon=":material/tune:", width="stretch"):
        low = st.select_slider(t("nt.tune.min_lr"), log_options(1e-8, 1e-2), value=RANGE_MIN_LR,
                               key=key("min_lr"), persist_state="session", format_func=format_plain)
        high = st.select_slider(t("nt.tune.max_lr"), log_options(0.01, 100.0), value=RANGE_MAX_LR,
                                key=key("max_lr"), persist_state="session", format_func=format_plain)
        steps = st.slider(t("nt.tune.steps"), 20, 500, RANGE_STEPS, step=10, key=key("steps"),
                          persist_state="session", help=t("nt.tune.steps_help"))
    return RangeSettings(float(low), float(high), int(steps))


def range_ui(setup, active: dict[int, Lane], labels: dict[int, str], blocked: bool) -> dict[str, Any] | None:
    """The range test's part of the Tune tab: what it does, its settings, its button, and under it, per lane with a
    result, the two buttons that write a suggestion into the lane. Returns what to start when the button is pressed:
    {"settings", "lanes": {index: lane}} of the lanes without a result for these settings; else None."""
    st.markdown(f"**{t('nt.tune.range_title')}**", help=t("nt.tune.range_help"))
    settings = range_settings_ui()
    if settings.min_lr >= settings.max_lr:
        st.error(t("nt.tune.bad_range"), icon=":material/error:")
    store = ranges()
    missing = {index: lane for index, lane in active.items()
               if store.get(range_name(setup, lane), {}).get("settings") != settings}
    pending = jobs_ui.pending(RANGE_JOB) is not None
    pressed = st.button(t("nt.tune.range_run", lanes=len(active)), icon=":material/query_stats:", width="stretch",
                        key=key("range_run"),
                        disabled=not missing or blocked or pending or settings.min_lr >= settings.max_lr)
    if not missing and active and not pending:
        st.caption(t("nt.tune.range_done"))
    stale = stale_ranges(setup, active)
    if stale and not pending:
        st.info(stale_text(setup, stale, labels, active), icon=":material/history:")
    for index, lane in active.items():
        result = store.get(range_name(setup, lane))
        if result is None or result.get("settings") != settings or "error" in result:
            continue
        st.html(f"<p class='ov-lane-head'><span style='color:{lane_colour(index)}'>●</span> {labels[index]}</p>")
        doubtful = unreliable(result)
        left, right = st.columns(2)
        for column, name in ((left, "steepest"), (right, "min_ten")):
            value = result.get(name)
            shown = significant(value) if value else None
            said = None if shown is None else ("range", applied_text(labels[index], {"lr": shown}))
            unsure = "_unsure" if name == "steepest" and doubtful else ""
            column.button(t(f"nt.tune.use_{name}{unsure}", value=figures.short(value)) if shown
                          else t(f"nt.tune.no_{name}"),
                          key=key(f"use_{name}_{index}"), width="stretch", disabled=shown is None,
                          type="tertiary" if unsure else "secondary",
                          help=t(f"nt.tune.use_{name}{unsure}_help"), on_click=rewrite_lane,
                          args=(index, {"lr": shown}, None, said))
        if doubtful:
            st.caption(flat_text(result, labels[index]))
    applied_ui("range")
    return {"settings": settings, "lanes": missing} if pressed and missing else None


def unreliable(result: dict) -> bool:
    """Whether a range test's "steepest" is not to be trusted: it has one, but the smoothed loss fell by less than
    CLEAR_DESCENT before its minimum (optviz.nets.tuning.suggestions)."""
    return result.get("steepest") is not None and not result.get("steepest_reliable", True)


def flat_text(result: dict, label: str) -> str:
    """Why a lane's steepest point is not to be trusted: 'no clear descent (… falls only 2.6 % …)'."""
    return t("nt.tune.flat", lane=label, drop=f"{max(result.get('descent') or 0.0, 0.0):.1%}")


def ancestry(lane_id: int | None) -> set[int]:
    """A lane's id and the ids it had before buttons rewrote it (rewrite_lane gives the lane a fresh id)."""
    lineage, found = st.session_state.get(LINEAGE, {}), set()
    while lane_id is not None and lane_id not in found:
        found.add(lane_id)
        lane_id = lineage.get(lane_id)
    return found


def stale_ranges(setup, active: dict[int, Lane]) -> dict[int, tuple[int, tuple[str, ...]]]:
    """The lanes without a range test for their settings but with one for the same data and network at an older
    batch size or older settings of the lane itself (changed since, e.g. by "Apply best"): {lane index: (that
    test's batch size, the lane's settings that changed: hyperparameter names, "tricks", "convention")}, the latest
    test kept. A test is the lane's when it is of the lane itself (the same id, or an id it had before a button
    rewrote it) or of a lane with all of its settings."""
    ids = st.session_state.get(nt.PREFIX + "lanes", [])
    found = {}
    for index, lane in active.items():
        name = range_name(setup, lane)
        if name in ranges():
            continue
        plain, lane_key = name
        own = ancestry(ids[index] if index < len(ids) else None)
        for (other, other_lane), result in ranges().items():
            if "error" in result or other_lane.optimizer != lane_key.optimizer or \
                    dataclasses.replace(other, batch_size=setup.batch_size) != plain:
                continue
            changed = lane_changes(other_lane, lane_key)
            if (changed and own & set(result.get("lane_ids", ()))) or (not changed and other != plain):
                found[index] = (other.batch_size, changed)
    return found


def lane_changes(old: Lane, new: Lane) -> tuple[str, ...]:
    """What differs between two lanes of one optimizer (their learning rates and schedules aside): the names of the
    hyperparameters, then "tricks" and "convention"."""
    before, after = old.values(), new.values()
    changed = [name for name in OPTIMIZERS[new.optimizer].specs if name != "lr" and before.get(name) != after.get(name)]
    if old.tricks != new.tricks:
        changed.append("tricks")
    if old.convention != new.convention:
        changed.append("convention")
    return tuple(changed)


def stale_text(setup, stale: dict[int, tuple[int, tuple[str, ...]]], labels: dict[int, str],
               active: dict[int, Lane]) -> str:
    """Why a lane's range test (its buttons, its view) is gone: the lanes whose tests were run at another batch size,
    in one sentence; each lane whose own settings changed too, in a sentence of its own naming them."""
    def size(value: int) -> str:
        return str(value) if value else t("nt.full_batch")

    def setting(lane: Lane, name: str) -> str:
        if name in ("tricks", "convention"):
            return t(f"nt.tune.changed_{name}")
        return re.sub(r"\s*[(（][^()（）]*[)）]$", "", OPTIMIZERS[lane.optimizer].specs[name].label(_lang()))

    batch_only = {index: old for index, (old, changed) in stale.items() if not changed}
    sentences = []
    for index, (old, changed) in stale.items():
        if changed:
            what = [setting(active[index], name) for name in changed]
            if old != setup.batch_size:
                what.append(t("nt.batch"))
            sentences.append(t("nt.tune.range_old_settings", lane=labels[index],
                               what=t("nt.tune.separator").join(what)))
        elif index == next(iter(batch_only)):
            olds = sorted(set(batch_only.values()))
            sentences.append(t("nt.tune.range_stale",
                               lanes=t("nt.tune.separator").join(labels[item] for item in batch_only),
                               old=t("nt.tune.separator").join(size(value) for value in olds),
                               new=size(setup.batch_size)))
    return " ".join(sentences)


def search_settings_ui(setup) -> tuple[SearchSettings, bool]:
    """The search's budget, epochs per trial and whether it draws the batch size too; the trials' seed is the
    page's (Training tab)."""
    left, right = st.columns(2)
    trials = left.slider(t("nt.tune.trials"), 4, 40, SEARCH_TRIALS, key=key("trials"), persist_state="session",
                         help=t("nt.tune.trials_help"))
    epochs = right.slider(t("nt.tune.epochs"), 5, 200, SEARCH_EPOCHS, step=5, key=key("epochs"),
                          persist_state="session", help=t("nt.tune.epochs_help"))
    batch = st.toggle(t("nt.tune.with_batch"), value=False, key=key("batch"), persist_state="session",
                      help=t("nt.tune.with_batch_help", sizes=", ".join(map(str, BATCH_CHOICES))))
    return SearchSettings(int(trials), int(epochs), BATCH_CHOICES if batch else (), setup.seed), bool(batch)


def search_ui(setup, active: dict[int, Lane], labels: dict[int, str], blocked: bool) -> dict[str, Any] | None:
    """The search's part of the Tune tab: the lane, the budget, its button and time, and "apply best". Returns what
    to start when the button is pressed ({"settings", "index", "lane"}), else None."""
    st.markdown(f"**{t('nt.tune.search_title')}**", help=t("nt.tune.search_help"))
    if not active:
        return None
    chosen = st.selectbox(t("nt.tune.search_lane"), list(active), format_func=labels.__getitem__, key=key("lane"),
                          persist_state="session")
    chosen = chosen if chosen in active else next(iter(active))
    lane = active[chosen]
    settings, searched_batch = search_settings_ui(setup)
    result = searches().get(search_name(setup, lane, searched_batch))
    pending = jobs_ui.pending(SEARCH_JOB) is not None
    done = result is not None and result["settings"] == settings and not result.get("cancelled")
    pressed = st.button(t("nt.tune.search_run", trials=settings.trials), icon=":material/casino:", width="stretch",
                        key=key("search_run"), disabled=blocked or pending or done)
    if not pending and not done:
        estimate = search_seconds(setup, lane, settings)
        st.caption(t("nt.tune.search_time", trials=settings.trials, duration=jobs_ui.duration_text(estimate),
                     seed=setup.seed))
    if result is not None and result.get("best") is not None:
        best = result["trials"][result["best"]]
        values = {"lr": best["lr"]}
        if best.get("weight_decay") is not None:
            values["weight_decay"] = best["weight_decay"]
        batch = best["batch_size"] if result.get("searched_batch") else None
        label, help_text = apply_best_text(result, values_text(values, batch))
        st.button(label, key=key("apply_best"), type="primary", width="stretch", icon=":material/done_all:",
                  help=help_text, on_click=rewrite_lane, args=(chosen, values, batch,
                                               ("search", applied_text(labels[chosen], values, batch))))
        applied_ui("search", chosen)
    return {"settings": settings, "index": chosen, "lane": lane} if pressed else None


def apply_best_text(result: dict, values: str) -> tuple[str, str]:
    """The label and help of "Apply best": a search stopped before its budget says of how many trials its best is
    (the best of 2 trials is not the best of 40)."""
    done, planned = len(result["trials"]), result["planned"]
    if result.get("cancelled") and done < planned:
        return (t("nt.tune.apply_best_partial", values=values, done=done),
                t("nt.tune.apply_best_partial_help", done=done, planned=planned))
    return t("nt.tune.apply_best", values=values), t("nt.tune.apply_best_help")


def search_seconds(setup, lane: Lane, settings: SearchSettings) -> float:
    """About how long a search takes: each of its trials (drawn here as the job will: the same seed) as a training
    of its epochs at its own batch size."""
    sizes = [trial["batch_size"] for trial in draw_trials(lane, settings, setup.batch_size)]
    return sum(nt.forecast_seconds(dataclasses.replace(setup, epochs=settings.epochs, batch_size=size), count)
               for size, count in ((size, sizes.count(size)) for size in set(sizes)))


# ------------------------------------------------------------------------------------------------ jobs


def start_range(setup, request: dict[str, Any], labels: dict[int, str]) -> None:
    """Queue the range test of the lanes of `request` (range_ui's) on the pool and rerun."""
    from optviz.nets.tasks import range_test_lanes

    lanes = request["lanes"]
    settings = request["settings"]
    estimate = 0.002 * settings.steps * len(lanes) + 1.0
    job = jobs_ui.submit(RANGE_JOB, range_test_lanes, setup, list(lanes.values()), settings, estimate=estimate)
    if job is not None:
        forget_applied()
        ids = st.session_state.get(nt.PREFIX + "lanes", [])
        job.context.update(names=[range_name(setup, lane) for lane in lanes.values()], settings=settings,
                           labels=[labels[index] for index in lanes], steps=settings.steps,
                           ids=[ids[index] if index < len(ids) else None for index in lanes])
        st.rerun()


def start_search(setup, request: dict[str, Any], labels: dict[int, str]) -> None:
    """Queue the search of `request` (search_ui's) on the pool and rerun."""
    from optviz.nets.tasks import search_lane

    settings, lane = request["settings"], request["lane"]
    job = jobs_ui.submit(SEARCH_JOB, search_lane, setup, lane, settings,
                         estimate=search_seconds(setup, lane, settings))
    if job is not None:
        forget_applied()
        job.context.update(name=search_name(setup, lane, bool(settings.batch_sizes)), settings=settings,
                           label=labels[request["index"]])
        st.rerun()


def finish_range(job) -> None:
    """A finished range test: each lane's result into the store, the chart column to its view."""
    results, problem = jobs_ui.outcome(job)
    ids = job.context.get("ids") or [None] * len(job.context["names"])
    for name, lane_id, result in zip(job.context["names"], ids, results or (), strict=False):
        lanes = {*ranges().get(name, {}).get("lane_ids", ()), lane_id} - {None}  # lanes alike share a test
        nt.keep(ranges(), name, {**result, "settings": job.context["settings"], "lane_ids": lanes}, STORE_SIZE)
    if results:
        st.session_state[nt.key("view")] = "range"
    if problem is not None:
        st.session_state[PROBLEM] = problem


def finish_search(job) -> None:
    """A finished (or cancelled: its finished trials) search into the store, the chart column to its view."""
    result, problem = jobs_ui.outcome(job)
    if result is not None and result["trials"]:
        nt.keep(searches(), job.context["name"], {**result, "settings": job.context["settings"],
                                                  "cancelled": problem is not None}, STORE_SIZE)
        st.session_state[nt.key("view")] = "search"
    if problem is not None:
        st.session_state[PROBLEM] = problem


def range_progress(job):
    """The progress text of a range-test job: which lane, which step, the time left."""
    def text(status) -> str:
        lanes = job.context["labels"]
        return t("nt.tune.range_progress", lane=lanes[min(status.run, len(lanes) - 1)], run=status.run + 1,
                 runs=len(lanes), step=status.epoch, steps=job.context["steps"],
                 left=jobs_ui.duration_text(status.left))
    return text


def search_progress(job):
    """The progress text of a search job: which trial, which epoch, the time left."""
    def text(status) -> str:
        settings = job.context["settings"]
        return t("nt.tune.search_progress", lane=job.context["label"], trial=status.run + 1, trials=settings.trials,
                 epoch=status.epoch, epochs=settings.epochs, left=jobs_ui.duration_text(status.left))
    return text


def follow() -> None:
    """The tuning jobs in flight (progress and Cancel), and what a finished one left to say."""
    for name, describe, finish in ((RANGE_JOB, range_progress, finish_range),
                                   (SEARCH_JOB, search_progress, finish_search)):
        job = jobs_ui.pending(name)
        if job is not None:
            jobs_ui.follow(name, describe(job), finish)
    problem = st.session_state.pop(PROBLEM, None)
    if problem is not None:
        st.warning(problem, icon=":material/warning:")


# ------------------------------------------------------------------------------------------------ the charts


def views(setup, active: dict[int, Lane]) -> tuple[str, ...]:
    """The tuning views that have something to draw for this Setup and these lanes."""
    found = []
    if any("error" not in ranges().get(range_name(setup, lane), {"error": None}) for lane in active.values()):
        found.append("range")
    if current_search(setup, active) is not None:
        found.append("search")
    return tuple(found)


def current_search(setup, active: dict[int, Lane]) -> tuple[int, dict] | None:
    """(lane index, result) of the search the chart shows: the Tune tab's lane, with or without batch sizes as the
    toggle says (else the other), or None."""
    chosen = st.session_state.get(key("lane"))
    chosen = chosen if chosen in active else next(iter(active), None)
    if chosen is None:
        return None
    wanted = bool(st.session_state.get(key("batch"), False))
    for searched_batch in (wanted, not wanted):
        result = searches().get(search_name(setup, active[chosen], searched_batch))
        if result is not None:
            return chosen, result
    return None


def range_chart(setup, active: dict[int, Lane], labels: dict[int, str], height: int) -> None:
    """The range tests of the lanes on one chart, with what each stopped at; lanes that failed are named."""
    series = []
    for index, lane in active.items():
        result = ranges().get(range_name(setup, lane))
        if result is None:
            continue
        if "error" in result:
            st.warning(t("nt.tune.range_failed", lane=labels[index], error=result["error"]), icon=":material/warning:")
            continue
        series.append({**result, "label": labels[index], "colour": lane_colour(index)})
    figure = figures.range_figure(series, {
        "title": t("nt.tune.range_chart"), "lr": t("nt.tune.lr_axis"), "loss": t("nt.tune.loss_axis"),
        "raw": t("nt.tune.raw"), "steepest": t("nt.tune.steepest"), "min_ten": t("nt.tune.min_ten"),
        "unreliable": t("nt.tune.unreliable")}, height=height)
    st.plotly_chart(figure, width="stretch", key=key("range_chart"))
    notes = []
    for item in series:
        settings = item["settings"]
        stop = {"diverged": "nt.tune.stopped_diverged", "not_finite": "nt.tune.stopped_not_finite"}.get(
            item["stopped"], "nt.tune.stopped_end")
        notes.append(t(stop, lane=item["label"], steps=len(item["lrs"]), lr=figures.short(item["lrs"][-1])
                       if len(item["lrs"]) else "—", epochs=item["epochs"]))
    if series:
        settings = series[0]["settings"]
        st.caption(t("nt.tune.range_caption", low=format_plain(settings.min_lr), high=format_plain(settings.max_lr),
                     steps=settings.steps, batch=setup.batch_size or t("nt.full_batch")) + " " + " ".join(notes))
    for item in series:
        if unreliable(item):
            st.caption(":material/warning: " + flat_text(item, item["label"]))


def view_gone_ui(view: str | None, setup, active: dict[int, Lane], labels: dict[int, str]) -> None:
    """Where the chart's view was the range test and it is gone because the batch size changed: say so."""
    stale = stale_ranges(setup, active) if view == "range" else {}
    if stale:
        st.info(stale_text(setup, stale, labels, active), icon=":material/history:")


def search_chart(setup, active: dict[int, Lane], labels: dict[int, str], height: int) -> None:
    """The search of the Tune tab's lane: the trials against learning rate and weight decay, and its best."""
    found = current_search(setup, active)
    if found is None:
        return
    index, result = found
    entry = OPTIMIZERS[active[index].optimizer]
    figure = figures.search_figure(result, {
        "title": t("nt.tune.search_chart", lane=labels[index], trials=len(result["trials"])),
        "lr": t("nt.tune.lr_axis"), "weight_decay": entry.specs["weight_decay"].label(_lang())
        if "weight_decay" in entry.specs else t("nt.tune.wd"), "val_loss": t("nt.tune.val_loss"),
        "best": t("nt.tune.best"), "failed": t("nt.tune.failed"), "batch": t("nt.tune.batch_short"),
        "best_text": best_text(result)},
        lane_colour(index), height=height)
    st.plotly_chart(figure, width="stretch", key=key("search_chart"))
    settings = result["settings"]
    text = t("nt.tune.search_caption", trials=len(result["trials"]), planned=result["planned"],
             epochs=settings.epochs, seed=settings.seed)
    if result["best"] is not None:
        best = result["trials"][result["best"]]
        accuracy = best.get("val_acc", math.nan)
        text += " " + t("nt.tune.search_best", loss=f"{best['val_loss']:.4f}", epoch=best["best_epoch"],
                        accuracy="—" if not math.isfinite(accuracy) else f"{accuracy:.1%}")
    if result.get("cancelled"):
        text += " " + t("nt.tune.search_cancelled", done=len(result["trials"]), planned=result["planned"])
    st.caption(text)


def best_text(result: dict) -> str:
    """The label of the search's best trial on its chart: 'best: lr 1.1, wd 1.4e-05'."""
    if result["best"] is None:
        return ""
    best = result["trials"][result["best"]]
    values = {"lr": best["lr"]}
    if best.get("weight_decay") is not None:
        values["weight_decay"] = best["weight_decay"]
    return t("nt.tune.best_label", values=values_text(values))


def _lang() -> str:
    from .i18n import language

    return language()
