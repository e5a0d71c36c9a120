"""Networks: small PyTorch networks trained by the engine, optimizers side by side, TensorFlow Playground style.

A workbench: the chart (the data before training, then curves or decision boundaries) in the wide column, the
controls beside it in a scrolling column (Train on top; Data | Model | Training | Optimizers | Tune as tabs: the
Tune tab's range test and search draw in the chart column); the test table, the gradient norms and the way to the
landscape page below."""

import numpy as np
import streamlit as st

from optviz.nets.steps import first_difference, torch_reference_problem
from optviz.nets.tasks import train_lanes
from optviz.plots import networks as figures
from optviz.plots.style import lane_colour
from optviz.report import format_number
from optviz.ui import jobs as jobs_ui
from optviz.ui import networks as nt
from optviz.ui import t
from optviz.ui import tuning as tune
from optviz.ui.layout import CHART_HEIGHT, CONTROLS_HEIGHT, page_header
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table

TORCH_TOLERANCE = 1e-6
JOB = nt.key("job")  # this session's training, while it is queued or running
PROBLEM = nt.key("job_problem")  # why the last training gave no result (cancelled, refused), shown once


def engine_label(label: str, engine: str) -> str:
    return label + (" · torch.optim" if engine == "torch" else "")


def finish(job) -> None:
    """A finished training: its results into the session's store (or why there are none)."""
    results, problem = jobs_ui.outcome(job)
    for name, result in zip(job.context["names"], results or (), strict=False):
        nt.remember(name, result)
    trained = [result for result in results or () if "error" not in result]
    if trained and st.session_state.get(nt.key("view")) in tune.VIEWS:  # show the training just finished
        boundaries = all(result["axes"] is not None for result in trained)
        st.session_state[nt.key("view")] = "boundaries" if boundaries else "curves"
    if problem is not None:
        st.session_state[PROBLEM] = problem


ensure_navigation()
page_header(t("nt.title"), "networks", t("nt.intro"))
chart_column, controls_column = st.columns([1.55, 1])

# ---------------------------------------------------------------- controls: Train on top, the settings in tabs
controls = controls_column.container(height=CONTROLS_HEIGHT)
action = controls.container()
data_tab, model_tab, training_tab, lanes_tab, tune_tab = controls.tabs(
    [t("nt.data"), t("nt.model"), t("nt.training"), t("nt.lanes"), t("nt.tune.tab")])
setup = nt.setup_ui(nt.PREFIX, places=(data_tab, model_tab, training_tab))
with training_tab:
    check = st.toggle(t("nt.check_torch"), key=nt.key("check"), persist_state="session",
                      help=t("nt.check_torch_help"))
with lanes_tab:
    lanes = nt.lanes_ui(nt.PREFIX, ("sgd", "adam"), per_row=1)

active = {index: lane for index, lane in enumerate(lanes) if lane is not None}
labels = nt.lane_labels(active)
wanted = [(index, lane, engine) for index, lane in active.items()
          for engine in (("optviz", "torch") if check and torch_reference_problem(lane) is None else ("optviz",))]
results = nt.store()
missing = [item for item in wanted if nt.lane_name(setup, item[1], item[2]) not in results]
blocked = nt.problems(setup)
job = jobs_ui.pending(JOB)
with action:
    train_now = st.button(t("nt.train"), type="primary", icon=":material/play_arrow:", width="stretch",
                          disabled=not missing or bool(blocked) or job is not None)
    if job is None:
        nt.before_training_ui(setup, len(missing), blocked)
if train_now and missing and job is None:  # to the server's pool of workers: this page stays usable meanwhile
    tune.forget_applied()  # "Written into …" was about the settings before this training
    job = jobs_ui.submit(JOB, train_lanes, setup, [(lane, engine) for _, lane, engine in missing],
                         estimate=nt.forecast_seconds(setup, len(missing)))
    if job is not None:
        job.context.update(names=[nt.lane_name(setup, lane, engine) for _, lane, engine in missing],
                           labels=[engine_label(labels[index], engine) for index, _, engine in missing],
                           epochs=setup.epochs)
        st.rerun()  # draw the page again: Train disabled, the job's place in the queue shown
with tune_tab:  # the range test of every lane and a search for one, as jobs; their charts in the chart column
    range_request = tune.range_ui(setup, active, labels, bool(blocked))
    st.divider()
    search_request = tune.search_ui(setup, active, labels, bool(blocked))
if range_request is not None:
    tune.start_range(setup, range_request, labels)
if search_request is not None:
    tune.start_search(setup, search_request, labels)

# ---------------------------------------------------------------- the chart column
finished = {index: results[nt.lane_name(setup, lane, "optviz")] for index, lane in active.items()
            if "error" not in results.get(nt.lane_name(setup, lane, "optviz"), {"error": None})}
regression = setup.dataset in ("plane", "multi_gauss")
with chart_column:
    if job is not None:
        jobs_ui.follow(JOB, nt.training_progress(job), finish)
    tune.follow()
    problem = st.session_state.pop(PROBLEM, None)
    if problem is not None:
        st.warning(problem, icon=":material/warning:")
    training_views = ()
    if finished:
        boundaries = all(result["axes"] is not None for result in finished.values())
        training_views = ("boundaries", "curves", "lanes") if boundaries else ("curves", "lanes")
    views = training_views + tune.views(setup, active)
    chosen_view = None
    if nt.key("view") in st.session_state and st.session_state[nt.key("view")] not in views:
        gone = st.session_state.pop(nt.key("view"))  # a view whose results are gone (settings changed)
        tune.view_gone_ui(gone, setup, active, labels)
    if views:
        chosen_view = st.segmented_control(t("nt.view"), views, required=True,
                                           default=None if nt.key("view") in st.session_state else views[0],
                                           key=nt.key("view"), persist_state="session", label_visibility="collapsed",
                                           format_func=lambda name: t(f"nt.tune.view.{name}") if name in tune.VIEWS
                                           else t(f"nt.view.{name}"))
        chosen_view = chosen_view if chosen_view in views else views[0]
    if chosen_view == "range":
        tune.range_chart(setup, active, labels, height=CHART_HEIGHT - 40)
    elif chosen_view == "search":
        tune.search_chart(setup, active, labels, height=CHART_HEIGHT - 40)
    elif not finished:
        if setup.features and not blocked:
            shown = nt.preview(setup.dataset, setup.size, setup.noise, setup.seed, setup.validation, setup.test)
            if shown["points"] is None:
                figure = figures.digits_figure(shown["images"], shown["labels"], {"title": t("nt.digits_title")},
                                               height=CHART_HEIGHT - 60)
            else:
                figure = figures.data_figure(shown, {"title": t("nt.data_title", name=t(f"nt.set.{setup.dataset}")),
                                                     "train": t("nt.train_part"), "val": t("nt.val_part"),
                                                     "test": t("nt.test_part"), "class": t("pg.class")},
                                               height=CHART_HEIGHT - 60)
            st.plotly_chart(figure, width="stretch", key=nt.key("preview_chart"))
        if missing and job is None and not blocked:  # nothing trained yet, or settings changed since
            st.info(t("nt.press_train_changed" if results else "nt.press_train"), icon=":material/info:")


    for index, lane, engine in wanted:
        if results.get(nt.lane_name(setup, lane, engine), {}).get("error"):
            st.warning(t("nt.training_failed", lane=engine_label(labels[index], engine)),
                       icon=":material/warning:")
    if finished and chosen_view in training_views:
        series = [{"label": labels[index], "colour": lane_colour(index), **{name: result[name] for name in (
            "train_loss", "val_loss", "train_acc", "val_acc")}} for index, result in finished.items()]
        curve_labels = {"title": t("nt.curves"), "loss": t("nt.loss_axis"), "accuracy": t("nt.accuracy"),
                        "train": t("nt.train_part"), "val": t("nt.val_part"), "epoch": t("nt.epoch")}
        if chosen_view == "curves":
            st.plotly_chart(figures.curves_figure(series, curve_labels, regression, height=CHART_HEIGHT - 40),
                            width="stretch")
        elif chosen_view == "lanes":
            st.plotly_chart(figures.curves_side_by_side(series, curve_labels, height=CHART_HEIGHT - 40),
                            width="stretch")
        else:
            moment = nt.moment_ui(finished)
            panels = []
            for index, result in finished.items():
                when, values = nt.boundary_at(result, moment)
                panels.append({"label": f"{labels[index]} — {when}", "x": result["axes"][0], "y": result["axes"][1],
                               "values": values.reshape(len(result["axes"][1]), -1), "points": result["points"],
                               "targets": result["targets"], "regression": regression})
            st.plotly_chart(figures.boundaries_figure(panels, {"title": t("nt.boundaries"),
                                                               "colorbar": t("nt.probability")},
                                                      height=CHART_HEIGHT - 110), width="stretch")
            if not regression:
                st.caption(t("nt.points_key"))
        for index, result in finished.items():
            if result["diverged_at"] is not None:
                st.error(t("nt.diverged", lane=labels[index], epoch=result["diverged_at"]),
                         icon=":material/trending_up:")
            elif result["restored_epoch"] == 0:
                st.warning(t("nt.restored_untrained", lane=labels[index]), icon=":material/undo:")
        if any(result["merged_single"] for result in finished.values()):
            st.caption(t("nt.merged_single"))

if not finished:
    st.stop()

# ---------------------------------------------------------------- below: the test table, gradient norms, landscape
st.subheader(t("nt.test_table"))
rows, torch_notes, parted = [], set(), []
for index, result in finished.items():
    lane = active[index]
    diverged = result["diverged_at"] is not None
    row = {t("pg.col.lane"): labels[index],
           t("nt.test_loss"): t("nt.diverged_cell", epoch=result["diverged_at"]) if diverged
           else format_number(result["test_loss"]),
           t("nt.test_accuracy"): "—" if regression or diverged else f"{result['test_acc']:.1%}",
           t("nt.epochs_run"): str(len(result["train_loss"]) - 1),
           t("nt.stopped_early"): "—" if result["stopped_at"] is None else str(result["stopped_at"]),
           t("nt.weights_tested"): nt.weights_text(result)}
    if check:
        problem = torch_reference_problem(lane)
        reference = results.get(nt.lane_name(setup, lane, "torch"))
        first = largest = "—"
        if problem is not None:
            torch_notes.add(problem)
            first = t(f"nt.no_torch.{problem}")
        elif reference and "error" not in reference:
            step = first_difference(result["step_loss"], reference["step_loss"], TORCH_TOLERANCE)
            steps = len(result["step_loss"])
            first = t("nt.torch_never", steps=f"{steps:,}") if step is None else \
                t("nt.torch_step", step=f"{step + 1:,}", steps=f"{steps:,}")
            length = min(steps, len(reference["step_loss"]))
            largest = f"{np.nanmax(np.abs(reference['step_loss'][:length] - result['step_loss'][:length])):.1e}"
            if step is not None:
                parted.append(step + 1)
        row[t("nt.torch_first")] = first
        row[t("nt.torch_difference")] = largest
    rows.append(row)
table(rows)
if check:
    st.caption(t("nt.torch_caption", tolerance="10⁻⁶"))
    if parted and setup.dtype == "float32":
        st.info(t("nt.torch_parted", step=f"{min(parted):,}"), icon=":material/info:")
    for problem in sorted(torch_notes):
        st.caption(t(f"nt.no_torch_why.{problem}"))

chosen = st.columns([1, 2])[0].selectbox(t("nt.gradients_lane"), list(finished), format_func=labels.__getitem__,
                                        key=nt.key("gradients_lane"), persist_state="session")
chosen = chosen if chosen in finished else next(iter(finished))
st.plotly_chart(figures.grad_norms_figure(finished[chosen]["grad_norms"][1:], {
    "title": t("nt.gradients"), "epoch": t("nt.epoch"), "layer": t("nt.layer")}), width="stretch")

if st.button(t("nt.to_landscape"), icon=":material/landscape:", help=t("nt.to_landscape_help")):
    nt.copy_settings(nt.PREFIX, "nl_")
    st.switch_page("pages/network_landscape.py")
