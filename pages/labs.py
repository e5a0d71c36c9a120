"""Training-tricks labs: the course notes' explanations turned into experiments, one tab each."""

import numpy as np
import streamlit as st

from optviz.engine import SCHEDULES
from optviz.engine.registry import schedule_curve, schedule_latex
from optviz.nets.labs import REGULARIZATION, margin_losses, regularizer_lane
from optviz.plots import labs as figures
from optviz.plots.networks import curves_side_by_side
from optviz.plots.playground import overlay_figure, subsample
from optviz.plots.schedules import schedule_figure
from optviz.plots.style import lane_colour
from optviz.presets import DIFFICULTY_CASES, DIFFICULTY_LANES
from optviz.report import finite_rows
from optviz.runs import lane_from_settings
from optviz.ui import language, t
from optviz.ui.compute import contour_grid, get_surface, run_cached
from optviz.ui.guide import guide
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table
from optviz.ui.tabs import lazy_tabs

ensure_navigation()
lang = language()


@st.cache_data(max_entries=32, show_spinner=False)
def flow(depth: int, width: int, activation: str, init: str, norm: str, residual: bool, steps: int):
    from optviz.nets.labs import gradient_flow  # torch only when a lab needs it

    return gradient_flow(depth, width, activation, init, norm, residual, steps)


@st.cache_data(max_entries=32, show_spinner=False)
def activations(depth: int, width: int, activation: str, init: str):
    from optviz.nets.labs import activations_at_init

    return activations_at_init(depth, width, activation, init)


@st.cache_data(max_entries=16, show_spinner=False)
def loss_training(dataset: str, epochs: int):
    from optviz.nets.data import split
    from optviz.nets.models import MLPSpec
    from optviz.nets.train import TrainConfig, train

    data = split(dataset, 300, 0.2, seed=0)
    spec = MLPSpec(2, 2, (16, 16), "tanh", "xavier")
    lane = lane_from_settings("adam", {"lr": "0.01"})
    results = {}
    for loss in ("cross_entropy", "mse", "hinge"):
        history = train(data, spec, lane, TrainConfig(epochs=epochs, batch_size=32, loss=loss, seed=0))
        results[loss] = (np.asarray(history.val_acc), history.test_acc)
    return results


@st.cache_data(max_entries=8, show_spinner=False)
def clipping_cached(gain: float, length: int):
    from optviz.nets.labs import clipping_rnn

    return clipping_rnn(length, gain)


@st.cache_data(max_entries=2, show_spinner=False)
def first_gradients(lengths: tuple[int, ...]):
    from optviz.nets.labs import first_input_gradient

    return {cell: first_input_gradient(cell, lengths) for cell in ("tanh", "lstm")}


@st.cache_data(max_entries=8, show_spinner=False)
def sequences_cached(length: int):
    from optviz.nets.labs import sequence_training

    return sequence_training(length)


@st.cache_data(max_entries=8, show_spinner=False)
def normalization_cached(batch_size: int, epochs: int):
    from optviz.nets.labs import normalization

    return normalization(batch_size, epochs)


@st.cache_data(max_entries=4, show_spinner=False)
def regularization_cached(epochs: int):
    from optviz.nets.labs import regularization

    return regularization(epochs)


def formula_grid(lanes: dict) -> None:
    """Each lane's own engine formula with its live values, two per row, under its label."""
    grid = [column for _ in range((len(lanes) + 1) // 2) for column in st.columns(2)]
    for column, (label, lane) in zip(grid, lanes.items(), strict=False):
        column.caption(label)
        column.latex(lane.pipeline().latex(live=True))


def race(name: str, start: tuple[float, float], steps: int, lanes: dict, key: str) -> None:
    """The lanes' paths from one start over the surface's contour."""
    surface = get_surface(name)
    paths = []
    for index, (label, lane) in enumerate(lanes.items()):
        trajectory = run_cached(name, lane, start, steps)
        shown = subsample(finite_rows(trajectory))
        paths.append({"label": label, "colour": lane_colour(index), "xy": trajectory.positions[shown],
                      "loss": trajectory.loss[shown], "steps": shown})
    st.plotly_chart(overlay_figure(contour_grid(name, 100), paths, surface.minima, start, surface.view, {
        "title": surface.label(lang), "colorbar": t("pg.colorbar"), "minimum": t("pg.minimum"),
        "start": t("pg.start")}), width="stretch", key=key)


st.title(t("lab.title"))
guide("labs")
st.markdown(t("lab.intro"))
TAB_KEYS = ("lab.vanishing", "lab.init", "lab.overfitting", "lab.schedules", "lab.losses", "lab.difficulties",
            "lab.normalization", "lab.clipping", "lab.rnn")
# Lazy tabs: only the open one runs its computations (the first open of the page no longer computes all nine).
tabs = lazy_tabs(TAB_KEYS, "lab_tab")

with tabs[0]:
    if tabs[0].open:
        st.markdown(t("lab.vanishing_text"))
        st.latex(r"\delta_l = \bigl(W_{l+1}^\top \delta_{l+1}\bigr) \odot \varphi'(z_l),\quad "
                 r"\frac{\partial L}{\partial W_l} = \delta_l\, h_{l-1}^\top,\quad \sigma'(z) \le \tfrac14"
                 r"\qquad \text{" + t("nt.residual") + r"}:\; h_l = h_{l-1} + F(h_{l-1}) \;\Rightarrow\; "
                 r"\frac{\partial h_l}{\partial h_{l-1}} = I + \frac{\partial F}{\partial h_{l-1}}")
        columns = st.columns(6)
        depth = columns[0].slider(t("lab.depth"), 2, 30, 20, key="lab_depth", persist_state="session")
        activation = columns[1].selectbox(t("nt.activation"), ("sigmoid", "tanh", "relu"), key="lab_activation",
                                          persist_state="session")
        init = columns[2].selectbox(t("nt.init"), ("xavier", "he", "lecun", "normal", "uniform"), key="lab_init",
                                    persist_state="session",
                                    format_func=lambda name: t(f"nt.init.{name}"))
        norm = columns[3].selectbox(t("nt.norm"), ("none", "batch"), key="lab_norm", persist_state="session",
                                    format_func=lambda name: t(f"nt.norm.{name}"))
        residual = columns[4].toggle(t("nt.residual"), key="lab_residual", persist_state="session")
        steps = columns[5].slider(t("lab.steps"), 5, 100, 30, key="lab_steps", persist_state="session")
        with st.spinner(t("lab.computing")):
            result = flow(depth, 16, activation, init, norm, residual, steps)
        st.plotly_chart(figures.layer_heatmaps_figure(result.grad_norm, result.activation_std, {
            "title": t("lab.flow_title"), "grad": t("lab.grad_heatmap"), "std": t("lab.std_heatmap"),
            "step": t("lab.step"), "layer": t("nt.layer")}), width="stretch")
        ratio = result.grad_norm[0, 0] / result.grad_norm[-1, 0]
        st.info(t("lab.ratio", ratio=f"{ratio:.2g}"), icon=":material/insights:")

with tabs[1]:
    if tabs[1].open:
        st.markdown(t("lab.init_text"))
        columns = st.columns(4)
        init_scheme = columns[0].selectbox(t("nt.init"), ("normal", "lecun", "xavier", "he", "uniform"),
                                           key="lab_init_scheme",
                                           persist_state="session", format_func=lambda name: t(f"nt.init.{name}"))
        init_activation = columns[1].selectbox(t("nt.activation"), ("linear", "tanh", "relu", "sigmoid"),
                                               key="lab_init_activation", persist_state="session")
        init_width = columns[2].select_slider(t("nt.width"), (16, 64, 256), value=256, key="lab_init_width",
                                              persist_state="session")
        init_depth = columns[3].slider(t("nt.layers"), 1, 9, 6, key="lab_init_depth", persist_state="session")
        variance = {"normal": ("1", 1.0), "lecun": ("1/n", 1 / init_width),
                    "xavier": (r"2/(n_{\mathrm{in}} + n_{\mathrm{out}})", 2 / (2 * init_width)),
                    "he": (r"2/n_{\mathrm{in}}", 2 / init_width), "uniform": (r"1/12", 1 / 12)}[init_scheme]
        st.latex(r"z_j = \sum_{i=1}^{n} w_{ji} x_i \;\Rightarrow\; \operatorname{Var}(z_j) = n\,\operatorname{Var}(w)\,"
                 r"\mathbb{E}[x^2],\qquad \operatorname{Var}(w) = " + variance[0]
                 + r",\quad n\,\operatorname{Var}(w) = "
                 + f"{init_width} \\cdot {variance[1]:.4g} = {init_width * variance[1]:.4g}")
        layers = activations(init_depth, init_width, init_activation, init_scheme)
        st.plotly_chart(figures.histograms_figure(layers, {"title": t("lab.init_title"), "layer": t("nt.layer")}),
                        width="stretch")

with tabs[2]:
    if tabs[2].open:
        st.markdown(t("lab.overfitting_text"))
        with st.spinner(t("lab.computing")):
            regularized = regularization_cached(300)
        series = [{"label": f"{t(f'lab.reg.{name}')} — {t('lab.gap')} {result['gap']:.2f}",
                   "colour": lane_colour(index), "train_loss": result["train_loss"], "val_loss": result["val_loss"]}
                  for index, (name, result) in enumerate(regularized.items())]
        st.plotly_chart(curves_side_by_side(series, {"title": t("lab.overfitting_title"), "train": t("nt.train_part"),
                                                     "val": t("nt.val_part")}), width="stretch")
        st.caption(t("lab.overfitting_caption"))
        links = {name: regularizer_lane(name).pipeline().links[0].latex(live=True) for name in ("l2", "l1")}
        st.latex(r"\text{L2}:\; " + links["l2"] + r"\qquad \text{L1}:\; " + links["l1"])
        st.latex(r"\text{" + t("lab.reg.dropout") + r"}:\; \tilde h = \frac{m \odot h}{1 - p},\ m_i \sim "
                 r"\operatorname{Bernoulli}(1 - p),\ p = " + f"{REGULARIZATION['dropout']}")
        st.caption(t("lab.reg.early_stopping") + " — " + t("lab.patience_text", patience=REGULARIZATION["patience"]))

with tabs[3]:
    if tabs[3].open:
        st.markdown(t("lab.schedules_text"))
        steps_total = 200
        choices = {"constant": {}, "step": {"step_size": 50, "gamma": 0.3}, "exponential": {"gamma": 0.98},
                   "cosine": {"total_steps": steps_total},
                   "warmup_cosine": {"warmup_steps": 20, "total_steps": steps_total}}

        st.plotly_chart(schedule_figure({SCHEDULES[name].label(lang): schedule_curve(name, steps_total, 0.3, settings)
                                         for name, settings in choices.items()},
                                        t("lab.schedule_curves"), t("axis.step"), t("axis.lr")), width="stretch")
        surface_name = "quadratic:a=1,b=1"
        series = []
        for index, (name, settings) in enumerate(choices.items()):
            lane_settings = {"lr": "0.3", "noise.std": "2", "noise.seed": "1"}
            if name != "constant":
                lane_settings["schedule"] = name
                lane_settings.update({f"schedule.{key}": str(value) for key, value in settings.items()})
            trajectory = run_cached(surface_name, lane_from_settings("sgd", lane_settings), (3.0, 2.0), steps_total)
            series.append({"label": SCHEDULES[name].label(lang), "x": np.arange(len(trajectory.loss)),
                           "y": trajectory.loss, "colour": index})
        st.plotly_chart(figures.lines_figure(series, {"title": t("lab.schedule_effect"), "x": t("axis.step"),
                                                      "y": "f"}, log_y=True), width="stretch")
        cells = st.columns(3)
        for index, name in enumerate(choices):
            with cells[index % 3]:
                st.caption(SCHEDULES[name].label(lang))
                st.latex(schedule_latex(name, choices[name]))

with tabs[4]:
    if tabs[4].open:
        st.markdown(t("lab.losses_text"))
        margins = np.linspace(-3, 3, 121)
        curves = margin_losses(margins)
        margin_labels = {"title": t("lab.margin_title"), "x": t("lab.margin"), "y": t("nt.loss_axis")}
        st.plotly_chart(figures.lines_figure([{"label": t(f"nt.loss.{name}"), "x": margins, "y": values,
                                               "colour": index}
                                              for index, (name, values) in enumerate(curves.items())], margin_labels),
                        width="stretch")
        dataset = st.selectbox(t("nt.dataset"), ("xor", "circle", "moons", "gauss"), key="lab_loss_dataset",
                               persist_state="session",
                               format_func=lambda name: t(f"nt.set.{name}"))
        with st.spinner(t("lab.computing")):
            trained = loss_training(dataset, 40)
        st.plotly_chart(figures.lines_figure([{"label": t(f"nt.loss.{name}"), "x": np.arange(len(accuracy)),
                                               "y": accuracy, "colour": index}
                                              for index, (name, (accuracy, _)) in enumerate(trained.items())],
                                             {"title": t("lab.loss_training"), "x": t("nt.epoch"),
                                              "y": t("nt.accuracy")}),
                        width="stretch")
        st.latex(r"\ell_{\mathrm{CE}} = \log(1 + e^{-m}),\quad \ell_{\mathrm{hinge}} = \max(0, 1 - m),\quad "
                 r"\ell_{\mathrm{MSE}} = (1 - \sigma(m))^2,\qquad m = (2y - 1)(o_1 - o_0)")

with tabs[5]:
    if tabs[5].open:
        st.markdown(t("lab.difficulties_text"))
        lanes = {label: lane_from_settings(optimizer, settings)
                 for label, (optimizer, settings) in DIFFICULTY_LANES.items()}
        formula_grid(lanes)
        for case, (name, start, case_steps) in DIFFICULTY_CASES.items():
            st.subheader(t(f"lab.case.{case}"))
            st.caption(t(f"lab.case.{case}_text"))
            race(name, start, case_steps, lanes, f"lab_{case}")

with tabs[6]:
    if tabs[6].open:
        st.markdown(t("lab.normalization_text"))
        st.latex(r"y = \gamma\,\frac{x - \mu}{\sqrt{\sigma^2 + 10^{-5}}} + \beta,\qquad \mu, \sigma^2 \text{ "
                 + t("lab.norm.over") + r"}\;\begin{cases} (N, H, W) & \text{BatchNorm} \\ (C, H, W) & "
                 r"\text{LayerNorm} \\ (H, W) & \text{InstanceNorm} \\ (C/2, H, W) & \text{GroupNorm, } G = 2"
                 r"\end{cases}")
        batch_size = st.select_slider(t("nt.batch"), (2, 4, 8, 32, 128), value=32, key="lab_norm_batch",
                                      persist_state="session")
        with st.spinner(t("lab.computing")):
            normalized = normalization_cached(batch_size, 8)
        st.plotly_chart(figures.lines_figure([{"label": t(f"lab.norm.{name}"), "x": np.arange(len(result["val_acc"])),
                                               "y": result["val_acc"], "colour": index}
                                              for index, (name, result) in enumerate(normalized.items())],
                                             {"title": t("lab.normalization_title"), "x": t("nt.epoch"),
                                              "y": t("nt.accuracy")}), width="stretch")
        table([{t("lab.normalization_column"): t(f"lab.norm.{name}"),
                t("nt.test_accuracy"): f"{result['test_acc']:.1%}"}
               for name, result in normalized.items()])

with tabs[7]:
    if tabs[7].open:
        st.markdown(t("lab.clipping_text"))
        clip_lanes = {"none": {}, "norm_1": {"clip_norm.max_norm": "1"}, "norm_10": {"clip_norm.max_norm": "10"},
                      "value": {"clip_value.clip_value": "1"}}
        st.subheader(t("lab.clip.cliff"))
        st.caption(t("lab.clip.cliff_text"))
        cliff_lanes = {t(f"lab.clip.{name}"): lane_from_settings("sgd", {"lr": "1", **settings})
                       for name, settings in clip_lanes.items()}
        formula_grid(cliff_lanes)
        race("cliff", (-3.0, 1.5), 200, cliff_lanes, "lab_cliff")
        st.subheader(t("lab.clip.rnn"))
        st.caption(t("lab.clip.rnn_text"))
        columns = st.columns(2)
        gain = columns[0].select_slider(t("lab.clip.gain"), (1.0, 1.05, 1.1, 1.15, 1.2), value=1.15,
                                        key="lab_clip_gain", persist_state="session")
        length = columns[1].select_slider(t("lab.clip.length"), (10, 20, 30, 40), value=30, key="lab_clip_length",
                                          persist_state="session")
        with st.spinner(t("lab.computing")):
            clipped = clipping_cached(gain, length)
        loss_figure = figures.lines_figure(
            [{"label": t(f"lab.clip.{name}"), "x": np.arange(1, len(result["step_loss"]) + 1),
              "y": np.where(np.isfinite(result["step_loss"]), result["step_loss"], np.nan), "colour": index}
             for index, (name, result) in enumerate(clipped.items())],
            {"title": t("lab.clip.loss_title"), "x": t("lab.step"), "y": t("nt.loss")}, log_y=True)
        loss_figure.update_yaxes(range=[-1.5, 3])  # 0.03 to 1000: an exploded run leaves through the top
        st.plotly_chart(loss_figure, width="stretch")
        table([{t("lab.clip.column"): t(f"lab.clip.{name}"),
                t("lab.clip.diverged"): "—" if result["diverged_at"] is None else str(result["diverged_at"]),
                t("nt.test_accuracy"): f"{result['test_acc']:.1%}" if result["diverged_at"] is None else "—"}
               for name, result in clipped.items()])

with tabs[8]:
    if tabs[8].open:
        st.markdown(t("lab.rnn_text"))
        st.latex(r"\text{RNN}:\; h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)")
        st.latex(r"\text{LSTM}:\; c_t = f_t \odot c_{t-1} + i_t \odot \tanh(W_c [h_{t-1}, x_t] + b_c),\quad "
                 r"f_t = \sigma(W_f [h_{t-1}, x_t] + b_f),\quad h_t = o_t \odot \tanh c_t")
        lengths = (2, 5, 10, 20, 30, 50, 75, 100)
        with st.spinner(t("lab.computing")):
            reaching = first_gradients(lengths)
        cells = {"tanh": t("lab.rnn.tanh"), "lstm": t("lab.rnn.lstm")}
        st.plotly_chart(figures.lines_figure(
            [{"label": cells[cell], "x": np.array(lengths), "y": values, "colour": index}
             for index, (cell, values) in enumerate(reaching.items())],
            {"title": t("lab.rnn.gradient_title"), "x": t("lab.rnn.length"), "y": t("lab.rnn.gradient")}, log_y=True),
            width="stretch")
        sequence_length = st.select_slider(t("lab.rnn.length"), (5, 10, 20, 50), value=20, key="lab_rnn_length",
                                           persist_state="session")
        with st.spinner(t("lab.computing")):
            trained = sequences_cached(sequence_length)
        st.plotly_chart(figures.lines_figure(
            [{"label": cells[cell], "x": np.arange(len(result["val_acc"])), "y": result["val_acc"], "colour": index}
             for index, (cell, result) in enumerate(trained.items())],
            {"title": t("lab.rnn.training_title"), "x": t("nt.epoch"), "y": t("nt.accuracy")}), width="stretch")
        table([{t("lab.rnn.column"): cells[cell], t("nt.test_accuracy"): f"{result['test_acc']:.1%}"}
               for cell, result in trained.items()])
