"""The networks page's widgets and its bounded store of finished trainings (session state, by configuration)."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any

import numpy as np
import streamlit as st

from optviz.engine import OPTIMIZERS
from optviz.nets.data import DIGIT_IMAGES, MIN_HELD_OUT, held_out_too_small
from optviz.nets.tasks import Setup, prepare, summary  # noqa: F401 (the pages' names for them)
from optviz.runs import Lane

from . import keys
from .i18n import language, t
from .jobs import duration_text

PREFIX = "nt_"
STORE = PREFIX + "results"
STORE_SIZE = 24
NETWORK_LR = {name: entry.page.network_lr for name, entry in OPTIMIZERS.items()}  # each entry's PageDefaults
DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "plane", "multi_gauss", "digits")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def key(name: str) -> str:
    """The session key of a networks-page widget."""
    return PREFIX + name


def setup_ui(prefix: str = PREFIX, epochs: int = 60, places: tuple | None = None) -> Setup:
    """Data, model and training widgets, in `places` (three containers: tabs of the controls column; default
    three columns); `prefix` keeps different pages' widgets apart.

    With the small CNN chosen, the MLP's hidden layers, units, activation, normalization and dropout are not
    drawn and are left out of the Setup (fixed values), so that they cannot retrain an identical model."""

    def key(name: str) -> str:
        return prefix + name

    data_place, model_place, training_place = places if places is not None else st.columns(3)
    with data_place:
        dataset = st.selectbox(t("nt.dataset"), DATASETS, key=key("dataset"),
                               persist_state="session", format_func=lambda n: t(f"nt.set.{n}"))
        digits = dataset == "digits"
        # one range for every data set: a slider whose range changes is a new widget, back at its default
        size = int(st.slider(t("nt.size"), 50, 2000, 400, step=50, key=key("size"), persist_state="session",
                             help=t("nt.size_help", images=f"{DIGIT_IMAGES:,}")))
        if digits and size > DIGIT_IMAGES:
            st.caption(t("nt.digits_all", images=f"{DIGIT_IMAGES:,}", size=f"{size:,}"))
            size = DIGIT_IMAGES
        noise = 0.0 if digits else st.slider(t("nt.noise"), 0.0, 0.5, 0.1, step=0.05, key=key("noise"),
                                             persist_state="session")
        validation = st.slider(t("nt.validation"), 0.05, 0.4, 0.2, step=0.05, key=key("validation"),
                               persist_state="session")
        test = st.slider(t("nt.test"), 0.05, 0.4, 0.2, step=0.05, key=key("test"), persist_state="session")
        if digits:
            st.caption(t("nt.digits_caption"))
            features, standardize = ("pixels",), False
        else:
            features = st.multiselect(t("nt.features"), FEATURES, default=["x1", "x2"], key=key("features"),
                                      persist_state="session", placeholder=t("app.choose"))
            standardize = st.toggle(t("nt.standardize"), value=True, key=key("standardize"), persist_state="session")
    with model_place:
        cnn = digits and st.toggle(t("nt.cnn"), value=False, key=key("cnn"),
                                   persist_state="session", help=t("nt.cnn_help"))
        if cnn:
            channels = int(st.slider(t("nt.channels"), 1, 32, 8, key=key("channels"), persist_state="session"))
            st.caption(t("nt.cnn_fixed"))
            hidden, activation, norm, dropout = (), "relu", "batch", 0.0  # what the CNN is; not settings
        else:
            channels = 8
            layers = st.slider(t("nt.layers"), 1, 6, 2, key=key("layers"), persist_state="session")
            width = st.slider(t("nt.width"), 1, 64, 8, key=key("width"), persist_state="session")
            hidden = (int(width),) * int(layers)
            activation = st.selectbox(t("nt.activation"), ("tanh", "relu", "sigmoid", "linear"),
                                      key=key("activation"), persist_state="session")
            norm = st.selectbox(t("nt.norm"), ("none", "batch", "layer"), key=key("norm"), persist_state="session",
                                format_func=lambda name: t(f"nt.norm.{name}"), help=t("nt.norm_help"))
            dropout = st.slider(t("nt.dropout"), 0.0, 0.8, 0.0, step=0.05, key=key("dropout"),
                                persist_state="session")
        init = st.selectbox(t("nt.init"), ("xavier", "he", "lecun", "normal", "uniform"), key=key("init"),
                            persist_state="session",
                            format_func=lambda name: t(f"nt.init.{name}"))
        residual = st.toggle(t("nt.residual"), value=False, key=key("residual"), persist_state="session")
    with training_place:
        regression = dataset in ("plane", "multi_gauss")
        losses = ("cross_entropy",) if digits else ("cross_entropy", "mse", "hinge")
        loss = "mse" if regression else st.selectbox(t("nt.loss"), losses, key=key("loss"), persist_state="session",
                                                     format_func=lambda n: t(f"nt.loss.{n}"))
        epochs = st.slider(t("nt.epochs"), 1, 500, epochs, key=key("epochs"), persist_state="session")
        batch_size = st.select_slider(t("nt.batch"), (0, 1, 8, 16, 32, 64, 128, 256), value=32, key=key("batch"),
                                      persist_state="session",
                                      format_func=lambda size: t("nt.full_batch") if size == 0 else str(size))
        patience = st.slider(t("nt.patience"), 0, 50, 0, key=key("patience"),
                             persist_state="session", help=t("nt.patience_help"))
        seed = int(st.number_input(t("nt.seed"), 0, 10_000, 0, key=key("seed"), persist_state="session"))
        exact = st.toggle(t("nt.float64"), value=False, key=key("float64"), persist_state="session",
                          help=t("nt.float64_help"))
    return Setup(dataset, int(size), float(noise), float(validation), float(test), tuple(features), bool(standardize),
                 hidden, activation, init, norm, float(dropout), bool(residual), loss,
                 int(epochs), int(batch_size), int(patience), seed, bool(cnn), channels,
                 "float64" if exact else "float32")


def problems(setup: Setup) -> list[str]:
    """What stops `setup` from training, in the user's language (empty: nothing)."""
    found = []
    if not setup.features:
        found.append(t("nt.no_features"))
    small = held_out_too_small(setup.size, setup.validation, setup.test)
    if small is not None:
        part, count = small
        found.append(t("nt.held_out_too_small", part=t(f"nt.part.{part}"), count=count, minimum=MIN_HELD_OUT))
    if not setup.cnn and setup.norm == "batch" and setup.batch_size == 1:
        found.append(t("nt.batch_norm_single"))
    return found


def weight_count(setup: Setup) -> int:
    """How many weights (and biases) the network of `setup` has, without building it (no torch)."""
    if setup.cnn:
        width = setup.channels
        count = 10 * width + (2 * (9 * width * width + width) if setup.residual else 0) + 16 * width * 10 + 10
        return count + 2 * width * (3 if setup.residual else 1)  # the BatchNorm scales and shifts
    inputs = 64 if setup.dataset == "digits" else len(setup.features)
    outputs = 10 if setup.dataset == "digits" else 1 if setup.dataset in ("plane", "multi_gauss") else 2
    widths = [inputs, *setup.hidden, outputs]
    count = sum((left + 1) * right for left, right in itertools.pairwise(widths))
    return count + (2 * sum(setup.hidden) if setup.norm != "none" else 0)


def forecast_seconds(setup: Setup, runs: int) -> float:
    """About how long `runs` trainings of `setup` take (optviz.nets.train.estimated_seconds; no torch)."""
    from optviz.nets.data import split_counts
    from optviz.nets.steps import estimated_seconds

    train_count, val_count, _ = split_counts(setup.size, setup.validation, setup.test)
    one = estimated_seconds(train_count, train_count + val_count, setup.batch_size, setup.epochs,
                            weight_count(setup), batch_norm=setup.cnn or setup.norm == "batch")
    return one * runs * (1.5 if setup.dtype == "float64" else 1.0)


def training_progress(job):
    """The progress text of a training job (which lane, epoch, time left) in the user's language; the job's
    context names its lanes ("labels") and its epochs."""
    def text(status) -> str:
        lanes = job.context["labels"]
        return t("nt.training_progress", lane=lanes[min(status.run, len(lanes) - 1)], run=status.run + 1,
                 runs=len(lanes), epoch=status.epoch, epochs=job.context["epochs"], left=duration_text(status.left))
    return text


LONG_TRAINING_SECONDS = 60  # say before starting when a training will take longer than this


def before_training_ui(setup: Setup, runs: int, blocked: list[str]) -> None:
    """Under the Train button: why training is refused, else how long the `runs` waiting trainings will take (a
    warning past a minute)."""
    for problem in blocked:
        st.error(problem, icon=":material/error:")
    if not runs and not blocked:  # Train is disabled: say why
        st.caption(t("nt.up_to_date"))
    if runs and not blocked:
        forecast = forecast_seconds(setup, runs)
        if forecast > LONG_TRAINING_SECONDS:
            st.warning(t("nt.long_training", runs=runs, duration=duration_text(forecast)),
                       icon=":material/hourglass_top:")
        else:
            st.caption(t("nt.will_take", runs=runs, duration=duration_text(forecast)))


def lanes_ui(prefix: str, optimizers: tuple[str, ...], per_row: int = 3) -> list[Lane | None]:
    """The convention switch and the lanes (first visit: one lane per name in `optimizers`), `per_row` to a row, each
    card with its update rule and live values, and "Add a lane"; returns each lane (None where its settings are
    refused)."""
    from optviz.engine import CONVENTIONS
    from optviz.plots.style import lane_colour

    from . import playground as pg

    if prefix + "lanes" not in st.session_state:
        st.session_state[prefix + "lanes"] = list(range(len(optimizers)))
        st.session_state[prefix + "next_id"] = len(optimizers)
        for lane_id, name in enumerate(optimizers):
            st.session_state[pg.lane_key(lane_id, "optimizer", prefix)] = name
    convention = st.segmented_control(t("home.convention_label"), CONVENTIONS, default="pytorch", required=True,
                                      key=prefix + "convention",
                                      persist_state="session", format_func=lambda name: t(f"convention.{name}"))
    lane_ids = st.session_state[prefix + "lanes"]
    lane_columns = st.columns(min(per_row, len(lane_ids)))
    lanes = []
    for index, lane_id in enumerate(lane_ids):
        with lane_columns[index % len(lane_columns)].container(border=True):
            lane, error = pg.lane_ui(lane_id, index, lane_colour(index), convention, prefix, NETWORK_LR, formula=True)
            if error:
                st.error(error)
        lanes.append(lane)
    st.button(t("pg.add_lane"), on_click=pg.add_lane, args=(prefix, NETWORK_LR),
              disabled=len(lane_ids) >= pg.MAX_LANES, icon=":material/add:", key=prefix + "add_lane")
    return lanes


def lane_labels(lanes: dict[int, Lane]) -> dict[int, str]:
    """Each lane's name in the user's language, numbered as on its card: "1. Adam". Lanes that share an optimizer
    also name the first hyperparameter in which they differ: "1. Adam, lr 0.05" and "2. Adam, lr 0.005"."""
    lang = language()
    labels = {}
    for index, lane in lanes.items():
        entry = OPTIMIZERS[lane.optimizer]
        label = f"{index + 1}. {entry.label(lang)}"
        twins = [other for other in lanes.values() if other.optimizer == lane.optimizer and other != lane]
        if twins:
            own = {**entry.defaults(), **dict(lane.hyperparameters)}
            for name, spec in entry.specs.items():
                if any({**entry.defaults(), **dict(other.hyperparameters)}.get(name) != own.get(name)
                       for other in twins):
                    title = "lr" if name == "lr" and lang == "en" else spec.label(lang).split(" (")[0].split("（")[0]
                    label += f", {title} {own[name]:g}" if isinstance(own[name], float) else f", {title} {own[name]}"
                    break
        labels[index] = label
    return labels


# The session-key protocol of the network pages. A page's widgets live under its prefix ("nt_", "nl_"): the setup's
# under prefix + name (SETUP_KEYS), each lane's under optviz.ui.playground.lane_key(lane_id, field, prefix), that is
# prefix + "<lane id>_<field>". These helpers are the only code that takes those keys apart.
SETUP_KEYS = ("dataset", "size", "noise", "validation", "test", "features", "standardize", "cnn", "channels", "layers",
              "width", "activation", "init", "norm", "dropout", "residual", "loss", "epochs", "batch", "patience",
              "seed", "float64", "convention", "lanes", "next_id")
NOT_COPIED = keys.VALUELESS_FIELDS  # a lane's button and its formula's container hold no value


def lane_field(name: str, prefix: str) -> tuple[int, str] | None:
    """(lane id, field) of a lane widget's session key under `prefix` ("nt_3_hp_lr" → (3, "hp_lr")), else None."""
    return keys.lane_field(name, prefix)


def setup_field(name: str, prefix: str) -> str | None:
    """The setup setting a session key holds under `prefix` ("nt_epochs" → "epochs"), else None."""
    rest = name[len(prefix):] if name.startswith(prefix) else None
    return rest if rest in SETUP_KEYS else None


def copy_settings(source: str, target: str) -> None:
    """Give the widgets under prefix `target` the values of those under `source`: data, model, training and every
    lane (another page opens with the same configuration). Buttons are not copied (they hold no value)."""
    state = st.session_state
    for name in [name for name in state if lane_field(name, target) is not None]:
        del state[name]  # the target's old lanes
    for name in list(state):
        value = state[name]
        copied = list(value) if isinstance(value, list) else value
        setting = setup_field(name, source)
        if setting is not None:
            state[target + setting] = copied
            continue
        lane = lane_field(name, source)
        if lane is not None and lane[1] not in NOT_COPIED:
            state[keys.lane_key(lane[0], lane[1], target)] = copied


def session_store(name: str) -> OrderedDict:
    """A store in the session under `name`, oldest entries first (bounded by `keep`)."""
    if name not in st.session_state:
        st.session_state[name] = OrderedDict()
    return st.session_state[name]


def keep(store: OrderedDict, key: tuple, value: Any, size: int) -> Any:
    """Put `value` in `store` as its newest entry; the oldest leave beyond `size`. Returns `value`."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > size:
        store.popitem(last=False)
    return value


def store() -> OrderedDict:
    """Finished trainings of this session, by (setup, lane, engine); the oldest leave first."""
    return session_store(STORE)


def remember(name: tuple, result: dict[str, Any]) -> None:
    """Keep one finished training, at most STORE_SIZE of them."""
    keep(store(), name, result, STORE_SIZE)


def lane_name(setup: Setup, lane: Lane, engine: str) -> tuple:
    """The store's key of one training."""
    return (setup, lane, engine)


@st.cache_data(max_entries=16, show_spinner=False)
def preview(dataset: str, size: int, noise: float, seed: int, validation: float, test: float) -> dict[str, Any]:
    """The data set before training, as the chart column shows it: 2D points and labels with each one's part
    (train, validation, test), or for the digits the first images and their labels. NumPy only (no torch)."""
    from optviz.nets.data import digits_split, split, split_counts

    if dataset == "digits":
        data = digits_split(seed, validation, test, size)
        return {"images": data.x_train[:24].reshape(-1, 8, 8), "labels": data.y_train[:24], "points": None}
    data = split(dataset, size, noise, seed, validation, test)
    train_count, val_count, _ = split_counts(size, validation, test)
    parts = np.repeat(["train", "val", "test"], [train_count, val_count, size - train_count - val_count])
    targets = np.concatenate([data.y_train, data.y_val, data.y_test])
    return {"points": data.points, "targets": targets, "parts": parts, "regression": data.task == "regression"}


RESTORED = "restored"  # the boundary slider's last stop when early stopping put back earlier weights


def moment_ui(finished: dict[int, dict], prefix: str = PREFIX) -> int | str:
    """The decision-boundary slider: the epochs at which the networks were drawn, and "restored" after them when
    early stopping put back earlier weights. Returns the chosen epoch (or RESTORED)."""
    moments: list[int | str] = sorted({epoch for result in finished.values() for epoch, _ in result["snapshots"]})
    if any(result["restored_snapshot"] is not None for result in finished.values()):
        moments.append(RESTORED)
    name = prefix + "moment"
    if st.session_state.get(name) not in moments:
        st.session_state.pop(name, None)  # a stop of an earlier training: start at the end of this one
    if len(moments) == 1:
        return moments[0]
    return st.select_slider(t("nt.boundary_epoch"), moments, value=moments[-1], key=name, format_func=moment_text,
                            help=t("nt.boundary_help"), persist_state="session")


def moment_text(moment: int | str) -> str:
    """'epoch 20' / '第 20 轮', or 'restored weights'."""
    return t("nt.restored_moment") if moment == RESTORED else t("nt.epoch_at", epoch=moment)


def boundary_at(result: dict, moment: int | str) -> tuple[str, np.ndarray]:
    """The title suffix and the prediction of one lane at a moment: the restored network, or the last snapshot
    at or before the chosen epoch (a lane that stopped early keeps showing where it stopped)."""
    if moment == RESTORED and result["restored_snapshot"] is not None:
        epoch = result["restored_epoch"]
        return t("nt.restored_panel", epoch=epoch) if epoch else t("nt.restored_panel_untrained"), \
            result["restored_snapshot"]
    limit = float("inf") if moment == RESTORED else moment
    epoch, values = next(((epoch, values) for epoch, values in reversed(result["snapshots"]) if epoch <= limit),
                         result["snapshots"][0])
    return t("nt.epoch_at", epoch=epoch), values


def weights_text(result: dict) -> str:
    """Which weights the test set measured: the last epoch's, or those early stopping restored."""
    restored = result["restored_epoch"]
    if restored is None:
        return t("nt.weights_last", epoch=len(result["train_loss"]) - 1)
    return t("nt.weights_restored_untrained") if restored == 0 else t("nt.weights_restored", epoch=restored)
