"""Network landscape: a trained network's loss along a line, over a filter-normalized random slice, on the PCA plane
of the optimizers' paths, its sharpness (Li et al. 2018), and sharpness against the batch size.

A workbench: the open view's chart in the wide column; beside it, Train, the open view's own controls, and the
data, model, training and optimizers as tabs. The computations are optviz.nets.landscape's, one function per view.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.nets.tasks import record_experiment
from optviz.plots import netscape as figures
from optviz.plots.style import lane_colour
from optviz.ui import jobs as jobs_ui
from optviz.ui import networks as nt
from optviz.ui import t
from optviz.ui.layout import CHART_HEIGHT, CONTROLS_HEIGHT, page_header
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table
from optviz.ui.tabs import lazy_tabs

PREFIX = "nl_"
EXPERIMENTS, VIEWS = PREFIX + "experiments", PREFIX + "views"
BATCH_SIZES = (1, 8, 32, 128, 0)
# A session keeps its last two trainings, each path as at most 41 points: with the largest MLP (6 x 64 units,
# 21 000 weights) and six optimizers, 2 x 6 x 41 x 21 000 float32 = 41 MB at most; 4 KB for the default network.
EXPERIMENTS_KEPT = 2
VIEWS_KEPT = 16  # computed lines, slices, planes and sharpness results kept per session
PATH_POINTS = 41
VIEW_HEIGHT = CHART_HEIGHT - 40  # under the tabs' titles
JOB, PROBLEM = PREFIX + "job", PREFIX + "job_problem"  # the training queued or running; why it gave nothing


def finish(job) -> None:
    """A finished training: its paths into the session's experiments (or why there are none)."""
    experiment, problem = jobs_ui.outcome(job)
    if experiment is not None and not job.cancel_requested:
        nt.keep(nt.session_store(EXPERIMENTS), job.context["key"], experiment, EXPERIMENTS_KEPT)
    if problem is not None:
        st.session_state[PROBLEM] = problem


def throttled(bar, text: str):
    """A progress callback that redraws the bar only when it has moved by 2 %."""
    shown = [-1]

    def report(fraction: float) -> None:
        step = int(fraction * 50)
        if step != shown[0]:
            shown[0] = step
            bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return report


@st.cache_resource(max_entries=8, show_spinner=False)
def loss_functions(setup_key: str, _setup: nt.Setup):
    """L on the training and the validation set of a setup (shared by sessions: it depends on the setup only)."""
    from optviz.nets.landscape import loss_functions as build

    data, _spec, initial, _config = nt.prepare(_setup)
    return build(data, initial, _setup.loss)


def computed(key: tuple, compute):
    """A view's result from the session's bounded store, computed once."""
    views = nt.session_store(VIEWS)
    if key not in views:
        nt.keep(views, key, compute(), VIEWS_KEPT)
    return views[key]


def evaluating_bar(count: int):
    bar = st.progress(0.0, text=t("nl.evaluating", count=count))
    return bar, throttled(bar, t("nl.evaluating", count=count))


def line_tab(controls, usable, labels, experiment, experiment_key, train_loss, val_loss) -> None:
    """The loss on the straight line from the common start to each end point."""
    from optviz.nets.landscape import line_view

    with controls:
        low, high = st.slider(t("nl.alpha_range"), -1.0, 2.0, (-0.25, 1.25), step=0.05, key=PREFIX + "alpha",
                              persist_state="session")
    series = []
    for index, path in usable.items():
        alphas, train_curve, val_curve = computed((experiment_key, "line", index, low, high),
                                                  lambda path=path: line_view(train_loss, val_loss,
                                                                              experiment["initial"], path.final, low,
                                                                              high))
        series.append({"label": labels[index], "colour": lane_colour(index), "alphas": alphas,
                       "train": train_curve, "val": val_curve})
    st.plotly_chart(figures.interpolation_figure(series, {
        "title": t("nl.line_title"), "loss": t("nt.loss_axis"), "train": t("nt.train_part"),
        "val": t("nt.val_part"), "start": "θ₀", "end": "θ*"}, height=VIEW_HEIGHT), width="stretch")
    st.latex(r"\theta(\alpha) = (1-\alpha)\,\theta_0 + \alpha\,\theta^{*},\qquad \alpha \in ["
             + f"{low:g}, {high:g}" + r"]\qquad L\bigl(\theta(\alpha)\bigr)")
    st.markdown(t("nl.line_text"))


def slice_tab(controls, usable, labels, experiment, experiment_key, setup, train_loss) -> None:
    """The loss over a random filter-normalized plane through one end point."""
    from optviz.nets.landscape import slice_view

    with controls:
        left, right = st.columns(2)
        chosen = left.selectbox(t("nl.centre"), list(usable), format_func=labels.__getitem__,
                                key=PREFIX + "slice_lane", persist_state="session")
        chosen = chosen if chosen in usable else next(iter(usable))
        span = right.select_slider(t("nl.span"), (0.1, 0.25, 0.5, 1.0, 1.5, 2.0), 1.0, key=PREFIX + "span",
                                   persist_state="session")
        resolution = left.select_slider(t("nl.resolution"), (21, 31, 41, 51, 61), 41, key=PREFIX + "slice_res",
                                        persist_state="session")
        direction_seed = int(right.number_input(t("nl.direction_seed"), 0, 10_000, 0, key=PREFIX + "dseed",
                                                persist_state="session"))
        three_d = st.toggle(t("nl.three_d"), key=PREFIX + "three_d", persist_state="session")

    def compute():
        bar, report = evaluating_bar(resolution * resolution)
        found = slice_view(experiment["spec"], setup.seed, usable[chosen].final, train_loss, resolution, span,
                           direction_seed, report)
        bar.empty()
        return found

    axis, losses = computed((experiment_key, "slice", chosen, resolution, span, direction_seed), compute)
    st.plotly_chart(figures.slice_figure(axis, axis, losses, {
        "title": t("nl.slice_title", lane=labels[chosen]), "colorbar": t("nl.log_loss"),
        "center": "θ*"}, three_d, height=VIEW_HEIGHT), width="stretch")
    centre = losses[resolution // 2, resolution // 2]
    st.caption(t("nl.slice_caption", centre=f"{centre:.4g}", low=f"{np.nanmin(losses):.4g}",
                 high=f"{np.nanmax(losses):.4g}"))
    st.latex(r"f(\alpha,\beta) = L(\theta^{*} + \alpha\,\delta + \beta\,\eta),\quad "
             r"\delta_{i,j} \leftarrow \frac{\delta_{i,j}}{\lVert\delta_{i,j}\rVert}\,\lVert\theta^{*}_{i,j}"
             r"\rVert,\quad \alpha,\beta \in [" + f"-{span:g}, {span:g}" + r"]")
    st.markdown(t("nl.slice_text"))


def pca_tab(controls, usable, labels, experiment, experiment_key, train_loss) -> None:
    """The paths on the PCA plane of their points, over the loss on that plane."""
    from optviz.nets.landscape import pca_view

    with controls:
        left, right = st.columns(2)
        resolution = left.select_slider(t("nl.resolution"), (21, 31, 41, 51), 31, key=PREFIX + "pca_res",
                                        persist_state="session")
        margin = right.select_slider(t("nl.margin"), (0.1, 0.25, 0.5, 1.0), 0.25, key=PREFIX + "pca_margin",
                                     persist_state="session")

    def compute():
        bar, report = evaluating_bar(resolution * resolution)
        found = pca_view(list(usable.values()), experiment["initial"], train_loss, resolution, margin, report)
        bar.empty()
        return found

    plane, a, b, losses = computed((experiment_key, "pca", tuple(usable), resolution, margin), compute)
    explained = plane.explained
    drawn, offset = [], 0
    for index, path in usable.items():
        count = len(path.points)
        drawn.append({"label": labels[index], "colour": lane_colour(index), "epochs": path.epochs,
                      "coordinates": plane.coordinates[offset:offset + count]})
        offset += count
    st.plotly_chart(figures.pca_figure(a, b, losses, drawn, {
        "title": t("nl.pca_title"), "colorbar": t("nl.log_loss"), "epoch": t("nt.epoch"),
        "start": t("nl.start"), "x": t("nl.component", number=1, share=f"{explained[0]:.1%}"),
        "y": t("nl.component", number=2, share=f"{explained[1]:.1%}")}, height=VIEW_HEIGHT), width="stretch")
    st.caption(t("nl.pca_caption", share=f"{explained.sum():.1%}"))
    st.latex(r"\theta \approx \theta_0 + a\,u_1 + b\,u_2,\quad [u_1\,u_2] = \text{PCA}\{\theta_t - \theta_0\},"
             r"\quad \frac{\sigma_1^2}{\sum_k \sigma_k^2} = " + f"{explained[0]:.1%}".replace("%", r"\%")
             + r",\; \frac{\sigma_2^2}{\sum_k \sigma_k^2} = " + f"{explained[1]:.1%}".replace("%", r"\%"))
    st.markdown(t("nl.pca_text"))


def sharpness_tab(usable, labels, active, experiment_key, setup, train_loss) -> None:
    """λ_max of the Hessian at each end point, with gradient descent's stability limit where it applies."""
    from optviz.nets.landscape import sharpness_view

    full_batch = setup.batch_size == 0 or setup.batch_size >= len(train_loss.inputs)
    with st.spinner(t("nl.power_iteration")):
        rows = computed((experiment_key, "sharpness", tuple(usable)), lambda: sharpness_view(
            train_loss, usable, active, full_batch))
    st.plotly_chart(figures.sharpness_figure([{"label": labels[row.index], "colour": lane_colour(row.index),
                                               "value": row.value} for row in rows], {
        "title": t("nl.sharpness_title"), "value": "λ_max", "x": t("pg.optimizer")}, height=VIEW_HEIGHT - 100),
        width="stretch")
    table([{t("pg.col.lane"): labels[row.index], "λ_max": f"{row.value:.4g}",
            t("nl.products"): str(row.iterations) + ("" if row.converged else " " + t("nl.not_converged")),
            t("nl.stability_limit"): "—" if row.limit is None else f"{row.limit:.4g}",
            t("nt.test_accuracy"): "—" if row.accuracy is None else f"{row.accuracy:.1%}"} for row in rows])
    st.caption(t("nl.stability_caption"))
    st.latex(r"\lambda_{\max} = \max_{\lVert v\rVert=1} v^\top \nabla^2 L(\theta^{*})\, v,\qquad "
             r"v \leftarrow \frac{Hv}{\lVert Hv\rVert},\quad Hv = \nabla_\theta\bigl(\nabla_\theta L \cdot v\bigr)")
    st.markdown(t("nl.sharpness_text"))


def batch_tab(controls, usable, labels, active, experiment_key, setup, train_loss) -> None:
    """One optimizer trained again with several batch sizes: λ_max and test accuracy at each end point."""
    from optviz.nets.landscape import batch_study

    with controls:
        batch_lane = st.selectbox(t("nl.batch_lane"), list(usable), format_func=labels.__getitem__,
                                  key=PREFIX + "batch_lane", persist_state="session")
        batch_lane = batch_lane if batch_lane in usable else next(iter(usable))
        sizes = st.multiselect(t("nt.batch"), BATCH_SIZES, default=[8, 32, 128, 0], key=PREFIX + "sizes",
                               persist_state="session", placeholder=t("app.choose"),
                               format_func=lambda size: t("nt.full_batch") if size == 0 else str(size))
        budget = st.radio(t("nl.budget"), ("steps", "epochs"), key=PREFIX + "budget", persist_state="session",
                          format_func=lambda name: t(f"nl.budget_{name}"), help=t("nl.budget_help"), horizontal=True)
        ordered = tuple(sorted(sizes, key=lambda size: size or 10**9))
        key = (experiment_key, "batches", batch_lane, ordered, budget)
        views = nt.session_store(VIEWS)
        found = views.get(key)
        run = st.button(t("nl.batch_run"), icon=":material/play_arrow:", disabled=not sizes or found is not None,
                        key=PREFIX + "batch_run")
    if setup.norm == "batch" and not setup.cnn and 1 in ordered:
        st.warning(t("nt.batch_norm_single"), icon=":material/warning:")
        return
    if run:
        data, spec, initial, config = nt.prepare(setup)
        bar = st.progress(0.0, text=t("nl.batch_progress", done=0, total=len(ordered)))
        found = batch_study(data, spec, active[batch_lane], config, initial, train_loss, ordered, budget,
                            lambda number, total: bar.progress(number / total, text=t(
                                "nl.batch_progress", done=number + 1, total=total)))
        bar.empty()
        nt.keep(views, key, found, VIEWS_KEPT)
    if not found:
        st.info(t("nl.batch_press"), icon=":material/info:")
        st.markdown(t("nl.batch_text"))
        return

    def batch_name(size: int) -> str:
        return t("nt.full_batch") if size == 0 else str(size)

    st.plotly_chart(figures.batch_figure([{**row, "batch": batch_name(row["batch"])} for row in found], {
        "title": t("nl.batch_title", lane=labels[batch_lane]), "value": "λ_max",
        "accuracy": t("nt.test_accuracy"), "x": t("nt.batch")}, lane_colour(batch_lane), height=VIEW_HEIGHT - 120),
        width="stretch")
    table([{t("nt.batch"): batch_name(row["batch"]), t("nt.epochs"): f"{row['epochs']:,}",
            t("nl.steps"): f"{row['steps']:,}",
            t("nl.final_train_loss"): t("nl.diverged") if row["diverged"] else f"{row['loss']:.4g}",
            "λ_max": "—" if row["diverged"] else f"{row['value']:.4g}",
            t("nt.test_accuracy"): "—" if row["diverged"] else f"{row['accuracy']:.1%}"} for row in found])
    st.markdown(t("nl.batch_text"))


# ---------------------------------------------------------------- the page
ensure_navigation()
page_header(t("nl.title"), "network_landscape", t("nl.intro"))
chart_column, controls_column = st.columns([1.55, 1])
controls = controls_column.container(height=CONTROLS_HEIGHT)
action, view_controls = controls.container(), controls.container()
data_tab, model_tab, training_tab, lanes_tab = controls.tabs(
    [t("nt.data"), t("nt.model"), t("nt.training"), t("nt.lanes")])
setup = nt.setup_ui(PREFIX, epochs=40, places=(data_tab, model_tab, training_tab))
with lanes_tab:
    lanes = nt.lanes_ui(PREFIX, ("sgd", "momentum", "adam"), per_row=1)
active = {index: lane for index, lane in enumerate(lanes) if lane is not None}
labels = nt.lane_labels(active)

experiments = nt.session_store(EXPERIMENTS)
experiment_key = (setup, tuple(active.values()))
blocked = nt.problems(setup)
job = jobs_ui.pending(JOB)
with action:
    train_now = st.button(t("nl.train"), type="primary", icon=":material/play_arrow:", width="stretch",
                          disabled=experiment_key in experiments or not active or bool(blocked) or job is not None,
                          key=PREFIX + "train")
    if job is None:
        nt.before_training_ui(setup, len(active) if experiment_key not in experiments else 0, blocked)
if train_now and job is None and experiment_key not in experiments:  # to the pool: the page stays usable
    job = jobs_ui.submit(JOB, record_experiment, setup, active, PATH_POINTS,
                         estimate=nt.forecast_seconds(setup, len(active)))
    if job is not None:
        job.context.update(key=experiment_key, labels=[labels[index] for index in active], epochs=setup.epochs)
        st.rerun()  # draw the page again: Train disabled, the job's place in the queue shown

with chart_column:
    if job is not None:
        jobs_ui.follow(JOB, nt.training_progress(job), finish)
    problem = st.session_state.pop(PROBLEM, None)
    if problem is not None:
        st.warning(problem, icon=":material/warning:")
    if experiment_key not in experiments:
        if setup.features and not blocked:
            shown = nt.preview(setup.dataset, setup.size, setup.noise, setup.seed, setup.validation, setup.test)
            from optviz.plots import networks as data_figures

            st.plotly_chart(data_figures.digits_figure(shown["images"], shown["labels"], {
                "title": t("nt.digits_title")}, height=CHART_HEIGHT - 60) if shown["points"] is None else
                data_figures.data_figure(shown, {"title": t("nt.data_title", name=t(f"nt.set.{setup.dataset}")),
                                                 "train": t("nt.train_part"), "val": t("nt.val_part"),
                                                 "test": t("nt.test_part"), "class": t("pg.class")},
                                         height=CHART_HEIGHT - 60),
                width="stretch", key=PREFIX + "preview_chart")
        if job is None:
            st.info(t("nl.press_train"), icon=":material/info:")
        st.stop()

    experiment = experiments[experiment_key]
    paths = experiment["paths"]
    usable = {index: path for index, path in paths.items() if not isinstance(path, str) and path.diverged_at is None
              and np.all(np.isfinite(path.final)) and index in labels}
    if not usable:
        for index, path in paths.items():
            if not isinstance(path, str) and path.diverged_at is not None:
                st.error(t("nt.diverged", lane=labels.get(index, index), epoch=path.diverged_at),
                         icon=":material/trending_up:")
        st.warning(t("nl.nothing_usable"), icon=":material/warning:")
        st.stop()

    train_loss, val_loss = loss_functions(repr(setup), setup)
    tabs = lazy_tabs(("nl.tab_line", "nl.tab_slice", "nl.tab_pca", "nl.tab_sharpness", "nl.tab_batch"),
                     PREFIX + "tab")
    with tabs[0]:
        if tabs[0].open:
            line_tab(view_controls, usable, labels, experiment, experiment_key, train_loss, val_loss)
    with tabs[1]:
        if tabs[1].open:
            slice_tab(view_controls, usable, labels, experiment, experiment_key, setup, train_loss)
    with tabs[2]:
        if tabs[2].open:
            pca_tab(view_controls, usable, labels, experiment, experiment_key, train_loss)
    with tabs[3]:
        if tabs[3].open:
            sharpness_tab(usable, labels, active, experiment_key, setup, train_loss)
    with tabs[4]:
        if tabs[4].open:
            batch_tab(view_controls, usable, labels, active, experiment_key, setup, train_loss)
    for index, path in paths.items():
        if isinstance(path, str):
            st.warning(t("nt.training_failed", lane=labels.get(index, index)), icon=":material/warning:")
        elif path.diverged_at is not None:
            st.error(t("nt.diverged", lane=labels.get(index, index), epoch=path.diverged_at),
                     icon=":material/trending_up:")
    st.caption(t("nl.parameters", count=f"{train_loss.size:,}", points=len(train_loss.inputs)))
