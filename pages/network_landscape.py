"""Network landscape: a trained network's loss along a line, over a filter-normalized random slice, on the PCA plane
of the optimizers' paths, and its sharpness (Li et al. 2018)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.engine import OPTIMIZERS
from optviz.plots import netscape as figures
from optviz.plots.style import lane_colour
from optviz.ui import language, t
from optviz.ui import networks as nt
from optviz.ui.guide import guide
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table
from optviz.ui.tabs import lazy_tabs

ensure_navigation()
lang = language()

PREFIX = "nl_"
EXPERIMENTS, VIEWS = PREFIX + "experiments", PREFIX + "views"
BATCH_SIZES = (1, 8, 32, 128, 0)
# A session keeps its last two trainings, each path as at most 41 points: with the largest MLP (6 x 64 units,
# 21 000 weights) and six optimizers, 2 x 6 x 41 x 21 000 float32 = 41 MB at most; 4 KB for the default network.
EXPERIMENTS_KEPT = 2
VIEWS_KEPT = 16  # computed lines, slices, planes and sharpness results kept per session
PATH_POINTS = 41
MAX_BUDGET_EPOCHS = 2000  # "the same number of steps" trains a full batch for at most this many epochs


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
    from optviz.nets.geometry import LossFunction
    from optviz.nets.train import loss_function

    data, _spec, initial, _config = nt.prepare(_setup)
    loss = loss_function(_setup.loss, data.task)
    classification = data.task == "classification"
    return (LossFunction(initial, data.x_train, data.y_train, loss, classification),
            LossFunction(initial, data.x_val, data.y_val, loss, classification) if len(data.x_val) else None)


st.title(t("nl.title"))
guide("network_landscape")
st.markdown(t("nl.intro"))
setup = nt.setup_ui(PREFIX, epochs=40)
if not setup.features:
    st.error(t("nt.no_features"), icon=":material/error:")
    st.stop()

lanes, containers = nt.lanes_ui(PREFIX, ("sgd", "momentum", "adam"))

active = [(index, lane) for index, lane in enumerate(lanes) if lane is not None]
labels = {index: f"{index + 1}. {OPTIMIZERS[lane.optimizer].label(lang)}" for index, lane in active}
experiments = nt.session_store(EXPERIMENTS)
experiment_key = (setup, tuple(lane for _, lane in active))
train_now = st.button(t("nl.train"), type="primary", icon=":material/play_arrow:",
                      disabled=experiment_key in experiments or not active, key=PREFIX + "train")
if experiment_key not in experiments and not train_now:
    st.info(t("nl.press_train"), icon=":material/info:")
    st.stop()

if train_now:
    from optviz.nets.geometry import parameter_vector, trace

    try:
        data, spec, initial, config = nt.prepare(setup)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    progress = st.progress(0.0, text=t("nt.training_progress", done=0, total=len(active)))
    paths = {}
    for number, (index, lane) in enumerate(active):
        def advance(epoch, _history, number=number):
            progress.progress(min((number + epoch / setup.epochs) / len(active), 1.0),
                              text=t("nt.training_progress", done=number, total=len(active)))
            return True

        try:
            paths[index] = trace(data, spec, lane, config, initial, points=PATH_POINTS, on_epoch=advance)
        except ValueError as error:
            paths[index] = str(error)
    nt.keep(experiments, experiment_key, {"paths": paths, "initial": parameter_vector(initial), "spec": spec},
         EXPERIMENTS_KEPT)
    st.rerun()

experiment = experiments[experiment_key]
paths = experiment["paths"]
for index, path in paths.items():
    if isinstance(path, str):
        st.warning(f"{labels.get(index, index)}: {path}", icon=":material/warning:")
    elif path.diverged_at is not None:
        st.error(t("nt.diverged", lane=labels.get(index, index), epoch=path.diverged_at), icon=":material/trending_up:")
usable = {index: path for index, path in paths.items() if not isinstance(path, str) and path.diverged_at is None
          and np.all(np.isfinite(path.final)) and index in labels}
if not usable:
    st.warning(t("nl.nothing_usable"), icon=":material/warning:")
    st.stop()

for index, lane in active:  # each lane's update rule, with its live values, under its widgets
    with containers[index]:
        st.latex(lane.pipeline().latex(live=True))

train_loss, val_loss = loss_functions(repr(setup), setup)
views = nt.session_store(VIEWS)
st.caption(t("nl.parameters", count=f"{train_loss.size:,}", points=len(train_loss.inputs)))
tabs = lazy_tabs(("nl.tab_line", "nl.tab_slice", "nl.tab_pca", "nl.tab_sharpness"), PREFIX + "tab")

with tabs[0]:
    if tabs[0].open:
        st.markdown(t("nl.line_text"))
        low, high = st.slider(t("nl.alpha_range"), -1.0, 2.0, (-0.25, 1.25), step=0.05, key=PREFIX + "alpha",
                              persist_state="session")
        st.latex(r"\theta(\alpha) = (1-\alpha)\,\theta_0 + \alpha\,\theta^{*},\qquad \alpha \in ["
                 + f"{low:g}, {high:g}" + r"]\qquad L\bigl(\theta(\alpha)\bigr)")
        alphas = np.linspace(low, high, 81)
        from optviz.nets.geometry import interpolation

        series = []
        for index, path in usable.items():
            key = (experiment_key, "line", index, low, high)
            if key not in views:
                curves = (interpolation(train_loss, experiment["initial"], path.final, alphas),
                          None if val_loss is None else interpolation(val_loss, experiment["initial"], path.final,
                                                                      alphas))
                nt.keep(views, key, curves, VIEWS_KEPT)
            train_curve, val_curve = views[key]
            series.append({"label": labels[index], "colour": lane_colour(index), "alphas": alphas,
                           "train": train_curve, "val": val_curve})
        st.plotly_chart(figures.interpolation_figure(series, {
            "title": t("nl.line_title"), "loss": t("nt.loss_axis"), "train": t("nt.train_part"),
            "val": t("nt.val_part"), "start": "θ₀", "end": "θ*"}), width="stretch")

with tabs[1]:
    if tabs[1].open:
        st.markdown(t("nl.slice_text"))
        columns = st.columns(5)
        chosen = columns[0].selectbox(t("nl.centre"), list(usable), format_func=labels.__getitem__,
                                      key=PREFIX + "slice_lane", persist_state="session")
        resolution = columns[1].select_slider(t("nl.resolution"), (21, 31, 41, 51, 61), 41, key=PREFIX + "slice_res",
                                              persist_state="session")
        span = columns[2].select_slider(t("nl.span"), (0.1, 0.25, 0.5, 1.0, 1.5, 2.0), 1.0, key=PREFIX + "span",
                                        persist_state="session")
        direction_seed = int(columns[3].number_input(t("nl.direction_seed"), 0, 10_000, 0, key=PREFIX + "dseed",
                                                     persist_state="session"))
        three_d = columns[4].toggle(t("nl.three_d"), key=PREFIX + "three_d", persist_state="session")
        st.latex(r"f(\alpha,\beta) = L(\theta^{*} + \alpha\,\delta + \beta\,\eta),\quad "
                 r"\delta_{i,j} \leftarrow \frac{\delta_{i,j}}{\lVert\delta_{i,j}\rVert}\,\lVert\theta^{*}_{i,j}"
                 r"\rVert,\quad \alpha,\beta \in [" + f"-{span:g}, {span:g}" + r"]")
        key = (experiment_key, "slice", chosen, resolution, span, direction_seed)
        if key not in views:
            import torch

            from optviz.nets.geometry import filter_normalized_direction, plane_losses
            from optviz.nets.models import build

            trained = build(experiment["spec"], setup.seed)
            torch.nn.utils.vector_to_parameters(torch.as_tensor(usable[chosen].final, dtype=torch.float32),
                                                trained.parameters())
            generator = torch.Generator().manual_seed(direction_seed)
            first = filter_normalized_direction(trained, generator)
            second = filter_normalized_direction(trained, generator)
            axis = np.linspace(-span, span, resolution)
            bar = st.progress(0.0, text=t("nl.evaluating", count=resolution * resolution))
            losses = plane_losses(train_loss, usable[chosen].final, first, second, axis, axis,
                                  throttled(bar, t("nl.evaluating", count=resolution * resolution)))
            bar.empty()
            nt.keep(views, key, (axis, losses), VIEWS_KEPT)
        axis, losses = views[key]
        st.plotly_chart(figures.slice_figure(axis, axis, losses, {
            "title": t("nl.slice_title", lane=labels[chosen]), "colorbar": t("nl.log_loss"),
            "center": "θ*"}, three_d), width="stretch")
        centre = losses[resolution // 2, resolution // 2]
        st.caption(t("nl.slice_caption", centre=f"{centre:.4g}", low=f"{np.nanmin(losses):.4g}",
                     high=f"{np.nanmax(losses):.4g}"))

with tabs[2]:
    if tabs[2].open:
        st.markdown(t("nl.pca_text"))
        columns = st.columns(3)
        resolution = columns[0].select_slider(t("nl.resolution"), (21, 31, 41, 51), 31, key=PREFIX + "pca_res",
                                              persist_state="session")
        margin = columns[1].select_slider(t("nl.margin"), (0.1, 0.25, 0.5, 1.0), 0.25, key=PREFIX + "pca_margin",
                                          persist_state="session")
        key = (experiment_key, "pca", tuple(usable), resolution, margin)
        if key not in views:
            from optviz.nets.geometry import pca_plane, plane_losses

            points = np.concatenate([path.points for path in usable.values()])
            plane = pca_plane(points, experiment["initial"])
            low, high = plane.coordinates.min(axis=0), plane.coordinates.max(axis=0)
            extent = np.maximum(high - low, 1e-6)
            a = np.linspace(low[0] - margin * extent[0], high[0] + margin * extent[0], resolution)
            b = np.linspace(low[1] - margin * extent[1], high[1] + margin * extent[1], resolution)
            bar = st.progress(0.0, text=t("nl.evaluating", count=resolution * resolution))
            losses = plane_losses(train_loss, plane.anchor, plane.directions[0], plane.directions[1], a, b,
                                  throttled(bar, t("nl.evaluating", count=resolution * resolution)))
            bar.empty()
            nt.keep(views, key, (plane, a, b, losses), VIEWS_KEPT)
        plane, a, b, losses = views[key]
        explained = plane.explained
        st.latex(r"\theta \approx \theta_0 + a\,u_1 + b\,u_2,\quad [u_1\,u_2] = \text{PCA}\{\theta_t - \theta_0\},"
                 r"\quad \frac{\sigma_1^2}{\sum_k \sigma_k^2} = " + f"{explained[0]:.1%}".replace("%", r"\%")
                 + r",\; \frac{\sigma_2^2}{\sum_k \sigma_k^2} = " + f"{explained[1]:.1%}".replace("%", r"\%"))
        drawn, offset = [], 0
        for index, path in usable.items():
            count = len(path.points)
            drawn.append({"label": labels[index], "colour": lane_colour(index), "epochs": path.epochs,
                          "coordinates": plane.coordinates[offset:offset + count]})
            offset += count
        st.plotly_chart(figures.pca_figure(a, b, losses, drawn, {
            "title": t("nl.pca_title"), "colorbar": t("nl.log_loss"), "epoch": t("nt.epoch"),
            "start": t("nl.start"), "x": t("nl.component", number=1, share=f"{explained[0]:.1%}"),
            "y": t("nl.component", number=2, share=f"{explained[1]:.1%}")}), width="stretch")
        st.caption(t("nl.pca_caption", share=f"{explained.sum():.1%}"))

with tabs[3]:
    if tabs[3].open:
        st.markdown(t("nl.sharpness_text"))
        st.latex(r"\lambda_{\max} = \max_{\lVert v\rVert=1} v^\top \nabla^2 L(\theta^{*})\, v,\qquad "
                 r"v \leftarrow \frac{Hv}{\lVert Hv\rVert},\quad Hv = \nabla_\theta\bigl(\nabla_\theta L \cdot v\bigr)")
        from optviz.nets.geometry import top_hessian_eigenvalue

        rows = []
        with st.spinner(t("nl.power_iteration")):
            for index, path in usable.items():
                key = (experiment_key, "sharpness", index)
                if key not in views:
                    nt.keep(views, key, top_hessian_eigenvalue(train_loss, path.final), VIEWS_KEPT)
                found = views[key]
                rows.append({"index": index, "label": labels[index], "colour": lane_colour(index),
                             "value": found.value, "iterations": found.iterations, "converged": found.converged,
                             "accuracy": None if np.isnan(path.test_acc) else path.test_acc})
        st.plotly_chart(figures.sharpness_figure(rows, {
            "title": t("nl.sharpness_title"), "value": "λ_max", "x": t("pg.optimizer")}), width="stretch")
        full_batch = setup.batch_size == 0 or setup.batch_size >= len(train_loss.inputs)
        lanes_by_index = dict(active)
        table_rows = []
        for row in rows:
            lane = lanes_by_index[row["index"]]
            settings = {**OPTIMIZERS[lane.optimizer].defaults(), **dict(lane.hyperparameters)}
            limit = "—"  # gradient descent's stability limit: full batch, plain SGD or heavy ball, constant rate
            if full_batch and lane.optimizer in ("sgd", "momentum") and lane.schedule is None and not lane.tricks \
                    and not settings.get("nesterov") and settings.get("dampening", 0) == 0 and settings["lr"] > 0:
                limit = f"{(2 + 2 * settings['momentum']) / settings['lr']:.4g}"
            table_rows.append({
                t("pg.col.lane"): row["label"], "λ_max": f"{row['value']:.4g}",
                t("nl.products"): str(row["iterations"]) + ("" if row["converged"] else " " + t("nl.not_converged")),
                t("nl.stability_limit"): limit,
                t("nt.test_accuracy"): "—" if row["accuracy"] is None else f"{row['accuracy']:.1%}"})
        table(table_rows)
        st.caption(t("nl.stability_caption"))

        st.markdown(f"**{t('nl.batch_heading')}**")
        st.markdown(t("nl.batch_text"))
        columns = st.columns([2, 3, 2, 2])
        batch_lane = columns[0].selectbox(t("nl.batch_lane"), list(usable), format_func=labels.__getitem__,
                                          key=PREFIX + "batch_lane", persist_state="session")
        sizes = columns[1].multiselect(t("nt.batch"), BATCH_SIZES, default=[8, 32, 128, 0], key=PREFIX + "sizes",
                                       persist_state="session", placeholder=t("app.choose"),
                                       format_func=lambda size: t("nt.full_batch") if size == 0 else str(size))
        budget = columns[2].radio(t("nl.budget"), ("steps", "epochs"), key=PREFIX + "budget", persist_state="session",
                                  format_func=lambda name: t(f"nl.budget_{name}"), help=t("nl.budget_help"))
        lane = lanes_by_index[batch_lane]
        ordered = tuple(sorted(sizes, key=lambda size: size or 10**9))
        key = (experiment_key, "batches", batch_lane, ordered, budget)
        found = views.get(key)
        if columns[3].button(t("nl.batch_run"), icon=":material/play_arrow:", disabled=not sizes or found is not None,
                             key=PREFIX + "batch_run"):
            from dataclasses import replace

            from optviz.nets.geometry import trace

            data, spec, initial, config = nt.prepare(setup)
            count = len(data.x_train)
            steps_per_epoch = {size: -(-count // (size or count)) for size in ordered}
            target = setup.epochs * max(steps_per_epoch.values())  # as many steps as the smallest batch takes
            found = []
            bar = st.progress(0.0, text=t("nl.batch_progress", done=0, total=len(ordered)))
            for number, size in enumerate(ordered):
                bar.progress(number / len(ordered), text=t("nl.batch_progress", done=number + 1, total=len(ordered)))
                epochs = setup.epochs if budget == "epochs" else \
                    min(MAX_BUDGET_EPOCHS, -(-target // steps_per_epoch[size]))
                path = trace(data, spec, lane, replace(config, batch_size=size, epochs=epochs), initial, points=2)
                diverged = path.diverged_at is not None or not np.all(np.isfinite(path.final))
                value = float("nan") if diverged else top_hessian_eigenvalue(train_loss, path.final).value
                found.append({"batch": t("nt.full_batch") if size == 0 else str(size), "value": value,
                              "accuracy": path.test_acc, "loss": float(path.train_loss[-1]),
                              "epochs": len(path.train_loss) - 1,
                              "steps": (len(path.train_loss) - 1) * steps_per_epoch[size], "diverged": diverged})
            bar.empty()
            nt.keep(views, key, found, VIEWS_KEPT)
        if found:
            st.plotly_chart(figures.batch_figure(found, {
                "title": t("nl.batch_title", lane=labels[batch_lane]), "value": "λ_max",
                "accuracy": t("nt.test_accuracy"), "x": t("nt.batch")}, lane_colour(batch_lane)), width="stretch")
            table([{t("nt.batch"): row["batch"], t("nt.epochs"): f"{row['epochs']:,}",
                    t("nl.steps"): f"{row['steps']:,}",
                    t("nl.final_train_loss"): t("nl.diverged") if row["diverged"] else f"{row['loss']:.4g}",
                    "λ_max": f"{row['value']:.4g}", t("nt.test_accuracy"): f"{row['accuracy']:.1%}"}
                   for row in found])
