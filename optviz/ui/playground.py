"""The playground's widgets and state: surface, start, steps, convention, lanes, presets, and the URL.

The whole comparison lives in the URL, compactly (?surface=rosenbrock&start=-1.5,2&steps=500&lane1=adam;lr=0.05):
a session starts from its URL, every value is validated, a bad one is dropped with a visible warning, and every
rerun writes the current state back. Widget functions only gather values; computing is elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from optviz import tune
from optviz.engine import CONVENTIONS, OPTIMIZERS, SCHEDULES, TRICKS, format_plain
from optviz.engine.spec import BOOL, INT
from optviz.lane import Lane, convert, lane_from_settings, setting_spec
from optviz.presets import PRESETS
from optviz.surfaces import EXPRESSION_PREFIX, FAMILIES, QUADRATIC_PRESETS
from optviz.surfaces.data import DATA_FAMILIES

from . import keys
from .compute import get_surface
from .i18n import language, t
from .tune import apply_tuned, no_steps
from .tune import key as tune_key
from .tune import request_from_state as tune_request
from .widgets import scale_of, spec_value, spec_widget

MAX_LANES = 6
MAX_STEPS = 5000
PREFIX = "pg_"
CUSTOM = "custom"
NO_CHOICE = "none"  # the "nothing chosen" option of the lesson and quadratic pickers
FALLBACK_VIEW = (-5.0, 5.0, -5.0, 5.0)  # the start's limits while a typed function is refused
VIEWS = ("overlay", "multiples", "surface3d", "curves", "animation", "tune")
DATA_VIEWS = ("batches",)  # views only a data surface (linreg, logreg) has: the batch-size lesson
# Learning rates that suit the built-in surfaces better than torch's defaults (each entry's PageDefaults).
PLAYGROUND_LR = {name: entry.page.playground_lr for name, entry in OPTIMIZERS.items()}
DEFAULT_LANES = (("sgd", {"lr": 0.001}), ("momentum", {"lr": 0.001, "momentum": 0.9}), ("adam", {"lr": 0.05}))
DEFAULTS = {"surface": "rosenbrock", "start": (-1.5, 2.0), "steps": 500, "convention": "pytorch",
            "view": "overlay"}


def key(name: str) -> str:
    """The session key of a playground widget."""
    return PREFIX + name


def lane_key(lane_id: int, name: str, prefix: str = PREFIX) -> str:
    """The session key of one lane's widget (optviz/ui/keys.py owns the protocol)."""
    return keys.lane_key(lane_id, name, prefix)


# ------------------------------------------------------------------ state: defaults, presets, URL


def _set_lane(lane_id: int, optimizer: str, settings: dict[str, Any]) -> None:
    """Write one lane's widget values from flat settings (already validated)."""
    for name in keys.lane_keys(list(st.session_state), PREFIX, lane_id):
        del st.session_state[name]
    st.session_state[lane_key(lane_id, "optimizer")] = optimizer
    tricks, schedule = [], "none"
    for setting, value in settings.items():
        head, dot, tail = setting.partition(".")
        if setting == "schedule":
            schedule = value
        elif head == "schedule" and dot:
            st.session_state[keys.schedule_key(lane_id, tail, PREFIX)] = value
        elif head in TRICKS:
            tail = tail or next(iter(TRICKS[head].specs))
            if head not in tricks:
                tricks.append(head)
            st.session_state[keys.trick_key(lane_id, head, tail, PREFIX)] = value
        else:
            st.session_state[keys.hyperparameter_key(lane_id, setting, PREFIX)] = value
    st.session_state[lane_key(lane_id, "tricks")] = tricks
    st.session_state[lane_key(lane_id, "schedule")] = schedule


def _set_lanes(lanes: list[tuple[str, dict[str, Any]]]) -> None:
    """Replace every lane. The new lanes get fresh ids (new widgets): see reset_lane for why old ids would let the
    browser bring back values of the lanes they replace."""
    for name in keys.lane_keys(list(st.session_state), PREFIX):
        del st.session_state[name]
    first = st.session_state.get(key("next_id"), 0)
    ids = list(range(first, first + len(lanes)))
    st.session_state[key("lanes")] = ids
    st.session_state[key("next_id")] = first + len(lanes)
    for lane_id, (optimizer, settings) in zip(ids, lanes, strict=True):
        _set_lane(lane_id, optimizer, settings)


def _set_surface(name: str) -> None:
    if name.startswith(EXPRESSION_PREFIX):
        st.session_state[key("surface")] = CUSTOM
        st.session_state[key("expression")] = name[len(EXPRESSION_PREFIX):]
        return
    family, _, settings = name.partition(":")
    st.session_state[key("surface")] = family
    if family in DATA_FAMILIES:  # a lesson's data surface starts from the defaults of the settings it does not name
        for setting in DATA_FAMILIES[family].specs:
            st.session_state.pop(key(f"{family}_{setting}"), None)
    for item in filter(None, settings.split(",")):
        setting, _, value = item.partition("=")
        st.session_state[key(f"{family}_{setting}")] = float(value)


def apply_preset() -> None:
    """Callback of the preset picker: load a whole lesson (surface, start, steps, convention, lanes)."""
    name = st.session_state.get(key("preset"))
    if name not in PRESETS:
        return
    preset = PRESETS[name]
    _set_surface(preset.surface)
    st.session_state[key("x0")], st.session_state[key("y0")] = preset.start
    st.session_state[key("steps")] = preset.steps
    st.session_state[key("convention")] = preset.convention
    if preset.view is not None:
        st.session_state[key("view")] = preset.view
    _set_lanes([(optimizer, dict(settings)) for optimizer, settings in preset.lanes])


def apply_quadratic_preset(prefix: str = PREFIX) -> None:
    """Callback of the quadratic presets: set a and b."""
    values = QUADRATIC_PRESETS.get(st.session_state.get(prefix + "quadratic_preset"))
    if values:
        for setting, value in values.items():
            st.session_state[prefix + f"quadratic_{setting}"] = value


def add_lane(prefix: str = PREFIX, learning_rates: dict[str, float] = PLAYGROUND_LR) -> None:
    """Callback: a new lane with an optimizer not yet on the page and a learning rate that suits the page."""
    ids = st.session_state[prefix + "lanes"]
    if len(ids) >= MAX_LANES:
        return
    used = {st.session_state.get(lane_key(lane_id, "optimizer", prefix)) for lane_id in ids}
    optimizer = next((name for name in OPTIMIZERS if name not in used), "adam")
    lane_id = st.session_state[prefix + "next_id"]
    st.session_state[prefix + "next_id"] = lane_id + 1
    st.session_state[lane_key(lane_id, "optimizer", prefix)] = optimizer
    st.session_state[keys.hyperparameter_key(lane_id, "lr", prefix)] = learning_rates[optimizer]
    st.session_state[prefix + "lanes"] = [*ids, lane_id]


def remove_lane(lane_id: int, prefix: str = PREFIX) -> None:
    """Callback: drop one lane (the last one stays)."""
    ids = st.session_state[prefix + "lanes"]
    if len(ids) > 1:
        st.session_state[prefix + "lanes"] = [other for other in ids if other != lane_id]
        for name in keys.lane_keys(list(st.session_state), prefix, lane_id):
            del st.session_state[name]


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:&=\"'^%@;,/?")


def plain_text(value: Any, limit: int = 60) -> str:
    """User text to show inside a Markdown message exactly as typed: cut to `limit` characters, control characters
    as spaces, and every ASCII punctuation mark backslash-escaped (so `__import__` is not bold, `$x$` is not a
    formula, `<b>` is not markup)."""
    shown = str(value)[:limit]
    return "".join(" " if ord(char) < 32 else "\\" + char if char in MARKDOWN_SPECIAL else char for char in shown)


def _interval(low: float, high: float) -> str:
    return f"[{format_plain(low)}, {format_plain(high)}]"


def _allowed(spec) -> str:
    """A spec's domain as an interval with no words in it (the messages are in two languages)."""
    return "true / false" if spec.kind == BOOL else spec.domain_text().removesuffix(" (an integer)")


def start_limits(view) -> tuple[tuple[float, float], tuple[float, float]]:
    """The range a start may take on a surface whose view is `view`: ten view-widths around it, in x and y."""
    width, height = view[1] - view[0], view[3] - view[2]
    return (view[0] - 10 * width, view[1] + 10 * width), (view[2] - 10 * height, view[3] + 10 * height)


def _lane_problem(name: str, optimizer: str, settings: dict[str, str]) -> str | None:
    """The warning for a lane of the URL whose setting is not allowed, naming the allowed range (None: no setting
    to blame, e.g. an unknown optimizer)."""
    schedule = settings.get("schedule", "").strip() or None
    for setting, raw in settings.items():
        spec = setting_spec(optimizer, setting, schedule)
        if spec is None:
            continue
        try:
            spec.validate(convert(spec, raw, optimizer), optimizer)
        except ValueError:
            return t("app.bad_query_lane", name=name, setting=plain_text(setting), value=plain_text(raw),
                     allowed=_allowed(spec))
        if spec.kind not in (BOOL, INT) and scale_of(spec) == "linear" and spec.ui_low is not None and \
                not spec.ui_low <= float(raw) <= spec.ui_high:
            return t("app.bad_query_lane", name=name, setting=plain_text(setting), value=plain_text(raw),
                     allowed=_interval(spec.ui_low, spec.ui_high))
    return None


def _surface_from_query(text: str, warn) -> str | None:
    """The surface a URL asks for, with each setting outside its slider's range dropped (its default used) and
    warned about; None if the surface itself is wrong."""
    family_name, colon, settings_text = text.partition(":")
    family = FAMILIES.get(family_name.strip())
    if family is None or not colon or text.startswith(EXPRESSION_PREFIX):
        get_surface(text)  # raises ValueError with what is wrong
        return text
    kept = []
    for item in filter(None, (part.strip() for part in settings_text.split(","))):
        setting, _, value = item.partition("=")
        spec = family.specs.get(setting.strip())
        try:
            number = _number(value)
        except ValueError:
            number = None
        if spec is not None and spec.ui_low is not None and (number is None or
                                                             not spec.ui_low <= number <= spec.ui_high):
            warn(t("app.bad_query_surface", setting=plain_text(setting), value=plain_text(value),
                   surface=family.name, allowed=_interval(spec.ui_low, spec.ui_high),
                   default=format_plain(spec.default)))
            continue
        kept.append(item)
    name = family.name + (":" + ",".join(kept) if kept else "")
    get_surface(name)
    return name


def init_state() -> list[str]:
    """On a session's first run, the state from the URL (or the defaults); returns warnings for bad values.

    Each warning names the value and what is allowed; the user's text in it is escaped (``plain_text``), so a
    page shows it with st.warning as it is, never as Markdown."""
    if key("lanes") in st.session_state:
        return []
    warnings: list[str] = []
    query = st.query_params
    _set_surface(DEFAULTS["surface"])
    st.session_state[key("x0")], st.session_state[key("y0")] = DEFAULTS["start"]
    st.session_state[key("steps")] = DEFAULTS["steps"]
    st.session_state[key("convention")] = DEFAULTS["convention"]
    st.session_state[key("view")] = DEFAULTS["view"]
    lanes = [(optimizer, dict(settings)) for optimizer, settings in DEFAULT_LANES]

    def bad(name: str, value: str) -> None:
        warnings.append(t("app.bad_query", name=name, value=plain_text(value)))

    surface_name = DEFAULTS["surface"]
    if "surface" in query:
        try:
            surface_name = _surface_from_query(query["surface"], warnings.append)
            _set_surface(surface_name)
        except ValueError:
            bad("surface", query["surface"])
            surface_name = DEFAULTS["surface"]
    if "start" in query:
        (x_low, x_high), (y_low, y_high) = start_limits(get_surface(surface_name).view)
        try:
            x0, y0 = (_number(part) for part in query["start"].split(","))
            if not (x_low <= x0 <= x_high and y_low <= y0 <= y_high):
                raise ValueError(query["start"])
            st.session_state[key("x0")], st.session_state[key("y0")] = x0, y0
        except ValueError:
            warnings.append(t("app.bad_query_start", value=plain_text(query["start"]),
                              x_range=_interval(x_low, x_high), y_range=_interval(y_low, y_high),
                              x=format_plain(st.session_state[key("x0")]),
                              y=format_plain(st.session_state[key("y0")])))
    if "steps" in query:
        try:
            steps = int(query["steps"])
            if not 0 <= steps <= MAX_STEPS:
                raise ValueError(steps)
            st.session_state[key("steps")] = steps
        except ValueError:
            warnings.append(t("app.bad_query_range", name="steps", value=plain_text(query["steps"]),
                              allowed=f"[0, {MAX_STEPS}]"))
    if "conv" in query:
        if query["conv"] in CONVENTIONS:
            st.session_state[key("convention")] = query["conv"]
        else:
            bad("conv", query["conv"])
    if "view" in query:
        if query["view"] in VIEWS + DATA_VIEWS:
            st.session_state[key("view")] = query["view"]
        else:
            bad("view", query["view"])
    if "tune" in query:  # the Tuning view's criterion, and ",starts" for several starts
        criterion, _, starts = query["tune"].partition(",")
        if criterion in tune.CRITERIA and starts in ("", "starts"):
            st.session_state[tune_key("criterion")] = criterion
            st.session_state[tune_key("starts")] = starts == "starts"
        else:
            bad("tune", query["tune"])
    lane_names = [f"lane{index}" for index in range(1, MAX_LANES + 1)]
    for name in query:
        if name.startswith("lane") and name not in lane_names:
            warnings.append(t("app.bad_query_lanes", name=plain_text(name), limit=MAX_LANES))
    from_url = []
    for name in lane_names:
        text = query.get(name)
        if text is None:
            continue
        optimizer, *parts = text.split(";")
        try:
            settings = dict(part.split("=", 1) for part in parts if part)
        except ValueError:
            bad(name, text)
            continue
        problem = _lane_problem(name, optimizer.strip(), settings)
        if problem:
            warnings.append(problem)
            continue
        try:
            lane = lane_from_settings(optimizer.strip(), settings, st.session_state[key("convention")])
            from_url.append((lane.optimizer, _typed_settings(lane)))
        except ValueError:
            bad(name, text)
    if from_url:
        lanes = from_url
    _set_lanes(lanes)
    return warnings


def _typed_settings(lane: Lane) -> dict[str, Any]:
    """A lane's flat settings with every trick setting spelled out (trick.setting=value)."""
    settings: dict[str, Any] = dict(lane.hyperparameters)
    for trick, values in lane.tricks:
        full = {**TRICKS[trick].defaults(), **dict(values)}
        for setting, value in full.items():
            settings[f"{trick}.{setting}"] = value
    if lane.schedule is not None:
        settings["schedule"] = lane.schedule[0]
        for setting, value in lane.schedule[1]:
            settings[f"schedule.{setting}"] = value
    return settings


def lane_text(lane: Lane) -> str:
    """A lane as one URL value: 'adam;lr=0.05;clip_norm.max_norm=1' (defaults left out, lr always in)."""
    return ";".join([lane.optimizer] + [f"{name}={_text(value)}" for name, value in lane.compact_settings().items()])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_plain(value) if float(format_plain(value)) == value else repr(value)
    return str(value)


def sync_url(surface_name: str, lanes: list[Lane]) -> None:
    """Write the comparison to the URL, so that copying the address shares it."""
    wanted = {
        "surface": surface_name,
        "start": f"{_text(float(st.session_state[key('x0')]))},{_text(float(st.session_state[key('y0')]))}",
        "steps": str(int(st.session_state[key("steps")])),
        "conv": st.session_state[key("convention")],
        "view": st.session_state[key("view")],
    }
    if wanted["view"] == "tune":
        criterion, starts = tune_request()
        wanted["tune"] = criterion + (",starts" if starts > 1 else "")
    for index, lane in enumerate(lanes, start=1):
        wanted[f"lane{index}"] = lane_text(lane)
    for name in list(st.query_params):
        if (name.startswith("lane") or name == "tune") and name not in wanted:
            del st.query_params[name]
    for name, value in wanted.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value


# ------------------------------------------------------------------ widgets


def preset_ui() -> None:
    """The lesson picker (in the page's header row)."""
    names = [NO_CHOICE, *PRESETS]  # a real option, not None: None would show as an empty box after a language switch
    st.selectbox(t("pg.preset"), names, key=key("preset"), persist_state="session",
                 on_change=apply_preset, label_visibility="collapsed",
                 format_func=lambda name: t("pg.preset_none") if name == NO_CHOICE else t(f"preset.{name}.title"))


def preset_text() -> None:
    """The chosen lesson's commentary."""
    chosen = st.session_state.get(key("preset"))
    if chosen in PRESETS:
        st.info(t(f"preset.{chosen}.text"), icon=":material/school:")


def surface_ui(prefix: str = PREFIX, names: list[str] | None = None) -> tuple[str | None, str | None]:
    """Surface picker (with its settings, or the typed function); returns (surface name, error message).

    `prefix` keeps the widgets of different pages apart; `names` limits the built-in choices.
    """
    lang = language()
    options = [*(names or FAMILIES), CUSTOM]
    labels = {name: FAMILIES[name].make().label(lang) for name in FAMILIES}
    labels[CUSTOM] = t("pg.custom_surface")
    chosen = st.selectbox(t("pg.surface"), options, key=prefix + "surface",
                          persist_state="session", format_func=labels.__getitem__)
    if chosen == CUSTOM:
        if prefix + "expression" not in st.session_state:
            st.session_state[prefix + "expression"] = "x^2 + 3*y^2 + sin(2*x)"
        text = st.text_input(t("pg.expression"), key=prefix + "expression", persist_state="session", max_chars=300,
                             help=t("pg.expression_help"))
        name = EXPRESSION_PREFIX + text
        try:
            get_surface(name)
        except ValueError as error:
            message = error.message(lang) if hasattr(error, "message") else str(error)
            return None, message
        return name, None
    family = FAMILIES[chosen]
    if chosen == "quadratic":
        st.selectbox(t("pg.quadratic_preset"), [NO_CHOICE, *QUADRATIC_PRESETS],
                     key=prefix + "quadratic_preset", persist_state="session",
                     on_change=apply_quadratic_preset, args=(prefix,),
                     format_func=lambda name: "—" if name == NO_CHOICE else t(f"pg.quadratic.{name}"))
    settings = []
    if chosen in DATA_FAMILIES:
        return chosen + ":" + ",".join(data_settings_ui(prefix, chosen, lang)), None
    if family.specs:
        columns = st.columns(len(family.specs))
        for column, (setting, spec) in zip(columns, family.specs.items(), strict=True):
            value = spec_widget(spec, prefix + f"{chosen}_{setting}", lang, spec.default, container=column)
            settings.append(f"{setting}={_text(float(value))}")
    return chosen + (":" + ",".join(settings) if settings else ""), None


# A data surface's settings: the ones a learner moves first in view, the others in a panel that opens beside them.
DATA_PRIMARY = {"linreg": ("batch", "n", "noise", "x_mean", "standardize"), "logreg": ("batch", "n", "spread", "l2")}
SWITCHES = ("standardize", "replace")  # 0/1 settings, shown as toggles
MAX_LESSON_EPOCHS = 50


def data_settings_ui(prefix: str, family: str, lang: str) -> list[str]:
    """The settings of a data surface (linreg, logreg) as 'name=value' texts: batch size, points and the data's
    main knobs in two columns, the rest under "Data settings"."""
    specs = DATA_FAMILIES[family].specs
    values: dict[str, str] = {}

    def draw(name: str, container) -> None:
        spec, widget_key = specs[name], prefix + f"{family}_{name}"
        if name in SWITCHES:
            st.session_state[widget_key] = bool(st.session_state.get(widget_key, spec.default))
            chosen = container.toggle(spec.label(lang), key=widget_key, persist_state="session", help=spec.help(lang))
            values[name] = "1" if chosen else "0"
        else:
            values[name] = _text(float(spec_widget(spec, widget_key, lang, spec.default, container=container)))

    primary = DATA_PRIMARY[family]
    for first in range(0, len(primary), 2):
        columns = st.columns(2)
        for column, name in zip(columns, primary[first:first + 2], strict=False):
            draw(name, column)
    with st.popover(t("pg.data_settings"), icon=":material/dataset:", width="stretch"):
        for name in specs:
            if name not in primary:
                draw(name, st)
    return [f"{name}={values[name]}" for name in specs]


def data_view_ui(view: str) -> tuple[str, int]:
    """On a data surface: the curves' x axis (steps or epochs) and the batch lesson's epochs, where the view has them.
    Returns (axis, epochs) as the session holds them."""
    state = st.session_state
    state.setdefault(key("curve_axis"), "step")
    state.setdefault(key("lesson_epochs"), 10)
    if view == "curves":
        st.segmented_control(t("pg.curve_axis"), ("step", "epoch"), key=key("curve_axis"), persist_state="session",
                             required=True, format_func=lambda name: t(f"pg.curve_axis.{name}"))
    elif view == "batches":
        st.number_input(t("pg.lesson_epochs"), min_value=1, max_value=MAX_LESSON_EPOCHS, step=1,
                        key=key("lesson_epochs"), persist_state="session", help=t("pg.lesson_epochs_help"))
    return state[key("curve_axis")], int(state[key("lesson_epochs")])


@st.cache_data(max_entries=32, show_spinner=False)
def batch_lesson_cached(surface_name: str, lane: Lane, start: tuple[float, float], epochs: int) -> tuple[dict, dict]:
    """The batch-size race and the noise ball of optviz.batches for the first lane (cached for the server)."""
    from optviz.batches import batch_race, noise_ball

    return batch_race(surface_name, lane, start, epochs), noise_ball(surface_name, lane, start, epochs)


def run_settings_ui(view) -> tuple[tuple[float, float], int, str]:
    """Start, number of steps (one row) and convention."""
    columns = st.columns(3)
    (x_low, x_high), (y_low, y_high) = start_limits(view)  # the same limits as a start from the URL
    x0 = columns[0].number_input(t("pg.start_x"), key=key("x0"), persist_state="session", step=0.1, format="%.4g",
                                 min_value=x_low, max_value=x_high)
    y0 = columns[1].number_input(t("pg.start_y"), key=key("y0"), persist_state="session", step=0.1, format="%.4g",
                                 min_value=y_low, max_value=y_high)
    steps = columns[2].number_input(t("pg.steps"), min_value=0, max_value=MAX_STEPS, step=50, key=key("steps"),
                                    persist_state="session")
    convention = convention_ui(key("convention"))
    return (float(x0), float(y0)), int(steps), convention


def run_settings_from_state() -> tuple[tuple[float, float], int, str]:
    """Start, steps and convention as their widgets (run_settings_ui) hold them, before they are drawn."""
    state = st.session_state
    return ((float(state[key("x0")]), float(state[key("y0")])), int(state[key("steps")]),
            state.get(key("convention")) or DEFAULTS["convention"])


def convention_ui(widget_key: str) -> str:
    """The convention switch: the PyTorch form or the textbook form of every rule."""
    return st.segmented_control(t("home.convention_label"), CONVENTIONS, key=widget_key, persist_state="session",
                                format_func=lambda name: t(f"convention.{name}"), required=True,
                                default=DEFAULTS["convention"] if widget_key not in st.session_state else None)


def setting_label(lane: Lane, name: str, lang: str) -> str:
    """A flat lane setting ('lr', 'clip_norm.max_norm', 'schedule.total_steps') named in the user's language."""
    head = name.partition(".")[0]
    spec = setting_spec(lane.optimizer, name, lane.schedule[0] if lane.schedule else None)
    if spec is None:
        return name
    if head in TRICKS:
        return f"{TRICKS[head].label(lang)} {spec.label(lang)}"
    return spec.label(lang)


def lane_labels(lanes: dict[int, Lane], lang: str) -> dict[int, str]:
    """Each lane's name in the user's language: 'Adam'; lanes that share an optimizer are told apart by the first
    setting in which they differ ('Adam, lr 0.05' and 'Adam, lr 0.005'), or by their number."""
    labels = {}
    for index, lane in lanes.items():
        label = OPTIMIZERS[lane.optimizer].label(lang)
        twins = [other for other in lanes.values() if other is not lane and other.optimizer == lane.optimizer]
        if twins:
            own = lane.compact_settings()
            differing = [name for name, value in own.items()
                         if any(other.compact_settings().get(name) != value for other in twins)]
            lacking = [name for other in twins for name in other.compact_settings() if name not in own]
            if differing and all(other.compact_settings() != own for other in twins):
                name = differing[0]
                if name == "schedule":  # the schedule's own name, not its key ('inverse_time')
                    label += t("pg.lane_schedule", schedule=SCHEDULES[own[name]].label(lang).lower() if lang == "en"
                               else SCHEDULES[own[name]].label(lang))
                else:
                    label += t("pg.lane_twin", setting=setting_label(lane, name, lang), value=_text(own[name]))
            elif "schedule" in lacking:  # its twin has a schedule, this lane keeps a constant rate
                label += t("pg.lane_constant")
            else:
                label += f" ({index + 1})"
        labels[index] = label
    return labels


# The hyperparameters a lane card shows at once: the ones a learner moves first. The rest, the tricks, the schedule
# and the remove button are one click away in the card's "More settings" popover, whose widgets the browser builds
# only when it is opened (the five lanes of bench/browser.py mount 9 sliders instead of 21).
PRIMARY = {name: entry.page.primary for name, entry in OPTIMIZERS.items()}


def lane_ui(lane_id: int, index: int, colour: str, convention: str, prefix: str = PREFIX,
            learning_rates: dict[str, float] = PLAYGROUND_LR, formula: bool = False,
            tune_button: bool = False) -> tuple[Lane | None, str | None]:
    """One lane's widgets (and, with `formula`, its update rule with the live values under them; with `tune_button`,
    the button that tunes it: optviz/ui/tune.py); returns (the Lane, or None with an error message)."""
    lang = language()

    def lane_widget_key(name: str) -> str:
        return lane_key(lane_id, name, prefix)

    head, picker, *tuner = st.columns([1, 2.4, 1.15] if tune_button else [1, 2.4], vertical_alignment="center")
    head.html(f"<p class='ov-lane-head'><span style='color:{colour};font-size:1.3em'>●</span> "
              f"{t('pg.lane')} {index + 1}</p>")
    if tune_button:
        tuner[0].button(t("tune.lane"), key=lane_widget_key("tune"), on_click=apply_tuned,
                        args=(lane_id, lane_from_state), disabled=no_steps(),
                        icon=":material/auto_fix_high:", help=t("tune.lane_help"), width="stretch")
    optimizer = picker.selectbox(t("pg.optimizer"), list(OPTIMIZERS), key=lane_widget_key("optimizer"),
                                 persist_state="session", label_visibility="collapsed",
                                 on_change=reset_lane, args=(lane_id, prefix, learning_rates),
                                 format_func=lambda name: OPTIMIZERS[name].label(lang))
    entry = OPTIMIZERS[optimizer]
    primary = PRIMARY[optimizer]

    def hyperparameter(name: str) -> None:
        default = learning_rates[optimizer] if name == "lr" else entry.specs[name].default
        spec_widget(entry.specs[name], keys.hyperparameter_key(lane_id, name, prefix), lang, default)

    for name in entry.specs:
        if name in primary:
            hyperparameter(name)
    with st.popover(t("pg.more_settings"), icon=":material/tune:", width="stretch"):
        for name in entry.specs:
            if name not in primary:
                hyperparameter(name)
        # no "Select all": six tricks at once (clipping by norm and by value, L1 and L2 …) contradict each other
        chosen_tricks = st.multiselect(t("pg.tricks"), list(TRICKS), key=lane_widget_key("tricks"), select_all=False,
                                       persist_state="session", placeholder=t("app.choose"),
                                       format_func=lambda name: TRICKS[name].label(lang))
        for trick in chosen_tricks:
            for name, spec in TRICKS[trick].specs.items():
                spec_widget(spec, keys.trick_key(lane_id, trick, name, prefix), lang, spec.default)
        schedule_name = st.selectbox(t("pg.schedule"), ["none", *SCHEDULES],
                                     key=lane_widget_key("schedule"), persist_state="session",
                                     format_func=lambda name: t("pg.no_schedule") if name == "none"
                                     else SCHEDULES[name].label(lang))
        if schedule_name != "none":
            for name, spec in SCHEDULES[schedule_name].specs.items():
                spec_widget(spec, keys.schedule_key(lane_id, name, prefix), lang, spec.default)
        st.button(t("pg.remove_lane"), icon=":material/close:", key=lane_widget_key("remove"), on_click=remove_lane,
                  args=(lane_id, prefix), disabled=len(st.session_state[prefix + "lanes"]) <= 1)
    lane, error = lane_from_state(lane_id, convention, prefix, learning_rates)  # what the widgets above hold
    if formula and lane is not None:
        st.container(key=lane_widget_key("formula")).latex(lane.pipeline().latex(live=True))
    return lane, error


def show_inspected() -> None:
    """Callback of the step inspector's pickers: mark the inspected step on the chart."""
    st.session_state[key("inspect_show")] = True


def inspected_point(trajectories: dict, labels: dict[int, str]) -> dict | None:
    """Where the step inspector looks (lane, step t, θ_t), for the overlay to mark; None until the learner uses it
    (or after they switch the mark off)."""
    state = st.session_state
    chosen, step = state.get(key("inspect_lane")), state.get(key("inspect_step"))
    if not state.get(key("inspect_show")) or chosen not in trajectories or not isinstance(step, int):
        return None
    positions = trajectories[chosen].positions
    step = max(0, min(step, len(positions) - 1))
    x, y = (float(value) for value in positions[step])
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return {"xy": (x, y), "label": t("pg.inspected", lane=labels[chosen], step=step)}


def lane_from_state(lane_id: int, convention: str, prefix: str = PREFIX,
                    learning_rates: dict[str, float] = PLAYGROUND_LR) -> tuple[Lane | None, str | None]:
    """The lane that lane `lane_id`'s widgets hold, read from the session before they are drawn (setting the defaults
    a widget sets on its first run); returns (the Lane, or None with an error message), as lane_ui does.

    The playground draws its chart from this first, so that the chart reaches the browser before the lanes' widgets
    (a slider move used to wait for ~90 widget messages before the chart's)."""
    state = st.session_state
    optimizer = state.get(lane_key(lane_id, "optimizer", prefix))
    if optimizer not in OPTIMIZERS:
        return None, None
    entry = OPTIMIZERS[optimizer]
    hyperparameters = {name: spec_value(spec, keys.hyperparameter_key(lane_id, name, prefix),
                                        learning_rates[optimizer] if name == "lr" else spec.default)
                       for name, spec in entry.specs.items()}
    tricks = []
    for trick in state.get(lane_key(lane_id, "tricks", prefix)) or []:
        if trick in TRICKS:
            settings = {name: spec_value(spec, keys.trick_key(lane_id, trick, name, prefix), spec.default)
                        for name, spec in TRICKS[trick].specs.items()}
            tricks.append((trick, tuple(sorted(settings.items()))))
    schedule = None
    schedule_name = state.get(lane_key(lane_id, "schedule", prefix), "none")
    if schedule_name in SCHEDULES:
        settings = {name: spec_value(spec, keys.schedule_key(lane_id, name, prefix), spec.default)
                    for name, spec in SCHEDULES[schedule_name].specs.items()}
        schedule = (schedule_name, tuple(sorted(settings.items())))
    lane = Lane(optimizer, tuple(sorted(hyperparameters.items())), convention, tuple(tricks), schedule)
    try:
        lane.pipeline()
    except ValueError as error:
        return None, str(error)
    return lane, None


def reset_lane(lane_id: int, prefix: str = PREFIX, learning_rates: dict[str, float] = PLAYGROUND_LR) -> None:
    """Callback of a lane's optimizer picker: the lane takes the new optimizer's page defaults (its learning rate,
    its other hyperparameters, no tricks, no schedule); nothing hidden under More settings carries over.

    The lane gets a fresh id, so all its widgets are new ones: a widget in a closed popover is not mounted in the
    browser, which kept its old value (a momentum lane's β = 0.9) and sent it back on the next rerun, whatever the
    server had set (seen in Chromium: Momentum → SGD, then any click made it SGD with momentum 0.9)."""
    optimizer = st.session_state.get(lane_key(lane_id, "optimizer", prefix))
    fresh = st.session_state.get(prefix + "next_id", 0)
    st.session_state[prefix + "next_id"] = fresh + 1
    st.session_state[prefix + "lanes"] = [fresh if other == lane_id else other
                                          for other in st.session_state.get(prefix + "lanes", [])]
    for name in keys.lane_keys(list(st.session_state), prefix, lane_id):
        del st.session_state[name]
    st.session_state[lane_key(fresh, "optimizer", prefix)] = optimizer
    st.session_state[lane_key(fresh, "tricks", prefix)] = []
    st.session_state[lane_key(fresh, "schedule", prefix)] = "none"
    if optimizer in learning_rates:
        st.session_state[keys.hyperparameter_key(fresh, "lr", prefix)] = learning_rates[optimizer]


def lanes_ui(convention: str) -> tuple[list[Lane | None], dict[int, str | None], list]:
    """The playground's lanes as cards, one under the other, each with its formula, then "Add a lane".

    Returns each lane (None where its settings are refused), each lane's error, and each card (a container)."""
    from optviz.plots.style import lane_colour

    lane_ids = st.session_state[key("lanes")]
    lanes, errors, cards = [], {}, []
    for index, lane_id in enumerate(lane_ids):
        card = st.container(border=True)
        with card:
            lane, error = lane_ui(lane_id, index, lane_colour(index), convention, formula=True, tune_button=True)
        lanes.append(lane)
        errors[index] = error
        cards.append(card)
    st.button(t("pg.add_lane"), on_click=add_lane, disabled=len(lane_ids) >= MAX_LANES, icon=":material/add:",
              width="stretch")
    return lanes, errors, cards


def apply_click() -> None:
    """A click on the overlay chart (a selected point of its click grid) becomes the new start.

    Called before the start widgets are drawn: the chart's selection of the previous run is in its session key.
    """
    event = st.session_state.get(key("chart"))
    selection = event.get("selection") if event else None
    points = selection.get("points") if selection else None
    if not points:
        return
    x, y = float(points[0]["x"]), float(points[0]["y"])
    if not (math.isfinite(x) and math.isfinite(y)):
        return
    marker = (round(x, 9), round(y, 9))
    if st.session_state.get(key("last_click")) != marker:
        st.session_state[key("last_click")] = marker
        # the click grid is float32: 2.0833332538604736 becomes 2.083, as a person would type it
        st.session_state[key("x0")], st.session_state[key("y0")] = float(f"{x:.4g}"), float(f"{y:.4g}")
