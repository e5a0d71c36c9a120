"""The playground's fair race: tune every lane (optviz.tune) on the current surface, start and step budget, draw how
sensitive each lane is to its learning rate, and apply the tuned settings to a lane or to all of them."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from optviz import tune
from optviz.engine import OPTIMIZERS
from optviz.lane import Lane
from optviz.report import format_number

from . import keys
from .compute import get_surface
from .i18n import language, t

PREFIX = "pg_tune_"
CONTEXT = PREFIX + "context"  # (surface name, start, steps) of the playground's last run: what the callbacks tune
APPLIED = PREFIX + "applied"  # what the last Apply/Tune did, shown once
LANE_PREFIX = "pg_"
STARTS = 16
SEED = 0


def key(name: str) -> str:
    return PREFIX + name


def request_from_state() -> tuple[str, int]:
    """(criterion, number of starts) as the tuning's widgets hold them (defaults before they are drawn)."""
    state = st.session_state
    criterion = state.get(key("criterion"))
    if criterion not in tune.CRITERIA:
        criterion = state[key("criterion")] = tune.DEFAULT_CRITERION
    return criterion, STARTS if state.get(key("starts")) else 1


def settings_ui(read_lane, disabled: bool = False) -> tuple[str, int]:
    """The tuning's own widgets, in one row above its chart: criterion, several starts, and the button that applies
    every lane's tuned settings (`read_lane`: see apply_tuned; `disabled` while there are no steps to run)."""
    request_from_state()
    criterion_place, starts_place, apply_place = st.columns([1.45, 1.05, 1.0], vertical_alignment="bottom")
    criterion_place.selectbox(t("tune.criterion"), tune.CRITERIA, key=key("criterion"), persist_state="session",
                              format_func=lambda name: t(f"tune.criterion.{name}"),
                              help=t("tune.criterion_help").replace("*", r"\*"))
    starts_place.toggle(t("tune.starts", count=STARTS), key=key("starts"), persist_state="session",
                        help=t("tune.starts_help", count=STARTS))
    apply_place.button(t("tune.apply_all"), icon=":material/done_all:", on_click=apply_tuned, args=(None, read_lane),
                       width="stretch", type="primary", key=key("apply_all"), help=t("tune.apply_all_help"),
                       disabled=disabled)
    return request_from_state()


def no_steps() -> bool:
    """True while the playground has no step to run (nothing to tune): the Tune buttons are disabled."""
    return int(st.session_state.get(LANE_PREFIX + "steps", 1) or 0) < 1


def neutral(lane: Lane) -> Lane:
    """The lane with the settings a tuning replaces put back to their defaults: moving the learning-rate slider
    must not tune again (the cache key)."""
    replaced = {"lr": OPTIMIZERS[lane.optimizer].specs["lr"].default}
    jointly = tune.tuned_setting(lane.optimizer)
    if jointly is not None:
        replaced[jointly] = OPTIMIZERS[lane.optimizer].specs[jointly].default
    return lane.with_settings(replaced)


@st.cache_data(max_entries=64, show_spinner=False)
def tuned(surface_name: str, lane: Lane, start: tuple[float, float], steps: int, criterion: str,
          starts: int) -> tune.Tuning:
    """One lane tuned (the surface's server-wide object; one engine call, well under a second)."""
    return tune.tune(get_surface(surface_name), lane, start, steps, criterion, starts=starts, seed=SEED)


def tuned_lane(surface_name: str, lane: Lane, start, steps: int, criterion: str, starts: int) -> tune.Tuning:
    return tuned(surface_name, neutral(lane), (float(start[0]), float(start[1])), int(steps), criterion, starts)


@st.cache_data(max_entries=256, show_spinner=False)
def own_score(surface_name: str, lane: Lane, start: tuple[float, float], steps: int, criterion: str,
              starts: int) -> float:
    """The criterion of the lane as it is set, measured as its tuning measures it."""
    tuning = tuned_lane(surface_name, lane, start, steps, criterion, starts)
    return tune.current_score(tuning, get_surface(surface_name), lane)


def remember_context(surface_name: str, start, steps: int) -> None:
    """What the callbacks of the next rerun tune: the surface, start and steps the learner sees now."""
    st.session_state[CONTEXT] = (surface_name, (float(start[0]), float(start[1])), int(steps))


def apply_tuned(lane_id: int | None, read_lane) -> None:
    """Callback of a lane's Tune button (or, with None, of "Apply to every lane"): tune and write the best learning
    rate (and β) into the lane's widgets, which are drawn after this; the message is shown once. `read_lane(lane id,
    convention)` → (Lane or None, error): the playground's reading of a lane's widgets."""
    state = st.session_state
    context = state.get(CONTEXT)
    if context is None:
        return
    surface_name, start, steps = context
    criterion, starts = request_from_state()
    convention = state.get(LANE_PREFIX + "convention") or "pytorch"
    ids = state.get(LANE_PREFIX + "lanes", []) if lane_id is None else [lane_id]
    done, problems = [], []
    for number, one in enumerate(state.get(LANE_PREFIX + "lanes", [])):
        if one not in ids:
            continue
        lane, _ = read_lane(one, convention)
        if lane is None:
            continue
        try:
            result = tuned_lane(surface_name, lane, start, steps, criterion, starts)
        except ValueError as error:
            problems.append(t("tune.refused", lane=number + 1, detail=str(error)))
            continue
        if not result.found:  # every rate diverged, or (steps to tolerance) none got there: the lane stays
            problems.append(t("tune.nothing" if not math.isfinite(result.best_score) else "tune.never_reached",
                              lane=number + 1, steps=steps))
            done.append(t("tune.kept_lane", lane=number + 1))
            continue
        for name, value in result.settings().items():
            state[keys.hyperparameter_key(one, name, LANE_PREFIX)] = value
        done.append(t("tune.applied_lane", lane=number + 1, settings=settings_text(result, language())))
    state[APPLIED] = (done, problems)


def settings_text(result: tune.Tuning, lang: str) -> str:
    """'η = 0.0123, β₁ = 0.9' in the user's language (a label's explanation in brackets left out)."""
    entry = OPTIMIZERS[result.optimizer]

    def name_of(setting: str) -> str:
        return "η" if setting == "lr" else entry.specs[setting].label(lang).split(" (")[0].split("（")[0]

    return ", ".join(f"{name_of(name)} = {value:g}" for name, value in result.settings().items())


def show_applied() -> None:
    """The message of the last Tune/Apply, once."""
    applied = st.session_state.pop(APPLIED, None)
    if not applied:
        return
    done, problems = applied
    if done:
        st.toast(t("tune.applied", lanes="; ".join(done)), icon=":material/done:")
    for problem in problems:
        st.warning(problem, icon=":material/warning:")


def score_text(value: float, criterion: str, steps: int) -> str:
    if not math.isfinite(value):
        return t("tune.diverges")
    if criterion == "steps_to_tolerance":
        return t("tune.never") if value > steps else f"{int(value):,}".replace(",", " ")
    return "0" if value == 0 else format_number(value)


def robust_text(result: tune.Tuning) -> str:
    """'0.31 (0.000681 … 0.00137)', with what to beware of: flat, at the edge, a lone grid cell."""
    low, high, decades = result.robust
    if not math.isfinite(low):
        return "—"
    text = f"{decades:.2f} ({low:.3g} … {high:.3g})" if high > low else t("tune.one_cell", rate=f"{low:.3g}")
    notes = []
    if result.flat:  # wide because the criterion hardly moves, not because the optimizer forgives
        notes.append(t("tune.flat", share=f"{result.best_score / result.baseline:.0%}"))
    if result.edge is not None:
        notes.append(t("tune.edge", rate=f"{result.edge:.3g}"))
    if result.isolated and not result.edge:
        notes.append(t("tune.isolated_starts" if len(result.starts) > 1 else "tune.isolated"))
    return " ".join([text, *notes])


def diverges_text(result: tune.Tuning) -> str:
    """From which rate on the lane diverges (at the best β), and lone rates below that which diverge as well."""
    curve = result.diverged_curve()
    if not curve.any():
        return "—"
    above = np.flatnonzero(~curve)
    tail = (above[-1] + 1) if above.size else 0  # where the last run of divergence begins
    text = f"η ≥ {result.lr[tail]:.3g}" if tail < len(curve) else ""
    lone = [f"{result.lr[index]:.3g}" for index in np.flatnonzero(curve[:tail])]
    if lone:
        shown = ", ".join(lone[:3]) + (" …" if len(lone) > 3 else "")
        text = (text + " " if text else "") + t("tune.also_diverges", rates=shown)
    return text


def leaderboard_rows(tunings: dict[int, tune.Tuning], own: dict[int, float], labels: dict[int, str],
                     lang: str) -> list[dict]:
    """One row per lane: its tuned settings, the criterion there and at the lane's own setting, its robust range and
    where it starts to diverge; best first."""
    rows = []
    for index, result in sorted(tunings.items(), key=lambda item: (item[1].best_score, item[0])):
        rows.append({
            t("pg.col.lane"): labels[index],
            t("tune.col.tuned"): settings_text(result, lang) if result.found else t(
                "tune.none_found" if not math.isfinite(result.best_score) else "tune.none_reached"),
            t("tune.col.best"): score_text(result.best_score, result.criterion, result.steps),
            t("tune.col.own"): score_text(own[index], result.criterion, result.steps),
            t("tune.col.robust"): robust_text(result),
            t("tune.col.diverges"): diverges_text(result),
        })
    return rows
