"""Playground: optimizers racing on a 2D surface, side by side, each next to its live formula.

A workbench (shared/DESIGN.md §8): the chart in a wide column, the surface, the run and the lanes in a scrolling
column beside it; the leaderboard, inspector and downloads under the chart. Everything under the header is one
fragment, so a slider move reruns the workbench only.
"""

import numpy as np
import streamlit as st

from optviz import batches
from optviz.engine import OPTIMIZERS
from optviz.explain import run_explanation
from optviz.plots import playground as figures
from optviz.plots import tune as tune_figures
from optviz.plots.style import lane_colour
from optviz.report import (
    curves,
    finite_rows,
    format_number,
    format_step,
    inspect_step,
    leaderboard_row,
    runs_csv,
    runs_json,
)
from optviz.ui import language, t
from optviz.ui import playground as pg
from optviz.ui import tune as tune_ui
from optviz.ui.compute import contour_grid, get_surface, run_cached, surface_picture_cached
from optviz.ui.layout import CHART_HEIGHT, CONTROLS_HEIGHT, page_header
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table

ensure_navigation()
lang = language()
warnings = pg.init_state()

lesson_place = page_header(t("pg.title"), "playground", t("pg.intro"), extra=True)
with lesson_place:
    pg.preset_ui()
for warning in warnings:
    st.warning(warning, icon=":material/link_off:")


def chart_labels(surface) -> dict:
    return {"colorbar": t("pg.colorbar"), "minimum": t("pg.minimum"), "start": t("pg.start"),
            "step": t("axis.step"), "play": t("pg.play"), "pause": t("pg.pause"),
            "loss": t("pg.curve.loss") if surface.f_star is not None else t("pg.curve.loss_raw"),
            "distance": t("pg.curve.distance"), "grad_norm": t("pg.curve.grad_norm"),
            "effective_lr": t("pg.curve.effective_lr"), "title": "", **(data_labels(surface) if surface.data else {})}


def data_labels(surface) -> dict:
    """A data surface's words: its axes (w, b), the data panel, and which loss and gradient the curves show."""
    labels = {"axes": surface.axis_names, "data": t("pg.data"), "best_fit": t("pg.best_fit"), "class": t("pg.class"),
              "probability": t("pg.probability"),
              "loss": t("pg.curve.loss_data") if surface.f_star is not None else t("pg.curve.loss_data_raw")}
    if not surface.data.full_batch:
        labels["grad_norm"] = t("pg.curve.grad_batch")
    return labels


def draw_batches(surface_name, first_lane, start, epochs) -> object:
    """The batch-size lesson for the first lane: full batch, mini-batch and SGD, the noise ball; its caption."""
    if first_lane is None:
        st.info(t("batches.refused"), icon=":material/info:")
        return None
    name, lane = first_lane
    race, ball = pg.batch_lesson_cached(surface_name, lane, start, epochs)
    epochs = int(race["sgd"]["epochs"][-1])
    labels = {key: t(f"batches.{key}") for key in ("vs_steps", "vs_epochs", "distance", "updates", "epochs")}
    labels.update({f"batch.{kind}": t(f"batches.batch.{kind}", batch=race[kind]["batch"]) for kind in race})
    labels.update({f"ball.{kind}": t(f"batches.ball.{kind}") for kind in ("constant", "decaying")})
    labels.update({"ball": t("batches.ball", runs=len(ball["constant"]["ends"]), epochs=epochs),
                   "minimum": t("pg.minimum"), "axes": get_surface(surface_name).axis_names})
    figure = figures.batch_lesson_figure(race, ball, labels, height=CHART_HEIGHT)
    st.plotly_chart(figure, width="stretch")
    fields = {"lane": name, "epochs": epochs, "runs": race["sgd"]["runs"],
              "examples": f"{epochs * get_surface(surface_name).data.n:,}".replace(",", " ")}
    if ball["minimum"] is None:
        st.caption(t("batches.caption_no_minimum", **fields))
        return figure
    for kind in race:
        fields[kind] = format_number(float(race[kind]["median"][-1]))
        fields[f"{kind}_steps"] = len(race[kind]["steps"]) - 1
    fields["mini_batch"] = race["mini"]["batch"]
    for kind in ("constant", "decaying"):
        fields[kind] = format_number(float(ball[kind]["median_distance"][-1]))
    st.caption(t("batches.caption", **fields))
    return figure


def tune_all(surface_name, lanes, start, steps) -> tuple[dict, dict]:
    """Every lane tuned and its own setting measured the same way ({index: Tuning}, {index: score}); refused lanes
    say why under the chart."""
    criterion, starts = tune_ui.request_from_state()
    tunings, own = {}, {}
    with st.spinner(t("tune.running", lanes=len(lanes))):
        for index, lane in lanes:
            try:
                tunings[index] = tune_ui.tuned_lane(surface_name, lane, start, steps, criterion, starts)
                own[index] = tune_ui.own_score(surface_name, lane, start, steps, criterion, starts)
            except ValueError as error:
                st.warning(t("tune.refused", lane=index + 1, detail=str(error)), icon=":material/warning:")
    return tunings, own


TUNE_CHART_HEIGHT = CHART_HEIGHT - 70  # its criterion, starts and Apply take a row above it
CAP = 1e3  # the tuning chart's log axis stops at this many times standing still's criterion


def tuning_caption(tunings: dict, labels: dict, surface, steps: int, criterion: str, starts: int,
                   shared: list) -> str:
    """What the tuning chart measured: grids, budget, reference, starts, the criterion, and what to beware of."""
    first = next(iter(tunings.values()))
    grids = {}  # "200" or "60 rates × 20 values of β": which lanes were tuned on which grid
    for index, result in tunings.items():
        size = str(len(result.lr)) if result.second is None else t(
            "tune.grid_joint", rates=len(result.lr), values=len(result.second))
        grids.setdefault(size, []).append(labels[index])
    separator = "；" if language() == "zh" else "; "
    points = separator.join(t("tune.grid", size=size, lanes=" / ".join(names)) for size, names in grids.items())
    reference = t("tune.reference_known") if surface.f_star is not None else t("tune.reference_found")
    parts = [t("tune.caption", points=points, low=f"{first.lr[0]:g}", high=f"{first.lr[-1]:g}", steps=steps,
               reference=reference)]
    if any(result.second is not None for result in tunings.values()):
        parts.append(t("tune.caption_joint"))
    parts.append(t("tune.caption_starts", count=starts) if starts > 1 else t("tune.caption_one_start",
                                                                              toggle=t("tune.starts", count=16)))
    if surface.data is not None and not surface.data.full_batch:
        parts.append(t("tune.caption_batches", batch=surface.data.batch))
    for later, earlier in shared:
        parts.append(t("tune.caption_shared", lane=labels[later], other=labels[earlier]))
    parts.append(t(f"tune.explain.{criterion}"))
    return " ".join(parts).replace("*", r"\*")  # f* twice in Markdown would be emphasis


def draw_tuning(surface, surface_name, context: dict) -> object:
    """The fair race: its criterion, starts and Apply in a row, then every lane's criterion against its learning
    rate (and, for a lane tuned with its β, the map of both under it); the caption says what was measured. The
    tunings go into `context` for the leaderboard."""
    lanes, labels, start, steps = (context[name] for name in ("lanes", "labels", "start", "steps"))
    tune_ui.settings_ui(pg.lane_from_state, disabled=steps < 1)
    if steps < 1:
        st.info(t("tune.no_steps"), icon=":material/info:")
        return None
    tunings, own = context["tuned"] = tune_all(surface_name, lanes, start, steps)
    if not tunings:
        return None
    criterion, starts = tune_ui.request_from_state()
    curves, shared, seen, lane_of = [], [], {}, dict(lanes)
    for index, result in tunings.items():
        lane = lane_of[index]
        curve = result.lr_curve()
        twin = next((other for other, earlier in seen.items() if np.array_equal(earlier, curve)), None)
        if twin is not None:  # tuning ignores the rate: two lanes that differ only there share one curve
            shared.append((index, twin))
        seen[index] = curve
        curves.append({"label": labels[index], "colour": lane_colour(index), "lr": result.lr, "score": curve,
                       "diverged": result.diverged_curve(), "best": (result.best_lr, result.best_score),
                       "found": result.found, "robust": result.robust[:2], "dash": twin is not None,
                       "current": (lane.values()["lr"], own[index])})
    name = t(f"tune.criterion.{criterion}")
    words = {"title": t("tune.chart_title", criterion=name.lower() if language() == "en" else name),
             "x": t("tune.lr_axis"), "y": t(f"tune.axis.{criterion}"), "best": t("tune.best"),
             "current": t("tune.current"), "diverged": t("tune.diverged"), "zero": t("tune.zero"),
             "never": t("tune.never"), "robust": t("tune.robust_key")}
    baselines = [result.baseline for result in tunings.values() if result.baseline]
    figure = tune_figures.sensitivity_figure(
        curves, words, height=TUNE_CHART_HEIGHT, steps=steps if criterion == "steps_to_tolerance" else None,
        cap=CAP * max(baselines) if baselines else None)
    st.plotly_chart(figure, width="stretch", key=pg.key("tune_chart"))
    st.caption(tuning_caption(tunings, labels, surface, steps, criterion, starts, shared))
    jointly = {index: result for index, result in tunings.items() if result.second is not None}
    if jointly:
        with st.expander(t("tune.joint_title")):
            chosen = st.selectbox(t("pg.inspect_lane"), list(jointly), key=pg.key("tune_joint_lane"),
                                  persist_state="session", format_func=labels.__getitem__)
            result = jointly.get(chosen, next(iter(jointly.values())))
            setting = OPTIMIZERS[result.optimizer].specs[result.second_name].label(language())
            st.plotly_chart(tune_figures.joint_figure(result, {
                "title": t("tune.joint_chart", lane=labels.get(chosen, "")), "x": t("tune.lr_axis"),
                "y": setting, "colour": t(f"tune.axis.{criterion}")}, lane_colour(chosen), height=380),
                width="stretch")
            st.caption(t("tune.joint_caption", count=len(result.second), setting=setting))
    return figure


def draw_chart(view, surface, surface_name, paths, series, start, inspected=None, first_lane=None,
               data_controls=("step", 10), tuning=None) -> object:
    """The chosen view of the race (with the inspector's step marked on the overlay); returns its figure (for the HTML
    download). On a data surface the overlay and the animation show the data and each lane's fit beside the contour,
    the curves can run per epoch, and the batch-size lesson is a view of its own."""
    labels = chart_labels(surface)
    data = batches.data_view(surface)
    if view == "batches" and data is not None:
        return draw_batches(surface_name, first_lane, start, data_controls[1])
    if view == "tune":
        return draw_tuning(surface, surface_name, tuning)
    if view == "overlay":
        fits = None if data is None else [
            {"label": path["label"], "colour": path["colour"], "y": batches.fits(surface, path["xy"][-1:])[0]}
            for path in paths]
        if data is not None and inspected is not None:
            inspected = {**inspected, "fit": batches.fits(surface, [inspected["xy"]])[0]}
        figure = figures.overlay_figure(surface_picture_cached(surface_name), paths, surface.minima, start,
                                        surface.view, labels, height=CHART_HEIGHT, inspected=inspected, data=data,
                                        fits=fits)
        st.plotly_chart(figure, key=pg.key("chart"), on_select="rerun", selection_mode="points", width="stretch")
    elif view == "multiples":
        figure = figures.multiples_figure(contour_grid(surface_name, 80), paths, surface.minima, start, surface.view,
                                          labels)
        st.plotly_chart(figure, width="stretch")
    elif view == "surface3d":
        figure = figures.surface_3d_figure(contour_grid(surface_name, 60), paths, surface.view, labels,
                                           height=CHART_HEIGHT)
        st.plotly_chart(figure, width="stretch")
    elif view == "curves":
        if data is not None and data_controls[0] == "epoch":
            series = [{**curve, "steps": batches.epochs_axis(surface, curve["steps"])} for curve in series]
            labels["step"] = t("pg.epoch")
        figure = figures.curves_figure(series, labels, height=CHART_HEIGHT, loss_log=surface.f_star is not None)
        st.plotly_chart(figure, width="stretch")
    else:
        if data is not None:
            paths = [{**path, "fits": batches.fits(surface, path["xy"])} for path in paths]
        figure = figures.animation_figure(surface_picture_cached(surface_name), paths, surface.minima, start,
                                          surface.view, labels, height=CHART_HEIGHT + 40, data=data)
        st.plotly_chart(figure, width="stretch")
    return figure


@st.fragment
def workbench() -> None:
    """The chart beside its controls; reruns alone when one of its widgets changes."""
    pg.apply_click()
    chart_column, controls_column = st.columns([1.6, 1], gap="small")
    controls = controls_column.container(height=CONTROLS_HEIGHT, border=False, key="pg_controls")
    with controls:
        pg.preset_text()
        surface_name, surface_error = pg.surface_ui()
    if surface_error:  # the message where the chart was; every other control stays as it is
        chart_column.error(surface_error, icon=":material/error:")
        with controls:
            pg.run_settings_ui(pg.FALLBACK_VIEW)
            pg.lanes_ui(st.session_state[pg.key("convention")])
        return
    surface = get_surface(surface_name)
    controls_formula = controls.container()  # a data surface's formula, under its picker
    views = pg.VIEWS + (pg.DATA_VIEWS if surface.data is not None else ())
    if st.session_state.get(pg.key("view")) not in views:  # the batch-size view of a data surface left behind
        st.session_state[pg.key("view")] = pg.DEFAULTS["view"]
    data_controls = ("step", 10)
    if surface.data is not None:
        with controls:
            data_controls = pg.data_view_ui(st.session_state[pg.key("view")])
    # The chart first: start, steps, convention and lanes are read from the session (where their widgets keep them)
    # and the chart is drawn before those widgets, so that it reaches the browser before their ~90 messages.
    start, steps, convention = pg.run_settings_from_state()
    lanes = [pg.lane_from_state(lane_id, convention)[0] for lane_id in st.session_state[pg.key("lanes")]]

    active = [(index, lane) for index, lane in enumerate(lanes) if lane is not None]
    trajectories = {index: run_cached(surface_name, lane, start, steps) for index, lane in active}
    pg.sync_url(surface_name, [lane for _, lane in active])
    tune_ui.remember_context(surface_name, start, steps)
    labels = pg.lane_labels(dict(active), lang)
    paths = []
    for index, _lane in active:
        trajectory = trajectories[index]
        shown = figures.subsample(finite_rows(trajectory))
        paths.append({"label": labels[index], "colour": lane_colour(index), "xy": trajectory.positions[shown],
                      "loss": trajectory.loss[shown], "steps": shown})
    series = [{"label": labels[index], "colour": lane_colour(index), **curves(surface, trajectories[index])}
              for index, _ in active]

    with chart_column:
        # a data surface has one view more (Batches) and a long formula: the views take the row, the formula goes
        # under the surface's picker
        view_column, formula_column = st.columns([1.6, 1], vertical_alignment="center") if surface.data is None \
            else (st.container(), controls_formula)
        view = view_column.segmented_control(t("pg.view"), views, key=pg.key("view"), persist_state="session",
                                             required=True, label_visibility="collapsed",
                                             format_func=lambda name: t(f"pg.view.{name}"))
        formula_column.latex(surface.latex)
        first_lane = (labels[active[0][0]], active[0][1]) if active else None
        tune_ui.show_applied()
        tuning = {"lanes": active, "labels": labels, "start": start, "steps": steps}
        figure = draw_chart(view, surface, surface_name, paths, series, start,
                            pg.inspected_point(trajectories, labels), first_lane, data_controls, tuning)
        for index, lane in active:
            explanation = run_explanation(surface, lane, trajectories[index])  # diverged, diverging, bouncing
            if explanation:
                show = st.warning if explanation[0].startswith("oscillate.") else st.error
                show(f"{labels[index]} — " + t(explanation[0], **explanation[1]), icon=":material/trending_up:")
        st.caption(surface.lesson(lang) + (" " + t("pg.click_hint") if view == "overlay" else ""))
        st.caption(t("pg.formula_caption", convention=t(f"convention.{convention}")))

        board_tab, inspector_tab, download_tab = st.tabs([t("pg.leaderboard"), t("pg.inspector"), t("pg.download")])
        with board_tab:
            if view == "tune" and "tuned" not in tuning:  # nothing tuned (no steps): no table of untuned runs
                st.caption(t("tune.no_steps"))
            elif view == "tune":  # the lanes at their best settings, with how robust each is
                criterion, _ = tune_ui.request_from_state()
                table(tune_ui.leaderboard_rows(*tuning["tuned"], labels, lang))
                name = t(f"tune.criterion.{criterion}")
                st.caption(t("tune.board_caption", criterion=name.lower() if lang == "en" else name)
                           .replace("*", r"\*"))
            else:
                rows = []
                for index, _lane in active:
                    row = leaderboard_row(surface, trajectories[index])
                    rows.append({
                        t("pg.col.lane"): labels[index],
                        t("pg.col.final_loss"): format_number(row["final_loss"]),
                        t("pg.col.steps_to_tolerance"): format_step(row["steps_to_tolerance"]),
                        t("pg.col.diverged_at"): format_step(row["diverged_at"]),
                        t("pg.col.distance"): format_number(row["distance"]),
                        t("pg.col.status"): t(row["status"], **row["status_fields"]),
                    })
                table(rows)
                st.caption(t("tune.board_hint"))
        with inspector_tab:
            if active and steps > 0:
                chosen = st.selectbox(t("pg.inspect_lane"), [index for index, _ in active],
                                      key=pg.key("inspect_lane"), persist_state="session",
                                      on_change=pg.show_inspected, format_func=labels.__getitem__)
                trajectory = trajectories[chosen]
                last = max(1, finite_rows(trajectory) - 1)
                step = st.slider(t("pg.inspect_step"), 1, max(last, 2), key=pg.key("inspect_step"),
                                 persist_state="session", on_change=pg.show_inspected)
                st.toggle(t("pg.inspect_show"), key=pg.key("inspect_show"), persist_state="session")
                numbers = inspect_step(trajectory, min(step, last))
                table([{t("pg.col.quantity"): t(f"pg.quantity.{name}"), "x": f"{values[0]:.6g}",
                        "y": f"{values[1]:.6g}"} for name, values in numbers.items()])
                st.caption(t("pg.inspector_caption"))
        with download_tab:
            ordered = [trajectories[index] for index, _ in active]
            names = [labels[index] for index, _ in active]
            columns = st.columns(3)
            columns[0].download_button(t("pg.download_csv"), lambda: runs_csv(names, ordered),
                                       file_name="optviz-runs.csv", mime="text/csv", icon=":material/download:")
            columns[1].download_button(
                t("pg.download_json"),
                lambda: runs_json(surface_name, start, steps, [lane for _, lane in active], ordered),
                file_name="optviz-runs.json", mime="application/json", icon=":material/download:")
            columns[2].download_button(t("pg.download_html"), lambda: figure.to_html(include_plotlyjs=True),
                                       disabled=figure is None,
                                       file_name="optviz-figure.html", mime="text/html", icon=":material/download:")

    with controls:
        pg.run_settings_ui(surface.view)
        _, errors, cards = pg.lanes_ui(convention)
    for index, error in errors.items():
        if error:
            cards[index].error(t("pg.lane_refused", detail=error))


workbench()
