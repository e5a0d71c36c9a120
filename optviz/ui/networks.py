"""The networks page's widgets and its bounded store of finished trainings (session state, by configuration)."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from optviz.runs import Lane

from .i18n import t

PREFIX = "nt_"
STORE = PREFIX + "results"
STORE_SIZE = 24
NETWORK_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01,
              "adamw": 0.01}
DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "plane", "multi_gauss", "digits")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
BOUNDARY_RESOLUTION = 60


def key(name: str) -> str:
    """The session key of a networks-page widget."""
    return PREFIX + name


@dataclass(frozen=True)
class Setup:
    """Everything but the lanes that decides a training: data, model, training settings (hashable)."""

    dataset: str
    size: int
    noise: float
    validation: float
    test: float
    features: tuple[str, ...]
    standardize: bool
    hidden: tuple[int, ...]
    activation: str
    init: str
    norm: str
    dropout: float
    residual: bool
    loss: str
    epochs: int
    batch_size: int
    patience: int
    seed: int
    cnn: bool = False
    channels: int = 8


def setup_ui(prefix: str = PREFIX, epochs: int = 60) -> Setup:
    """Data, model and training widgets, in three columns; `prefix` keeps different pages' widgets apart."""

    def key(name: str) -> str:
        return prefix + name

    data_column, model_column, training_column = st.columns(3)
    with data_column:
        st.markdown(f"**{t('nt.data')}**")
        dataset = st.selectbox(t("nt.dataset"), DATASETS, key=key("dataset"),
                               persist_state="session", format_func=lambda n: t(f"nt.set.{n}"))
        digits = dataset == "digits"
        size = st.slider(t("nt.size"), 50, 1797 if digits else 2000, 400, step=50, key=key("size"),
                         persist_state="session")
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
    with model_column:
        st.markdown(f"**{t('nt.model')}**")
        cnn = digits and st.toggle(t("nt.cnn"), value=False, key=key("cnn"),
                                   persist_state="session", help=t("nt.cnn_help"))
        channels = int(st.slider(t("nt.channels"), 1, 32, 8, key=key("channels"),
                                 persist_state="session")) if cnn else 8
        layers = st.slider(t("nt.layers"), 1, 6, 2, key=key("layers"), persist_state="session")
        width = st.slider(t("nt.width"), 1, 64, 8, key=key("width"), persist_state="session")
        activation = st.selectbox(t("nt.activation"), ("tanh", "relu", "sigmoid", "linear"), key=key("activation"),
                                  persist_state="session")
        init = st.selectbox(t("nt.init"), ("xavier", "he", "lecun", "normal", "uniform"), key=key("init"),
                            persist_state="session",
                            format_func=lambda name: t(f"nt.init.{name}"))
        norm = st.selectbox(t("nt.norm"), ("none", "batch", "layer"), key=key("norm"), persist_state="session",
                            format_func=lambda name: t(f"nt.norm.{name}"))
        dropout = st.slider(t("nt.dropout"), 0.0, 0.8, 0.0, step=0.05, key=key("dropout"), persist_state="session")
        residual = st.toggle(t("nt.residual"), value=False, key=key("residual"), persist_state="session")
    with training_column:
        st.markdown(f"**{t('nt.training')}**")
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
    return Setup(dataset, int(size), float(noise), float(validation), float(test), tuple(features), bool(standardize),
                 (int(width),) * int(layers), activation, init, norm, float(dropout), bool(residual), loss,
                 int(epochs), int(batch_size), int(patience), seed, bool(cnn), channels)


def prepare(setup: Setup):
    """The data split, the network's spec, the shared initial network and the training config of `setup`.

    Imports torch (only pages that train call this). ValueError names a setting out of range."""
    from optviz.nets.data import digits_split, split
    from optviz.nets.models import CNNSpec, MLPSpec, build
    from optviz.nets.train import TrainConfig

    if setup.dataset == "digits":
        data = digits_split(setup.seed, setup.validation, setup.test, setup.size)
    else:
        data = split(setup.dataset, setup.size, setup.noise, setup.seed, setup.validation, setup.test,
                     setup.features, setup.standardize)
    if setup.cnn:
        spec = CNNSpec(10, setup.channels, setup.residual, setup.init)
    else:
        spec = MLPSpec(data.x_train.shape[1], data.classes if data.task == "classification" else 1,
                       setup.hidden, setup.activation, setup.init, setup.norm, setup.dropout, setup.residual)
    initial = build(spec, setup.seed)
    config = TrainConfig(setup.epochs, setup.batch_size, setup.loss, setup.patience, True, setup.seed)
    return data, spec, initial, config


def lanes_ui(prefix: str, optimizers: tuple[str, ...]) -> tuple[list[Lane | None], list]:
    """The convention switch and the lanes (first visit: one lane per name in `optimizers`), three per row, and
    "Add a lane"; returns each lane (None where its settings are refused) and its container (for its formula)."""
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
    lane_columns = st.columns(min(3, len(lane_ids)))
    lanes, containers = [], []
    for index, lane_id in enumerate(lane_ids):
        container = lane_columns[index % len(lane_columns)].container(border=True)
        containers.append(container)
        with container:
            lane, error = pg.lane_ui(lane_id, index, lane_colour(index), convention, prefix, NETWORK_LR)
            if error:
                st.error(error)
        lanes.append(lane)
    st.button(t("pg.add_lane"), on_click=pg.add_lane, args=(prefix, NETWORK_LR),
              disabled=len(lane_ids) >= pg.MAX_LANES, icon=":material/add:", key=prefix + "add_lane")
    return lanes, containers


SETUP_KEYS = ("dataset", "size", "noise", "validation", "test", "features", "standardize", "cnn", "channels", "layers",
              "width", "activation", "init", "norm", "dropout", "residual", "loss", "epochs", "batch", "patience",
              "seed", "convention", "lanes", "next_id")


def copy_settings(source: str, target: str) -> None:
    """Give the widgets under prefix `target` the values of those under `source`: data, model, training and every
    lane (another page opens with the same configuration). Buttons are not copied (they hold no value)."""
    state = st.session_state
    for name in [name for name in state if re.match(re.escape(target) + r"\d+_", name)]:
        del state[name]  # the target's old lanes
    for name in list(state):
        if not name.startswith(source):
            continue
        rest = name[len(source):]
        if rest in SETUP_KEYS or (re.match(r"\d+_", rest) and not rest.endswith("_remove")):
            value = state[name]
            state[target + rest] = list(value) if isinstance(value, list) else value


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


def summary(history) -> dict[str, Any]:
    """What the page shows of a training, as plain data (no torch objects are kept in the session)."""
    return {
        "train_loss": np.asarray(history.train_loss), "val_loss": np.asarray(history.val_loss),
        "train_acc": np.asarray(history.train_acc), "val_acc": np.asarray(history.val_acc),
        "step_loss": np.asarray(history.step_loss), "grad_norms": np.asarray(history.grad_norms),
        "snapshots": history.snapshots, "diverged_at": history.diverged_at, "stopped_at": history.stopped_at,
        "best_epoch": history.best_epoch, "test_loss": history.test_loss, "test_acc": history.test_acc,
    }


def lane_name(setup: Setup, lane: Lane, engine: str) -> tuple:
    """The store's key of one training."""
    return (setup, lane, engine)
