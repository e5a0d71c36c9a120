"""The landscape page's widgets: the optimizer with its fixed settings, the two sweep axes, basin lanes."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import streamlit as st

from optviz.engine import OPTIMIZERS, format_plain
from optviz.landscape import axis_spec, sweepable
from optviz.runs import MAX_SWEEP_POINTS, START_AXES, STEPS_AXIS, Lane

from .i18n import language, t
from .playground import PLAYGROUND_LR, lane_text
from .widgets import spec_widget

PREFIX = "ls_"
MAX_GRID = 300
MAX_BASIN_GRID = 200
SECOND_AXIS = {name: entry.page.second_axis for name, entry in OPTIMIZERS.items()}  # each entry's PageDefaults


def key(name: str) -> str:
    """The session key of a landscape widget."""
    return PREFIX + name


RIVALS = {"sgd": "momentum", "momentum": "nesterov", "nesterov": "momentum", "adam": "adamw", "adamw": "adam"}


def second_default(optimizer: str) -> str:
    """The rival a comparison starts with: the first other optimizer that has the first one's learning rate and its
    default second axis (Momentum → Nesterov, Adam → AdamW), so that both maps can be drawn at once."""
    axis = SECOND_AXIS.get(optimizer)
    for name in (RIVALS.get(optimizer), *OPTIMIZERS):
        if name is not None and name != optimizer and axis in sweepable(name) and "lr" in sweepable(name):
            return name
    return "adam" if optimizer != "adam" else "sgd"


def optimizer_ui(name_key: str, label: str, default: str) -> str:
    """An optimizer picker."""
    lang = language()
    if key(name_key) not in st.session_state:
        st.session_state[key(name_key)] = default
    return st.selectbox(label, list(OPTIMIZERS), key=key(name_key), persist_state="session",
                        format_func=lambda name: OPTIMIZERS[name].label(lang))


def fixed_settings_ui(optimizer: str, swept: set[str], convention: str, prefix: str) -> Lane:
    """The optimizer's settings that are not swept, in an expander; returns the base lane."""
    lang = language()
    values = {}
    with st.expander(t("ls.fixed_settings", optimizer=OPTIMIZERS[optimizer].label(lang))):
        for name, spec in OPTIMIZERS[optimizer].specs.items():
            if name in swept:
                continue
            default = PLAYGROUND_LR[optimizer] if name == "lr" else spec.default
            values[name] = spec_widget(spec, key(f"{prefix}_{optimizer}_{name}"), lang, default)
    return Lane(optimizer, tuple(sorted(values.items())), convention)


def _axis_defaults(optimizer: str, name: str) -> tuple[float, float, bool]:
    if name in START_AXES:
        return -2.0, 2.0, False
    if name == STEPS_AXIS:
        return 10.0, 1000.0, True
    spec = axis_spec(optimizer, name)
    if name == "lr":
        return 1e-3, 1.0, True
    if name == "momentum":  # from 0.01, not 0: Nesterov's momentum must be above 0, and it is the natural rival
        return 0.01, float(spec.ui_high), False
    if spec.log:
        return float(spec.ui_low), float(spec.ui_high), True
    high = float(spec.ui_high)
    if spec.ui_low == 0 and spec.high is None:
        return high / 1e3, high, True
    return float(spec.ui_low), high, False


def axis_ui(axis: str, optimizer: str, allow_none: bool) -> tuple | None:
    """One sweep axis: the setting, its range, its number of points, log or linear. None: no second axis."""
    options = [*sweepable(optimizer), STEPS_AXIS, *START_AXES]
    if allow_none:
        options = ["none", *options]
    chosen_key = key(f"{axis}_name")
    default = "lr" if axis == "x" else SECOND_AXIS[optimizer]
    if st.session_state.get(chosen_key) not in options:
        st.session_state[chosen_key] = default if default in options else options[0]
    name_column, log_column = st.columns([3, 1], vertical_alignment="bottom")
    name = name_column.selectbox(t(f"ls.axis_{axis}"), options, key=chosen_key, persist_state="session",
                                 format_func=lambda value: t("ls.no_axis") if value == "none" else
                                 axis_label(optimizer, value))
    if name == "none":
        return None
    low_default, high_default, log_default = _axis_defaults(optimizer, name)
    marker = key(f"{axis}_for")
    if st.session_state.get(marker) != (optimizer, name):  # a new setting: its own sensible range
        st.session_state[marker] = (optimizer, name)
        st.session_state[key(f"{axis}_low")] = low_default
        st.session_state[key(f"{axis}_high")] = high_default
        st.session_state[key(f"{axis}_log")] = log_default
    columns = st.columns(3)
    low = columns[0].number_input(t("ls.low"), key=key(f"{axis}_low"), persist_state="session", format="%.4g")
    high = columns[1].number_input(t("ls.high"), key=key(f"{axis}_high"), persist_state="session", format="%.4g")
    if key(f"{axis}_count") not in st.session_state:
        st.session_state[key(f"{axis}_count")] = 100
    count = columns[2].number_input(t("ls.count"), min_value=2, max_value=min(MAX_GRID, MAX_SWEEP_POINTS),
                                    key=key(f"{axis}_count"), persist_state="session")
    log = log_column.toggle(t("ls.log"), key=key(f"{axis}_log"), persist_state="session")
    return name, float(low), float(high), int(count), bool(log)


def axis_label(optimizer: str, name: str) -> str:
    """A sweep axis named in the user's language ('learning rate', '学习率', 'start x', a trick's setting)."""
    if name == STEPS_AXIS:
        return t("pg.steps")
    if name in START_AXES:
        return t("pg.start_x") if name == START_AXES[0] else t("pg.start_y")
    spec = axis_spec(optimizer, name)
    return spec.label(language()) if spec is not None else name


def check_axis(axis: tuple | None) -> str | None:
    """A message when an axis cannot be swept as set (log scale over non-positive values, equal ends)."""
    if axis is None:
        return None
    name, low, high, _, log = axis
    if not (math.isfinite(low) and math.isfinite(high)) or low == high:
        return t("ls.bad_range", name=name)
    if log and (low <= 0 or high <= 0):
        return t("ls.bad_log", name=name)
    return None


def exact_text(value: float) -> str:
    """A number for a URL that reads back as exactly the same float: short where that is exact, else repr."""
    value = float(value)
    short = format_plain(value)
    return short if float(short) == value else repr(value)


def playground_url(surface_name: str, lane: Lane, start: tuple[float, float], steps: int,
                   lang: str | None = None) -> str:
    """A link that opens the playground with exactly this run (every value exact) in the user's language."""
    query = {"surface": surface_name, "start": f"{exact_text(start[0])},{exact_text(start[1])}", "steps": str(steps),
             "conv": lane.convention, "lane1": lane_text(lane), "lang": lang or language()}
    return "playground?" + urlencode(query)
