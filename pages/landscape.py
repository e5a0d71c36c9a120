"""Hyperparameter landscape: sweeps over two settings, the theory of quadratics laid over them, basins."""

import numpy as np
import streamlit as st

from optviz.engine import CONVENTIONS, OPTIMIZERS
from optviz.landscape import (
    cell_lane,
    cell_settings,
    cell_start,
    eigen_errors,
    hessian_eigen,
    measured_rate,
    theory_overlay,
)
from optviz.plots import landscape as figures
from optviz.plots.playground import overlay_figure, subsample
from optviz.plots.style import lane_colour
from optviz.report import finite_rows
from optviz.runs import Lane
from optviz.surfaces import FAMILIES
from optviz.ui import landscape as ls
from optviz.ui import language, t
from optviz.ui import playground as pg
from optviz.ui.compute import basins_cached, contour_grid, get_surface, run_cached, sweep_cached
from optviz.ui.guide import guide
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table
from optviz.ui.widgets import spec_widget

ensure_navigation()
lang = language()

st.title(t("ls.title"))
guide("landscape")
st.markdown(t("ls.intro"))
sweep_tab, basin_tab = st.tabs([t("ls.tab_sweep"), t("ls.tab_basins")])

with sweep_tab:
    setup, explanation = st.columns([3, 2])
    with setup:
        if ls.key("surface") not in st.session_state:
            st.session_state[ls.key("surface")] = "quadratic"
        surface_name, surface_error = pg.surface_ui(prefix=ls.key(""))
    if surface_error:
        st.error(surface_error, icon=":material/error:")
        st.stop()
    surface = get_surface(surface_name)
    with explanation:
        st.latex(surface.latex)
        st.caption(t("ls.sweep_explanation"))
    columns = st.columns(4)
    with columns[0]:
        optimizer = ls.optimizer_ui("optimizer", t("pg.optimizer"), "momentum")
    with columns[1]:
        compare = st.toggle(t("ls.compare"), key=ls.key("compare"), persist_state="session")
        second = ls.optimizer_ui("second", t("ls.second_optimizer"), "adam") if compare else None
    steps = int(columns[2].number_input(t("pg.steps"), min_value=1, max_value=2000, value=300, key=ls.key("steps"),
                                        persist_state="session"))
    convention = columns[3].segmented_control(t("home.convention_label"), CONVENTIONS, default="pytorch",
                                              required=True, key=ls.key("convention"), persist_state="session",
                                              format_func=lambda name: t(f"convention.{name}"))
    x_axis = ls.axis_ui("x", optimizer, allow_none=False)
    y_axis = ls.axis_ui("y", optimizer, allow_none=True)
    start_columns = st.columns(2)
    start = (float(start_columns[0].number_input(t("pg.start_x"), value=surface.starts[0][0], key=ls.key("x0"),
                                                 persist_state="session",
                                                 format="%.4g")),
             float(start_columns[1].number_input(t("pg.start_y"), value=surface.starts[0][1], key=ls.key("y0"),
                                                 persist_state="session",
                                                 format="%.4g")))
    problem = ls.check_axis(x_axis) or ls.check_axis(y_axis)
    if y_axis is not None and y_axis[0] == x_axis[0]:
        problem = t("ls.same_axes")
    if problem:
        st.error(problem, icon=":material/error:")
        st.stop()
    swept = {x_axis[0]} | ({y_axis[0]} if y_axis else set())
    lanes = [ls.fixed_settings_ui(optimizer, swept, convention, "first")]
    if second is not None:
        lanes.append(ls.fixed_settings_ui(second, swept, convention, "second"))

    metric = st.segmented_control(t("ls.metric"), figures.METRICS, default="final_loss", required=True,
                                  key=ls.key("metric"),
                                  persist_state="session", format_func=lambda name: t(f"ls.metric.{name}"))
    runs = int(x_axis[3] * (y_axis[3] if y_axis else 1))
    labels = {"final_loss": t("ls.metric.final_loss"), "steps_to_tolerance": t("ls.metric.steps_to_tolerance"),
              "diverged": t("ls.metric.diverged"), "boundary": t("ls.boundary"), "optimal": t("ls.optimal"),
              "selected": t("ls.selected")}
    panels = st.columns(len(lanes))
    results = []
    for index, (panel, lane) in enumerate(zip(panels, lanes, strict=True)):
        with panel:
            unknown = [name for name in swept
                       if name not in (*ls.sweepable(lane.optimizer), ls.STEPS_AXIS, *ls.START_AXES)]
            if unknown:
                st.warning(t("ls.not_sweepable", name=unknown[0], optimizer=OPTIMIZERS[lane.optimizer].label(lang)))
                results.append(None)
                continue
            try:
                with st.spinner(t("ls.computing", runs=f"{runs:,}", steps=steps)):
                    result = sweep_cached(surface_name, lane, x_axis, y_axis, start, steps)
            except ValueError as error:  # an end of the range outside the setting's domain (momentum < 0, ...)
                st.error(t("ls.cannot_sweep", detail=str(error)), icon=":material/error:")
                results.append(None)
                continue
            results.append(result)
            overlay = theory_overlay(surface, lane, result)
            chart_key = ls.key(f"chart_{index}")
            event = st.session_state.get(chart_key)
            points = (event.get("selection") or {}).get("points") if event else None
            if points and y_axis is not None:
                column = int(np.abs(np.log(result.x.values) - np.log(points[0]["x"])).argmin()) if x_axis[4] else \
                    int(np.abs(result.x.values - points[0]["x"]).argmin())
                row = int(np.abs(np.log(result.y.values) - np.log(points[0]["y"])).argmin()) if y_axis[4] else \
                    int(np.abs(result.y.values - points[0]["y"]).argmin())
                st.session_state[ls.key(f"cell_{index}")] = (row, column)
            cell = st.session_state.get(ls.key(f"cell_{index}"))
            if cell is None or cell[0] >= len(result.final_loss) or (y_axis is not None and cell[1] >= x_axis[3]):
                # start from the best cell: the fewest steps to tolerance, else the lowest final loss
                score = np.where(result.steps_to_tolerance >= 0, result.steps_to_tolerance, np.inf)
                if not np.isfinite(score).any():
                    score = np.nan_to_num(result.final_loss, nan=np.inf)
                flat = int(np.argmin(score))
                cell = np.unravel_index(flat, score.shape) if y_axis else (0, flat)
            row, column = int(cell[0]), int(cell[1])
            values = cell_settings(result, row, column)
            selected = (values[x_axis[0]], values[y_axis[0]]) if y_axis else None
            labels["title"] = OPTIMIZERS[lane.optimizer].label(lang)
            figure = figures.sweep_figure(result, metric, surface.f_star, labels, overlay, selected)
            if y_axis is not None:
                st.plotly_chart(figure, key=chart_key, on_select="rerun", selection_mode="points", width="stretch")
            else:
                st.plotly_chart(figure, width="stretch")
            share = float(result.diverged.mean())
            st.caption(t("ls.summary", runs=f"{runs:,}", diverged=f"{share:.0%}"))

            chosen_lane = cell_lane(lane, values)
            chosen_start = cell_start(start, values)
            st.markdown(t("ls.cell", settings=", ".join(f"{name} = {value:.4g}" for name, value in values.items())))
            cell_steps = int(values.get("steps", steps))
            trajectory = run_cached(surface_name, chosen_lane, chosen_start, cell_steps)
            rows = finite_rows(trajectory)
            shown = subsample(rows)
            path = {"label": OPTIMIZERS[lane.optimizer].label_en, "colour": lane_colour(index),
                    "xy": trajectory.positions[shown], "loss": trajectory.loss[shown], "steps": shown}
            path_labels = {"title": t("ls.cell_path"), "colorbar": t("pg.colorbar"), "minimum": t("pg.minimum"),
                           "start": t("pg.start")}
            st.plotly_chart(overlay_figure(contour_grid(surface_name, 100), [path], surface.minima, chosen_start,
                                           surface.view, path_labels), width="stretch", key=ls.key(f"path_{index}"))
            st.link_button(t("ls.open_playground"),
                           ls.playground_url(surface_name, chosen_lane, chosen_start, cell_steps),
                           icon=":material/open_in_new:")
            errors = eigen_errors(surface, trajectory)
            if errors is not None:
                eigenvalues, _ = hessian_eigen(surface)
                st.plotly_chart(figures.eigen_figure(errors[:rows], eigenvalues, {
                    "title": t("ls.eigen_title"), "direction": t("ls.direction"), "step": t("axis.step"),
                    "error": t("ls.eigen_error")}), width="stretch", key=ls.key(f"eigen_{index}"))
                st.caption(t("ls.eigen_explanation"))
            if overlay is not None and y_axis is not None:
                initial = float(surface.value(np.asarray(start)))
                measured = measured_rate(result, initial, surface.f_star, steps)
                st.plotly_chart(figures.rate_maps_figure(result, overlay.predicted_rate, measured, {
                    "title": t("ls.rates_title"), "predicted": t("ls.predicted"), "measured": t("ls.measured")}),
                    width="stretch", key=ls.key(f"rates_{index}"))
                st.markdown(t("ls.theory_text", optimal=f"{overlay.optimal_rate:.3g}"))
                st.latex(r"z^2 - (1 + \beta - \alpha\lambda)\,z + \beta = 0,\qquad |\sigma| = \max_\lambda |z| < 1"
                         r"\iff 0 \le \beta < 1,\ 0 < \alpha\lambda_{\max} < 2 + 2\beta")

with basin_tab:
    st.markdown(t("ls.basins_intro"))
    with_minima = [name for name in FAMILIES if FAMILIES[name].make().minima and len(FAMILIES[name].make().minima) > 1]
    if ls.key("b_surface") not in st.session_state:
        st.session_state[ls.key("b_surface")] = "himmelblau"
    basin_surface_name, basin_error = pg.surface_ui(prefix=ls.key("b_"), names=with_minima)
    if basin_error:
        st.error(basin_error, icon=":material/error:")
        st.stop()
    basin_surface = get_surface(basin_surface_name)
    columns = st.columns(3)
    resolution = int(columns[0].slider(t("ls.resolution"), 20, ls.MAX_BASIN_GRID, 80, step=10, key=ls.key("b_res"),
                                       persist_state="session"))
    basin_steps = int(columns[1].number_input(t("pg.steps"), 10, 3000, 500, key=ls.key("b_steps"),
                                              persist_state="session"))
    chosen = columns[2].multiselect(t("ls.basin_optimizers"), list(OPTIMIZERS), default=["sgd", "momentum", "adam"],
                                    max_selections=4, key=ls.key("b_optimizers"), persist_state="session",
                                    placeholder=t("app.choose"),
                                    format_func=lambda name: OPTIMIZERS[name].label(lang))
    basin_lanes = []
    lr_columns = st.columns(max(1, len(chosen)))
    for column, name in zip(lr_columns, chosen, strict=False):
        spec = OPTIMIZERS[name].specs["lr"]
        with column:
            st.markdown(f"**{OPTIMIZERS[name].label(lang)}**")
            value = spec_widget(spec, ls.key(f"b_lr_{name}"), lang, pg.PLAYGROUND_LR[name] * 10 if name in (
                "sgd", "momentum", "nesterov") else pg.PLAYGROUND_LR[name])
        basin_lanes.append(Lane(name, (("lr", value),)))
    if basin_lanes:
        with st.spinner(t("ls.computing", runs=f"{resolution * resolution:,}", steps=basin_steps)):
            found = [(OPTIMIZERS[lane.optimizer].label(lang), basins_cached(basin_surface_name, lane, resolution,
                                                                             basin_steps)) for lane in basin_lanes]
        minima = found[0][1].minima
        st.plotly_chart(figures.basins_figure(found, minima, {"title": basin_surface.label(lang),
                                                              "minimum": t("pg.minimum")}), width="stretch")
        shares = []
        for label, result in found:
            row = {t("pg.col.lane"): label}
            for index in range(len(minima)):
                row[f"{t('pg.minimum')} {index + 1}"] = f"{(result.labels == index).mean():.0%}"
            row[t("ls.none")] = f"{(result.labels == -1).mean():.0%}"
            row[t("ls.metric.diverged")] = f"{(result.labels == -2).mean():.0%}"
            shares.append(row)
        table(shares)
        st.caption(t("ls.basins_caption"))
