"""Networks: small PyTorch networks trained by the engine, optimizers side by side, TensorFlow Playground style."""

import numpy as np
import streamlit as st

from optviz.engine import OPTIMIZERS
from optviz.plots import networks as figures
from optviz.plots.style import lane_colour
from optviz.report import format_number
from optviz.ui import language, t
from optviz.ui import networks as nt
from optviz.ui.guide import guide
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table

ensure_navigation()
lang = language()

st.title(t("nt.title"))
guide("networks")
st.markdown(t("nt.intro"))
setup = nt.setup_ui()
if not setup.features:
    st.error(t("nt.no_features"), icon=":material/error:")
    st.stop()

lanes, containers = nt.lanes_ui(nt.PREFIX, ("sgd", "adam"))
check = st.toggle(t("nt.check_torch"), key=nt.key("check"), persist_state="session", help=t("nt.check_torch_help"))

active = [(index, lane) for index, lane in enumerate(lanes) if lane is not None]
wanted = [(index, lane, engine) for index, lane in active
          for engine in (("optviz", "torch") if check and lane.convention == "pytorch" else ("optviz",))]
results = nt.store()
missing = [item for item in wanted if nt.lane_name(setup, item[1], item[2]) not in results]
train_now = st.button(t("nt.train"), type="primary", icon=":material/play_arrow:", disabled=not missing)
if missing and not train_now:
    st.info(t("nt.press_train"), icon=":material/info:")

if train_now and missing:
    from optviz.nets.train import train  # torch is imported only when something is trained

    try:
        data, spec, initial, config = nt.prepare(setup)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    grid = axes = view = None
    if data.points is not None:  # a 2D data set: the decision boundary over the plane
        view = np.asarray(data.points)
        low, high = view.min(axis=0) - 0.5, view.max(axis=0) + 0.5
        axes = [np.linspace(low[0], high[0], nt.BOUNDARY_RESOLUTION),
                np.linspace(low[1], high[1], nt.BOUNDARY_RESOLUTION)]
        grid = data.inputs_at(np.stack(np.meshgrid(*axes), axis=-1))
    progress = st.progress(0.0, text=t("nt.training_progress", done=0, total=len(missing)))
    st.button(t("nt.stop"), icon=":material/stop:", help=t("nt.stop_help"))  # any click ends this run
    for number, (_index, lane, engine) in enumerate(missing):
        def advance(epoch, history, number=number):
            fraction = (number + epoch / setup.epochs) / len(missing)
            progress.progress(min(fraction, 1.0), text=t("nt.training_progress", done=number, total=len(missing)))
            return True

        try:
            history = train(data, spec, lane, config, engine, initial, on_epoch=advance, snapshot_inputs=grid)
        except ValueError as error:  # kept, so that the message survives the rerun below
            nt.remember(nt.lane_name(setup, lane, engine), {"error": str(error)})
            continue
        result = nt.summary(history)
        result["axes"] = axes
        result["points"] = None if view is None else view[: len(data.x_train)]
        result["targets"] = data.y_train
        nt.remember(nt.lane_name(setup, lane, engine), result)
    st.rerun()  # draw the page again from the store: Train disabled, no Stop button, every result shown

for index, lane, engine in wanted:
    failed = results.get(nt.lane_name(setup, lane, engine), {}).get("error")
    if failed:
        name = f"{index + 1}. {OPTIMIZERS[lane.optimizer].label_en}" + (" (torch.optim)" if engine == "torch" else "")
        st.warning(f"{name}: {failed}", icon=":material/warning:")
finished = [(index, lane, results[nt.lane_name(setup, lane, "optviz")]) for index, lane in active
            if "error" not in results.get(nt.lane_name(setup, lane, "optviz"), {"error": None})]
if not finished:
    st.stop()

labels = {index: f"{index + 1}. {OPTIMIZERS[lane.optimizer].label_en}" for index, lane, _ in finished}
regression = setup.dataset in ("plane", "multi_gauss")
for index, _lane, result in finished:
    if result["diverged_at"] is not None:
        st.error(t("nt.diverged", lane=labels[index], epoch=result["diverged_at"]), icon=":material/trending_up:")

series = [{"label": labels[index], "colour": lane_colour(index), **{name: result[name] for name in (
    "train_loss", "val_loss", "train_acc", "val_acc")}} for index, _, result in finished]
curve_labels = {"title": t("nt.curves"), "loss": t("nt.loss_axis"), "accuracy": t("nt.accuracy"),
                "train": t("nt.train_part"), "val": t("nt.val_part"), "epoch": t("nt.epoch")}
if st.toggle(t("nt.side_by_side"), key=nt.key("side_by_side"), persist_state="session"):
    st.plotly_chart(figures.curves_side_by_side(series, curve_labels), width="stretch")
else:
    st.plotly_chart(figures.curves_figure(series, curve_labels, regression), width="stretch")

longest = max(len(result["snapshots"]) for _, _, result in finished)
position = 0
if longest:
    last = max(longest - 1, 0)
    position = st.slider(t("nt.boundary_epoch"), 0, max(last, 1), last, key=nt.key("snapshot"), persist_state="session",
                         help=t("nt.boundary_help")) if longest > 1 else 0
    panels = []
    for index, _, result in finished:
        epoch, values = result["snapshots"][min(position, len(result["snapshots"]) - 1)]
        panels.append({"label": f"{labels[index]} — {t('nt.epoch')} {epoch}", "x": result["axes"][0],
                       "y": result["axes"][1], "values": values.reshape(len(result["axes"][1]), -1),
                       "points": result["points"], "targets": result["targets"], "regression": regression})
    st.plotly_chart(figures.boundaries_figure(panels, {"title": t("nt.boundaries"),
                                                       "colorbar": t("nt.probability")}), width="stretch")

st.subheader(t("nt.test_table"))
rows = []
for index, lane, result in finished:
    row = {t("pg.col.lane"): labels[index], t("nt.test_loss"): format_number(result["test_loss"]),
           t("nt.test_accuracy"): "—" if regression else f"{result['test_acc']:.1%}",
           t("nt.epochs_run"): str(len(result["train_loss"]) - 1),
           t("nt.stopped_early"): "—" if result["stopped_at"] is None else str(result["stopped_at"]),
           t("nt.best_epoch"): str(result["best_epoch"])}
    reference = results.get(nt.lane_name(setup, lane, "torch"))
    if check:
        difference = "—"
        if reference and "error" not in reference and len(reference["step_loss"]) == len(result["step_loss"]):
            difference = f"{np.nanmax(np.abs(reference['step_loss'] - result['step_loss'])):.2e}"
        row[t("nt.torch_difference")] = difference
    rows.append(row)
table(rows)

chosen = st.selectbox(t("nt.gradients_lane"), [index for index, _, _ in finished], format_func=labels.__getitem__,
                      key=nt.key("gradients_lane"), persist_state="session")
chosen_result = next(result for index, _, result in finished if index == chosen)
st.plotly_chart(figures.grad_norms_figure(chosen_result["grad_norms"][1:], {
    "title": t("nt.gradients"), "epoch": t("nt.epoch"), "layer": t("nt.layer")}), width="stretch")

if st.button(t("nt.to_landscape"), icon=":material/landscape:", help=t("nt.to_landscape_help")):
    nt.copy_settings(nt.PREFIX, "nl_")
    st.switch_page("pages/network_landscape.py")

for index, lane, _ in finished:
    with containers[index]:
        st.latex(lane.pipeline().latex(live=True))
