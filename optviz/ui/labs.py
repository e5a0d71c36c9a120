"""The training-tricks labs: one function per lesson, each a workbench (its chart beside the controls that change it,
with the lesson's text and formulas), the cached computations behind them, and the lesson picker.

The lesson is stored as a language-free key (``vanishing``, ``clipping``, …) under LESSON_KEY, in the session and in
the URL (``?lab=clipping``), so a language switch or a shared link keeps it. torch is imported only when a lesson that
trains a network runs (optviz.nets.labs, inside the cached functions).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.engine import SCHEDULES
from optviz.engine.registry import schedule_curve, schedule_latex
from optviz.i18n import text
from optviz.plots import labs as figures
from optviz.plots.playground import overlay_figure, subsample
from optviz.plots.schedules import schedule_figure
from optviz.plots.style import lane_colour
from optviz.presets import DIFFICULTY_CASES, DIFFICULTY_LANES
from optviz.report import finite_rows
from optviz.runs import lane_from_settings

from .compute import get_surface, run_cached, surface_picture_cached
from .i18n import language, t
from .jobs import compute
from .layout import CHART_HEIGHT
from .tables import table

LESSONS = ("vanishing", "init", "overfitting", "schedules", "losses", "difficulties", "normalization", "clipping",
           "rnn", "attention")
LESSON_KEY = "lab"  # session key and URL parameter of the chosen lesson (a language-free key)
CONTROLS_PANEL_HEIGHT = CHART_HEIGHT + 40  # the controls column scrolls inside itself, level with the chart

# Each loss, each normalization, each clipping, each network keeps one colour on every chart of its lesson.
LOSS_ORDER = ("cross_entropy", "hinge", "mse")
REGULARIZER_ORDER = ("none", "l2", "l1", "dropout", "early_stopping", "batchnorm")
NORM_ORDER = ("batch", "layer", "instance", "group", "none")
CLIP_ORDER = ("none", "norm_1", "norm_10", "value")
CELL_ORDER = ("tanh", "lstm")
SEQUENCE_ORDER = ("tanh", "lstm", "attention")  # the attention lab's networks: the RNN lab's two, then attention
ATTENTION_LENGTHS = (5, 10, 20, 30, 50, 75, 100)
# The difficulty lab's lanes (optviz.presets.DIFFICULTY_LANES) by their English key, named in the user's language.
LANE_NAMES = {"SGD": "lab.lane.sgd", "Momentum": "lab.lane.momentum", "Adam": "lab.lane.adam",
              "SGD + noise": "lab.lane.sgd_noise"}
# A small style rule: formulas in the controls column at a size that fits, scrolling sideways rather than cut off.
STYLE = """
<style>
.st-key-lab_controls .katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0; margin: 0.3em 0; }
.st-key-lab_controls .katex { font-size: 0.95em; }
.st-key-lab_controls p { font-size: 0.9rem; }
</style>
"""


# ----------------------------------------------------------------------------------------------- the lesson picker


def lesson_picker(container, lessons: tuple[str, ...] = LESSONS, key: str = LESSON_KEY, prefix: str = "lab.") -> str:
    """The lesson select box (in `container`, the page header's slot); returns the chosen lesson's key.

    `lessons` are language-free keys, named by the messages `prefix + lesson`; `key` is both the session key and the
    URL parameter. A session opens on the URL's lesson when it names one (an unknown name is ignored with a
    warning); the choice is written back to the URL so that a link opens the same lesson."""
    if key not in st.session_state:
        requested = st.query_params.get(key)
        if requested in lessons:
            st.session_state[key] = requested
        elif requested is not None:
            st.warning(t("app.bad_query", name=key, value=str(requested)[:40]), icon=":material/link_off:")
    chosen = container.selectbox(t("lab.lesson"), lessons, key=key, format_func=labels(prefix),
                                 label_visibility="collapsed", persist_state="session")
    chosen = chosen if chosen in lessons else lessons[0]
    if chosen == lessons[0]:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != chosen:
        st.query_params[key] = chosen
    return chosen


def labels(prefix: str):
    """A select box's format_func: the message `prefix + option` in the language of this run (bound now, so that a
    label is always the one the options were sent with)."""
    lang = language()
    return lambda option: text(f"{prefix}{option}", lang)


def workbench():
    """The chart column and the controls column (which scrolls inside itself at the chart's height)."""
    st.html(STYLE)
    chart_column, controls_column = st.columns([1.55, 1], gap="medium")
    controls = controls_column.container(height=CONTROLS_PANEL_HEIGHT, border=False, key="lab_controls")
    return chart_column, controls


def run_lesson(lesson: str) -> None:
    """Draw the lesson `lesson` (a key of LESSONS)."""
    LABS[lesson]()


# ------------------------------------------------------------------------------------------ cached computations
# Each is computed by the server's pool of worker processes (optviz.ui.jobs.compute): a lab's seconds of training
# do not hold the interpreter every other learner's rerun needs.


@st.cache_data(max_entries=32, show_spinner=False)
def flow(depth: int, width: int, activation: str, init: str, norm: str, residual: bool, steps: int):
    """optviz.nets.labs.gradient_flow, cached."""
    from optviz.nets.labs import gradient_flow  # torch only when a lab needs it

    return compute(gradient_flow, depth, width, activation, init, norm, residual, steps)


@st.cache_data(max_entries=32, show_spinner=False)
def activations(depth: int, width: int, activation: str, init: str):
    """optviz.nets.labs.activations_at_init, cached."""
    from optviz.nets.labs import activations_at_init

    return compute(activations_at_init, depth, width, activation, init)


@st.cache_data(max_entries=16, show_spinner=False)
def losses_trained(dataset: str, epochs: int):
    """optviz.nets.labs.loss_training, cached."""
    from optviz.nets.labs import loss_training

    return compute(loss_training, dataset, epochs)


@st.cache_data(max_entries=8, show_spinner=False)
def clipping_runs(gain: float, length: int):
    """optviz.nets.labs.clipping_rnn, cached."""
    from optviz.nets.labs import clipping_rnn

    return compute(clipping_rnn, length, gain)


@st.cache_data(max_entries=2, show_spinner=False)
def first_gradients(lengths: tuple[int, ...]):
    """optviz.nets.labs.first_input_gradient for both cells, cached."""
    from optviz.nets.labs import first_input_gradient

    return {cell: compute(first_input_gradient, cell, lengths) for cell in CELL_ORDER}


@st.cache_data(max_entries=8, show_spinner=False)
def sequences(length: int):
    """optviz.nets.labs.sequence_training, cached."""
    from optviz.nets.labs import sequence_training

    return compute(sequence_training, length)


@st.cache_data(max_entries=48, show_spinner=False)
def attention_trained(model: str, length: int) -> dict:
    """optviz.nets.labs.attention_run (one network at one length), cached: each run is kept on its own, so a new
    length trains only its three networks."""
    from optviz.nets.labs import attention_run

    return compute(attention_run, model, length)


@st.cache_data(max_entries=8, show_spinner=False)
def normalizations(batch_size: int, epochs: int):
    """optviz.nets.labs.normalization, cached."""
    from optviz.nets.labs import normalization

    return compute(normalization, batch_size, epochs)


@st.cache_data(max_entries=4, show_spinner=False)
def regularizations(epochs: int):
    """optviz.nets.labs.regularization, cached."""
    from optviz.nets.labs import regularization

    return compute(regularization, epochs)


# ---------------------------------------------------------------------------------- captions from the run's numbers


def percent(value: float) -> str:
    """An accuracy as 95.0 %."""
    return f"{value:.1%}".replace("%", " %")


def clipping_caption(gain: float, length: int, results: dict) -> str:
    """What this clipping run shows, from its own numbers: the growth gain^length, which runs diverged, which learned.

    Chance is 50 % on the first-element task; a run counts as learning at 60 % or more."""
    text = [t("lab.clip.growth", gain=f"{gain:g}", length=length, growth=f"{gain ** length:.3g}")]
    diverged = [t(f"lab.clip.{name}") for name in CLIP_ORDER if results[name]["diverged_at"] is not None]
    if diverged:
        text.append(t("lab.clip.diverged_list", names=", ".join(diverged)))
    learned = {name: result["test_acc"] for name, result in results.items() if result["diverged_at"] is None}
    best = max(learned, key=learned.get) if learned else None
    if best is None or learned[best] < 0.6:
        shown = max((result["test_acc"] for result in results.values()), default=0.5)
        text.append(t("lab.clip.none_learned", best=percent(shown)))
    else:
        text.append(t("lab.clip.best", name=t(f"lab.clip.{best}"), accuracy=percent(learned[best])))
    return " ".join(text)


def overfitting_caption(results: dict) -> str:
    """The remedies ranked by their gap, and what BatchNorm does here (its gap next to no remedy's)."""
    gaps = {name: result["gap"] for name, result in results.items()}
    ranked = sorted((name for name in gaps if name != "none"), key=gaps.get)
    text = [t("lab.gap_ranking", none=f"{gaps['none']:.2f}",
              ranking=", ".join(f"{t(f'lab.reg.{name}')} {gaps[name]:.2f}" for name in ranked))]
    if "batchnorm" in gaps and gaps["batchnorm"] > 0.5 * gaps["none"]:
        text.append(t("lab.batchnorm_no_remedy", gap=f"{gaps['batchnorm']:.2f}", none=f"{gaps['none']:.2f}"))
    return " ".join(text)


def normalization_caption(batch_size: int, results: dict) -> str:
    """How BatchNorm did at this batch size next to the per-sample norms and none, and what that does (not) show."""
    batch = results["batch"]["test_acc"]
    others = {name: results[name]["test_acc"] for name in NORM_ORDER if name != "batch" and name in results}
    best = max(others, key=others.get)
    text = [t("lab.norm.result", batch_size=batch_size, accuracy=percent(batch), best=t(f"lab.norm.{best}"),
              best_accuracy=percent(others[best]), none=percent(others.get("none", float("nan"))))]
    behind = others[best] - batch
    if batch_size > 8:
        text.append(t("lab.norm.large_batch"))
    elif behind > 0.03:
        text.append(t("lab.norm.noise_shows", points=f"{100 * behind:.1f}", batch_size=batch_size))
    else:
        text.append(t("lab.norm.noise_hidden", values=batch_size * 64, batch_size=batch_size))
    return " ".join(text)


def schedules_caption(final: dict) -> str:
    """The schedules ranked by the mean loss of their last 20 steps."""
    ranked = sorted(final, key=final.get)
    return t("lab.schedule_ranking", ranking=", ".join(f"{SCHEDULES[name].label(language())} {final[name]:.2g}"
                                                       for name in ranked))


# ----------------------------------------------------------------------------------------------------- the lessons


def formula_list(lanes: dict) -> None:
    """Each lane's own engine formula with its live values, under its label."""
    for label, lane in lanes.items():
        st.caption(label)
        st.latex(lane.pipeline().latex(live=True))


def race(name: str, start: tuple[float, float], steps: int, lanes: dict, key: str, height: int) -> None:
    """The lanes' paths from one start over the surface's picture."""
    surface = get_surface(name)
    paths = []
    for index, (label, lane) in enumerate(lanes.items()):
        trajectory = run_cached(name, lane, start, steps)
        shown = subsample(finite_rows(trajectory))
        paths.append({"label": label, "colour": lane_colour(index), "xy": trajectory.positions[shown],
                      "loss": trajectory.loss[shown], "steps": shown})
    st.plotly_chart(overlay_figure(surface_picture_cached(name), paths, surface.minima, start, surface.view, {
        "title": "", "colorbar": t("pg.colorbar"), "minimum": t("pg.minimum"),
        "start": t("pg.start")}, height=height), width="stretch", key=key)


def vanishing_lab() -> None:
    """Gradient flow through a deep MLP: each layer's gradient norm and activation spread per step."""
    chart, controls = workbench()
    with controls:
        left, right = st.columns(2)
        depth = left.slider(t("lab.depth"), 2, 30, 20, key="lab_depth", persist_state="session")
        steps = right.slider(t("lab.steps"), 5, 100, 30, key="lab_steps", persist_state="session")
        activation = left.selectbox(t("nt.activation"), ("sigmoid", "tanh", "relu"), key="lab_activation",
                                    persist_state="session")
        init = right.selectbox(t("nt.init"), ("xavier", "he", "lecun", "normal", "uniform"), key="lab_init",
                               persist_state="session", format_func=labels("nt.init."))
        norm = left.selectbox(t("nt.norm"), ("none", "batch"), key="lab_norm", persist_state="session",
                              format_func=labels("nt.norm."))
        right.container(height=10, border=False)
        residual = right.toggle(t("nt.residual"), key="lab_residual", persist_state="session")
        ratio_place = st.empty()
        st.markdown(t("lab.vanishing_text"))
        st.latex(r"\delta_l = \bigl(W_{l+1}^\top \delta_{l+1}\bigr) \odot \varphi'(z_l),\quad "
                 r"\frac{\partial L}{\partial W_l} = \delta_l\, h_{l-1}^\top,\quad \sigma'(z) \le \tfrac14")
        st.caption(t("nt.residual"))
        st.latex(r"h_l = h_{l-1} + F(h_{l-1}) \;\Rightarrow\; "
                 r"\frac{\partial h_l}{\partial h_{l-1}} = I + \frac{\partial F}{\partial h_{l-1}}")
    with chart, st.spinner(t("lab.computing")):
        result = flow(depth, 16, activation, init, norm, residual, steps)
        st.plotly_chart(figures.layer_heatmaps_figure(result.grad_norm, result.activation_std, {
            "title": t("lab.flow_title"), "grad": t("lab.grad_heatmap"), "std": t("lab.std_heatmap"),
            "step": t("lab.step"), "layer": t("nt.layer")}, height=CHART_HEIGHT), width="stretch")
    ratio = result.grad_norm[0, 0] / result.grad_norm[-1, 0]
    ratio_place.info(t("lab.ratio", ratio=f"{ratio:.2g}"), icon=":material/insights:")


def init_lab() -> None:
    """Histograms of each layer's activations in a fresh network, per initialization scheme."""
    chart, controls = workbench()
    with controls:
        left, right = st.columns(2)
        scheme = left.selectbox(t("nt.init"), ("normal", "lecun", "xavier", "he", "uniform"), key="lab_init_scheme",
                                persist_state="session", format_func=labels("nt.init."))
        activation = right.selectbox(t("nt.activation"), ("linear", "tanh", "relu", "sigmoid"),
                                     key="lab_init_activation", persist_state="session")
        width = left.select_slider(t("nt.width"), (16, 64, 256), value=256, key="lab_init_width",
                                   persist_state="session")
        depth = right.slider(t("nt.layers"), 1, 9, 6, key="lab_init_depth", persist_state="session")
        st.markdown(t("lab.init_text"))
        variance = {"normal": ("1", 1.0), "lecun": ("1/n", 1 / width),
                    "xavier": (r"2/(n_{\mathrm{in}} + n_{\mathrm{out}})", 2 / (2 * width)),
                    "he": (r"2/n_{\mathrm{in}}", 2 / width), "uniform": (r"1/12", 1 / 12)}[scheme]
        st.latex(r"z_j = \sum_{i=1}^{n} w_{ji} x_i \;\Rightarrow\; \operatorname{Var}(z_j) = n\,\operatorname{Var}(w)\,"
                 r"\mathbb{E}[x^2]")
        st.latex(r"\operatorname{Var}(w) = " + variance[0] + r",\quad n\,\operatorname{Var}(w) = "
                 + f"{width} \\cdot {variance[1]:.4g} = {width * variance[1]:.4g}")
    with chart:
        layers = activations(depth, width, activation, scheme)
        st.plotly_chart(figures.histograms_figure(layers, {"title": t("lab.init_title"), "layer": t("nt.layer")},
                                                  height=CHART_HEIGHT), width="stretch")


def overfitting_lab() -> None:
    """A large network on a small noisy set, trained with each remedy: train and validation loss, the gap."""
    from optviz.nets.labs import REGULARIZATION, regularizer_lane

    chart, controls = workbench()
    with chart, st.spinner(t("lab.computing")):
        results = regularizations(300)
        series = [{"label": f"{t(f'lab.reg.{name}')} — {t('lab.gap')} {results[name]['gap']:.2f}",
                   "colour": REGULARIZER_ORDER.index(name), "train_loss": results[name]["train_loss"],
                   "val_loss": results[name]["val_loss"]} for name in REGULARIZER_ORDER if name in results]
        st.plotly_chart(figures.regularization_figure(series, {
            "title": t("lab.overfitting_title"), "train": t("nt.train_part"), "val": t("nt.val_part"),
            "epoch": t("nt.epoch")}, height=CHART_HEIGHT), width="stretch")
    with controls:
        st.info(overfitting_caption(results), icon=":material/insights:")
        st.markdown(t("lab.overfitting_text"))
        st.caption(t("lab.overfitting_caption"))
        links = {name: regularizer_lane(name).pipeline().links[0].latex(live=True) for name in ("l2", "l1")}
        st.latex(r"\text{L2}:\; " + links["l2"])
        st.latex(r"\text{L1}:\; " + links["l1"])
        st.caption(t("lab.reg.dropout"))
        st.latex(r"\tilde h = \frac{m \odot h}{1 - p},\ m_i \sim \operatorname{Bernoulli}(1 - p),\ p = "
                 + f"{REGULARIZATION['dropout']}")
        st.caption(t("lab.reg.early_stopping") + " — " + t("lab.patience_text", patience=REGULARIZATION["patience"]))
    table([{t("lab.reg.column"): t(f"lab.reg.{name}"), t("lab.gap"): f"{results[name]['gap']:.2f}",
            t("nt.test_accuracy"): percent(results[name]["test_acc"])}
           for name in REGULARIZER_ORDER if name in results])


def schedules_lab() -> None:
    """Each schedule's learning rate per step and its effect on SGD with gradient noise."""
    chart, controls = workbench()
    steps_total = 200
    choices = {"constant": {}, "step": {"step_size": 50, "gamma": 0.3}, "exponential": {"gamma": 0.98},
               "cosine": {"total_steps": steps_total},
               "warmup_cosine": {"warmup_steps": 20, "total_steps": steps_total}}
    with controls:
        left, right = st.columns(2)
        base_lr = left.select_slider("η", (0.05, 0.1, 0.2, 0.3, 0.5), value=0.3, key="lab_schedule_lr",
                                     persist_state="session")
        noise = right.select_slider(t("lab.noise"), (0.0, 0.5, 1.0, 2.0, 4.0), value=2.0, key="lab_schedule_noise",
                                    persist_state="session")
        caption_place = st.empty()
        st.markdown(t("lab.schedules_text"))
        for name, settings in choices.items():
            st.caption(SCHEDULES[name].label(language()))
            st.latex(schedule_latex(name, settings, base_lr))
    losses, final = [], {}
    for index, (name, settings) in enumerate(choices.items()):
        lane_settings = {"lr": str(base_lr)}
        if noise > 0:
            lane_settings.update({"noise.std": str(noise), "noise.seed": "1"})
        if name != "constant":
            lane_settings["schedule"] = name
            lane_settings.update({f"schedule.{key}": str(value) for key, value in settings.items()})
        trajectory = run_cached("quadratic:a=1,b=1", lane_from_settings("sgd", lane_settings), (3.0, 2.0), steps_total)
        final[name] = float(np.mean(trajectory.loss[-20:]))
        losses.append({"label": SCHEDULES[name].label(language()), "x": np.arange(len(trajectory.loss)),
                       "y": trajectory.loss, "colour": index})
    caption_place.info(schedules_caption(final), icon=":material/insights:")
    with chart:
        left, right = st.columns(2)
        left.plotly_chart(schedule_figure({SCHEDULES[name].label(language()): schedule_curve(name, steps_total, base_lr,
                                                                                               settings)
                                           for name, settings in choices.items()},
                                          t("lab.schedule_curves", lr=f"{base_lr:g}"), t("axis.step"), t("axis.lr"),
                                          height=CHART_HEIGHT), width="stretch")
        right.plotly_chart(figures.lines_figure(losses, {"title": t("lab.schedule_effect"), "x": t("axis.step"),
                                                         "y": "f"}, log_y=True, height=CHART_HEIGHT, showlegend=False),
                           width="stretch")


def losses_lab() -> None:
    """The margin losses, and the same network trained with each (one colour per loss on both charts)."""
    from optviz.nets.labs import margin_losses

    chart, controls = workbench()
    with controls:
        dataset = st.selectbox(t("nt.dataset"), ("xor", "circle", "moons", "gauss"), key="lab_loss_dataset",
                               persist_state="session", format_func=labels("nt.set."))
        result_place = st.empty()
        st.markdown(t("lab.losses_text"))
        st.latex(r"\ell_{\mathrm{CE}} = \log(1 + e^{-m}),\quad \ell_{\mathrm{hinge}} = \max(0, 1 - m)")
        st.latex(r"\ell_{\mathrm{MSE}} = (1 - \sigma(m))^2,\qquad m = (2y - 1)(o_1 - o_0)")
    margins = np.linspace(-3, 3, 121)
    curves = margin_losses(margins)
    with chart:
        left, right = st.columns(2)
        left.plotly_chart(figures.lines_figure(
            [{"label": t(f"nt.loss.{name}"), "x": margins, "y": curves[name], "colour": LOSS_ORDER.index(name)}
             for name in LOSS_ORDER], {"title": t("lab.margin_title"), "x": t("lab.margin"),
                                       "y": t("nt.loss_axis")}, height=CHART_HEIGHT), width="stretch")
        with right, st.spinner(t("lab.computing")):
            trained = losses_trained(dataset, 40)
            right.plotly_chart(figures.lines_figure(
                [{"label": t(f"nt.loss.{name}"), "x": np.arange(len(trained[name]["val_acc"])),
                  "y": trained[name]["val_acc"], "colour": LOSS_ORDER.index(name)} for name in LOSS_ORDER],
                {"title": t("lab.loss_training"), "x": t("nt.epoch"), "y": t("nt.accuracy")}, height=CHART_HEIGHT,
                showlegend=False),
                width="stretch")
    with result_place.container():
        table([{t("nt.loss"): t(f"nt.loss.{name}"), t("nt.test_accuracy"): percent(trained[name]["test_acc"])}
               for name in LOSS_ORDER])


def difficulties_lab() -> None:
    """Saddle, plateau, local minima: four optimizers from the same start, one case at a time."""
    chart, controls = workbench()
    lanes = {t(LANE_NAMES[label]) if label in LANE_NAMES else label: lane_from_settings(optimizer, settings)
             for label, (optimizer, settings) in DIFFICULTY_LANES.items()}
    with controls:
        case = st.segmented_control(t("lab.case"), tuple(DIFFICULTY_CASES), key="lab_case", required=True,
                                    default=next(iter(DIFFICULTY_CASES)), persist_state="session",
                                    format_func=labels("lab.case."))
        case = case if case in DIFFICULTY_CASES else next(iter(DIFFICULTY_CASES))
        st.caption(get_surface(DIFFICULTY_CASES[case][0]).label(language()))
        st.info(t(f"lab.case.{case}_text"), icon=":material/insights:")
        st.markdown(t("lab.difficulties_text"))
        formula_list(lanes)
    name, start, steps = DIFFICULTY_CASES[case]
    with chart:
        race(name, start, steps, lanes, f"lab_{case}", CHART_HEIGHT)


def normalization_lab() -> None:
    """The digits CNN with each normalization at a chosen batch size: validation accuracy per epoch, test accuracy."""
    chart, controls = workbench()
    with controls:
        batch_size = st.select_slider(t("nt.batch"), (2, 4, 8, 32, 128), value=32, key="lab_norm_batch",
                                      persist_state="session")
        result_place = st.empty()
        st.markdown(t("lab.normalization_text"))
        st.latex(r"y = \gamma\,\frac{x - \mu}{\sqrt{\sigma^2 + 10^{-5}}} + \beta")
        st.latex(r"\mu, \sigma^2 \text{ " + t("lab.norm.over") + r"}\;\begin{cases} (N, H, W) & \text{BatchNorm} \\ "
                 r"(C, H, W) & \text{LayerNorm} \\ (H, W) & \text{InstanceNorm} \\ (C/2, H, W) & \text{GroupNorm, } "
                 r"G = 2 \end{cases}")
    with chart, st.spinner(t("lab.computing_long") if batch_size <= 4 else t("lab.computing")):
        results = normalizations(batch_size, 8)
        st.plotly_chart(figures.lines_figure(
            [{"label": t(f"lab.norm.{name}"), "x": np.arange(len(results[name]["val_acc"])),
              "y": results[name]["val_acc"], "colour": NORM_ORDER.index(name)} for name in NORM_ORDER
             if name in results],
            {"title": t("lab.normalization_title"), "x": t("nt.epoch"), "y": t("nt.accuracy")}, height=CHART_HEIGHT),
            width="stretch")
    with result_place.container():
        st.info(normalization_caption(batch_size, results), icon=":material/insights:")
        table([{t("lab.normalization_column"): t(f"lab.norm.{name}"),
                t("nt.test_accuracy"): percent(results[name]["test_acc"])} for name in NORM_ORDER if name in results])


def clipping_lab() -> None:
    """Clipping, two experiments: SGD on the cliff surface, and a ReLU RNN whose gradient explodes."""
    chart, controls = workbench()
    with controls:
        part = st.segmented_control(t("lab.clip.part"), ("rnn", "cliff"), key="lab_clip_part", required=True,
                                    default="rnn", persist_state="session",
                                    format_func=labels("lab.clip."))
        part = part if part in ("rnn", "cliff") else "rnn"
    if part == "cliff":
        settings = {"none": {}, "norm_1": {"clip_norm.max_norm": "1"}, "norm_10": {"clip_norm.max_norm": "10"},
                    "value": {"clip_value.clip_value": "1"}}
        lanes = {t(f"lab.clip.{name}"): lane_from_settings("sgd", {"lr": "1", **settings[name]})
                 for name in CLIP_ORDER}
        with controls:
            st.caption(get_surface("cliff").label(language()))
            st.info(t("lab.clip.cliff_text"), icon=":material/insights:")
            st.markdown(t("lab.clipping_text"))
            formula_list(lanes)
        with chart:
            race("cliff", (-3.0, 1.5), 200, lanes, "lab_cliff", CHART_HEIGHT)
        return
    with controls:
        left, right = st.columns(2)
        gain = left.select_slider(t("lab.clip.gain"), (1.0, 1.05, 1.1, 1.15, 1.2), value=1.15, key="lab_clip_gain",
                                  persist_state="session")
        length = right.select_slider(t("lab.clip.length"), (10, 20, 30, 40), value=30, key="lab_clip_length",
                                     persist_state="session")
        result_place = st.empty()
        st.markdown(t("lab.clip.rnn_text"))
        st.latex(r"h_t = \operatorname{ReLU}(W_{hh} h_{t-1} + W_{xh} x_t + b),\quad W_{hh}^{(0)} = "
                 + f"{gain:g}" + r"\, I")
        st.latex(r"\text{" + t("lab.clip.by_norm") + r"}:\; g \leftarrow g\,\min\Bigl(1, \frac{\theta}{\lVert g "
                 r"\rVert}\Bigr)")
        st.latex(r"\text{" + t("lab.clip.by_value") + r"}:\; g_i \leftarrow \operatorname{clip}(g_i, -c, c),\ c = 0.1")
    with chart, st.spinner(t("lab.computing")):
        results = clipping_runs(gain, length)
        loss_figure = figures.lines_figure(
            [{"label": t(f"lab.clip.{name}"), "x": np.arange(1, len(results[name]["step_loss"]) + 1),
              "y": np.where(np.isfinite(results[name]["step_loss"]), results[name]["step_loss"], np.nan),
              "colour": CLIP_ORDER.index(name)} for name in CLIP_ORDER],
            {"title": t("lab.clip.loss_title"), "x": t("lab.step"), "y": t("nt.loss")}, height=CHART_HEIGHT)
        figures.set_log_y(loss_figure, 0.03, 1000)
        loss_figure.update_yaxes(range=[np.log10(0.03), 3])  # an exploded run leaves through the top
        st.plotly_chart(loss_figure, width="stretch")
    with result_place.container():
        st.info(clipping_caption(gain, length, results), icon=":material/insights:")
        rows = []
        for name in CLIP_ORDER:
            diverged_at = results[name]["diverged_at"]
            rows.append({t("lab.clip.column"): t(f"lab.clip.{name}"),
                         t("lab.clip.diverged"): "—" if diverged_at is None else str(diverged_at),
                         t("nt.test_accuracy"): "—" if diverged_at is not None else percent(results[name]["test_acc"])})
        table(rows)


def rnn_lab() -> None:
    """The gradient reaching a sequence's first input, and a vanilla RNN and an LSTM trained on a task that needs it."""
    chart, controls = workbench()
    cells = {cell: t(f"lab.rnn.{cell}") for cell in CELL_ORDER}
    with controls:
        length = st.select_slider(t("lab.rnn.length"), (5, 10, 20, 50), value=20, key="lab_rnn_length",
                                  persist_state="session")
        result_place = st.empty()
        st.markdown(t("lab.rnn_text"))
        st.caption("RNN")
        st.latex(r"h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)")
        st.caption("LSTM")
        st.latex(r"c_t = f_t \odot c_{t-1} + i_t \odot \tanh(W_c [h_{t-1}, x_t] + b_c)")
        st.latex(r"f_t = \sigma(W_f [h_{t-1}, x_t] + b_f),\quad h_t = o_t \odot \tanh c_t")
    lengths = (2, 5, 10, 20, 30, 50, 75, 100)
    with chart, st.spinner(t("lab.computing")):
        left, right = st.columns(2)
        reaching = first_gradients(lengths)
        left.plotly_chart(figures.lines_figure(
            [{"label": cells[cell], "x": np.array(lengths), "y": reaching[cell], "colour": CELL_ORDER.index(cell)}
             for cell in CELL_ORDER],
            {"title": t("lab.rnn.gradient_title"), "x": t("lab.rnn.length"), "y": t("lab.rnn.gradient")}, log_y=True,
            height=CHART_HEIGHT), width="stretch")
        trained = sequences(length)
        right.plotly_chart(figures.lines_figure(
            [{"label": cells[cell], "x": np.arange(len(trained[cell]["val_acc"])), "y": trained[cell]["val_acc"],
              "colour": CELL_ORDER.index(cell)} for cell in CELL_ORDER],
            {"title": t("lab.rnn.training_title"), "x": t("nt.epoch"), "y": t("nt.accuracy")}, height=CHART_HEIGHT,
            showlegend=False),
            width="stretch")
    with result_place.container():
        table([{t("lab.rnn.column"): cells[cell], t("nt.test_accuracy"): percent(trained[cell]["test_acc"])}
               for cell in CELL_ORDER])


def attention_runs(lengths: tuple[int, ...]) -> dict:
    """Every network of SEQUENCE_ORDER at every length, trained (or read from the cache) one by one under a
    progress bar that names the run: {(model, length): result}."""
    runs = [(model, length) for length in lengths for model in SEQUENCE_ORDER]
    bar = st.progress(0.0)
    results = {}
    for done, (model, length) in enumerate(runs):
        bar.progress(done / len(runs), text=t("lab.att.training", name=t(f"lab.att.{model}"), length=length,
                                              done=done, total=len(runs)))
        results[model, length] = attention_trained(model, length)
    bar.empty()
    return results


def attention_caption(results: dict, lengths: tuple[int, ...], shown: int) -> str:
    """The three networks' test accuracy at the longest length, and where attention looks after training."""
    longest = max(lengths)
    accuracy = {model: results[model, longest]["test_acc"] for model in SEQUENCE_ORDER}
    text = [t("lab.att.longest", length=longest, attention=percent(accuracy["attention"]),
              lstm=percent(accuracy["lstm"]), rnn=percent(accuracy["tanh"]))]
    weights = results["attention", shown]["mean_weights"]
    text.append(t("lab.att.looks", length=shown, before=f"{weights[0, 0]:.3f}", after=f"{weights[-1, 0]:.3f}",
                  uniform=f"{1 / shown:.3f}", epochs=len(weights) - 1))
    fails = [model for model in ("tanh", "lstm") if accuracy[model] < 0.6]  # chance is 50 %
    if len(fails) == 2 and accuracy["attention"] >= 0.9:
        text.append(t("lab.att.lesson_both", length=longest))
    elif fails and accuracy["attention"] >= 0.9:
        text.append(t("lab.att.lesson_one", name=t(f"lab.att.{fails[0]}"), length=longest))
    return " ".join(text)


def attention_lab() -> None:
    """A vanilla RNN, an LSTM and one attention head on the first-element task at the lengths chosen: accuracy
    against length, and the attention weights over the positions during training."""
    chart, controls = workbench()
    with controls:
        chosen = st.multiselect(t("lab.att.lengths"), ATTENTION_LENGTHS, default=[10, 50, 100], key="lab_att_lengths",
                                max_selections=5, persist_state="session", placeholder=t("app.choose"))
        lengths = tuple(sorted(int(length) for length in chosen if length in ATTENTION_LENGTHS)) or (10, 50, 100)
        if not chosen:
            st.caption(t("lab.att.no_lengths"))
        left, right = st.columns(2)
        shown = left.selectbox(t("lab.att.shown"), lengths, index=len(lengths) - 1, key="lab_att_shown",
                               persist_state="session")
        shown = shown if shown in lengths else lengths[-1]
        epoch_place = right.empty()
        result_place = st.empty()
        st.markdown(t("lab.att_text"))
        st.latex(r"e_t = x_t u + c + p_t,\quad k_t = W_K e_t,\quad v_t = W_V e_t")
        st.latex(r"a_t = \operatorname{softmax}_t\Bigl(\frac{q^\top k_t}{\sqrt d}\Bigr) = "
                 r"\frac{e^{q^\top k_t/\sqrt d}}{\sum_{s=1}^{T} e^{q^\top k_s/\sqrt d}},\quad d = 16")
        st.latex(r"c = \sum_{t=1}^{T} a_t v_t,\quad \hat y = W_O c + b_O")
        st.caption(t("lab.att.rnn_formula"))
        st.latex(r"h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b),\quad \hat y = W_O h_T + b_O")
    with chart:
        results = attention_runs(lengths)
        attention = results["attention", shown]
        epochs = len(attention["mean_weights"]) - 1
        epoch = epoch_place.slider(t("lab.att.epoch"), 0, epochs, epochs, key="lab_att_epoch", persist_state="session")
        names = {model: t(f"lab.att.{model}") for model in SEQUENCE_ORDER}
        left, right = st.columns(2)
        left.plotly_chart(figures.accuracy_length_figure(
            [{"label": names[model], "x": np.array(lengths), "y": [results[model, length]["test_acc"]
                                                                   for length in lengths],
              "colour": SEQUENCE_ORDER.index(model)} for model in SEQUENCE_ORDER],
            {"title": t("lab.att.accuracy_title"), "x": t("lab.rnn.length"), "y": t("nt.test_accuracy")},
            height=CHART_HEIGHT - 180), width="stretch")
        right.plotly_chart(figures.attention_heatmap(attention["mean_weights"], {
            "title": t("lab.att.learning_title", length=shown), "x": t("lab.att.position"), "y": t("nt.epoch"),
            "colour": "aₜ"}, height=CHART_HEIGHT - 180, marked=epoch), width="stretch")
        st.plotly_chart(figures.attention_heatmap(attention["watched_weights"][epoch], {
            "title": t("lab.att.sequences_title", epoch=epoch), "x": t("lab.att.position"),
            "y": t("lab.att.sequence"), "colour": "aₜ"}, height=220,
            row_labels=[f"x₁ = {value:+.2f}" for value in attention["watched_inputs"][:, 0]]), width="stretch")
    with result_place.container():
        st.info(attention_caption(results, lengths, shown), icon=":material/insights:")
        table([{t("lab.rnn.length"): length, **{names[model]: percent(results[model, length]["test_acc"])
                                                 for model in SEQUENCE_ORDER}} for length in lengths])


LABS = {"vanishing": vanishing_lab, "init": init_lab, "overfitting": overfitting_lab, "schedules": schedules_lab,
        "losses": losses_lab, "difficulties": difficulties_lab, "normalization": normalization_lab,
        "clipping": clipping_lab, "rnn": rnn_lab, "attention": attention_lab}
