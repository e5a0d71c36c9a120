"""Hyperparameter landscape: sweeps over two settings, the theory of quadratics laid over them, basins.

A workbench (shared/DESIGN.md §8): the map and the path of its selected cell in the wide column, the surface,
optimizer, axes and start in a scrolling column beside them; theory charts below. Each tab is a fragment.
"""

import numpy as np
import streamlit as st

from optviz.engine import OPTIMIZERS
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
from optviz.ui.compute import basins_cached, get_surface, run_cached, surface_picture_cached, sweep_cached
from optviz.ui.layout import CONTROLS_HEIGHT, page_header
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table
from optviz.ui.tabs import lazy_tabs
from optviz.ui.widgets import spec_widget

ensure_navigation()
lang = language()
MAP_HEIGHT = 470
COMPARE_HEIGHT = 285  # two maps above their two paths: all four in view at 1366 × 768

page_header(t("ls.title"), "landscape", t("ls.intro") + "\n\n" + t("ls.sweep_explanation"))


def sweep_controls():
    """Every widget of the sweep, in the scrolling column; returns what the sweep needs (or None with a message)."""
    if ls.key("surface") not in st.session_state:
        st.session_state[ls.key("surface")] = "quadratic"
    surface_name, surface_error = pg.surface_ui(prefix=ls.key(""))
    if surface_error:
        return None, surface_error
    surface = get_surface(surface_name)
    columns = st.columns(2)
    with columns[0]:
        optimizer = ls.optimizer_ui("optimizer", t("pg.optimizer"), "momentum")
    steps = int(columns[1].number_input(t("pg.steps"), min_value=1, max_value=2000, value=300, key=ls.key("steps"),
                                        persist_state="session"))
    compare = st.toggle(t("ls.compare"), key=ls.key("compare"), persist_state="session")
    second = ls.optimizer_ui("second", t("ls.second_optimizer"), ls.second_default(optimizer)) if compare else None
    convention = pg.convention_ui(ls.key("convention"))
    metric = st.segmented_control(t("ls.metric"), figures.METRICS, default="final_loss", required=True,
                                  key=ls.key("metric"), persist_state="session",
                                  format_func=lambda name: t(f"ls.metric.{name}"))
    x_axis = ls.axis_ui("x", optimizer, allow_none=False)
    y_axis = ls.axis_ui("y", optimizer, allow_none=True)
    start_columns = st.columns(2)
    start = (float(start_columns[0].number_input(t("pg.start_x"), value=surface.starts[0][0], key=ls.key("x0"),
                                                 persist_state="session", format="%.4g")),
             float(start_columns[1].number_input(t("pg.start_y"), value=surface.starts[0][1], key=ls.key("y0"),
                                                 persist_state="session", format="%.4g")))
    problem = ls.check_axis(x_axis) or ls.check_axis(y_axis)
    if y_axis is not None and y_axis[0] == x_axis[0]:
        problem = t("ls.same_axes")
    if problem:
        return None, problem
    swept = {x_axis[0]} | ({y_axis[0]} if y_axis else set())
    lanes = [ls.fixed_settings_ui(optimizer, swept, convention, "first")]
    if second is not None:
        lanes.append(ls.fixed_settings_ui(second, swept, convention, "second"))
    return {"surface_name": surface_name, "surface": surface, "steps": steps, "metric": metric, "x_axis": x_axis,
            "y_axis": y_axis, "start": start, "swept": swept, "lanes": lanes}, None


def selected_cell(index: int, result, x_axis, y_axis) -> tuple[int, int]:
    """The cell a click chose on map `index` (kept in the session), else the best cell."""
    event = st.session_state.get(ls.key(f"chart_{index}"))
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
    return int(cell[0]), int(cell[1])


def sweep_map(index: int, lane: Lane, config: dict, place) -> dict | None:
    """One optimizer's map in `place`; returns the selected cell's run (or None where the sweep cannot run)."""
    x_axis, y_axis, swept = config["x_axis"], config["y_axis"], config["swept"]
    runs = int(x_axis[3] * (y_axis[3] if y_axis else 1))
    with place:
        unknown = [name for name in swept if name not in (*ls.sweepable(lane.optimizer), ls.STEPS_AXIS,
                                                          *ls.START_AXES)]
        if unknown:
            st.warning(t("ls.not_sweepable", name=unknown[0], optimizer=OPTIMIZERS[lane.optimizer].label(lang)))
            return None
        try:
            with st.spinner(t("ls.computing", runs=f"{runs:,}", steps=config["steps"])):
                result = sweep_cached(config["surface_name"], lane, x_axis, y_axis, config["start"], config["steps"])
        except ValueError as error:  # an end of the range outside the setting's domain (momentum < 0, ...)
            st.error(t("ls.cannot_sweep", detail=str(error)), icon=":material/error:")
            return None
        overlay = theory_overlay(config["surface"], lane, result)
        row, column = selected_cell(index, result, x_axis, y_axis)
        values = cell_settings(result, row, column)
        selected = (values[x_axis[0]], values[y_axis[0]]) if y_axis else None
        labels = {"final_loss": t("ls.metric.final_loss"), "steps_to_tolerance": t("ls.metric.steps_to_tolerance"),
                  "diverged": t("ls.metric.diverged"), "boundary": t("ls.boundary"), "optimal": t("ls.optimal"),
                  "selected": t("ls.selected"), "title": OPTIMIZERS[lane.optimizer].label(lang),
                  "x_title": ls.axis_label(lane.optimizer, x_axis[0]),
                  "y_title": ls.axis_label(lane.optimizer, y_axis[0]) if y_axis else ""}
        figure = figures.sweep_figure(result, config["metric"], config["surface"].f_star, labels, overlay, selected,
                                      height=config["height"])
        if y_axis is not None:
            st.plotly_chart(figure, key=ls.key(f"chart_{index}"), on_select="rerun", selection_mode="points",
                            width="stretch")
        else:
            st.plotly_chart(figure, width="stretch")
        blank = config["metric"] != "diverged" and result.diverged.any() and index == 0  # said once is enough
        st.caption(t("ls.summary", runs=f"{runs:,}", diverged=f"{float(result.diverged.mean()):.0%}")
                   + (" " + t("ls.blank_cells") if blank else ""))
    return {"result": result, "overlay": overlay, "values": values, "lane": lane}


def cell_path(index: int, cell: dict, config: dict, place) -> None:
    """The selected cell's path over the surface, its settings and a link that opens it in the playground."""
    surface, surface_name, values = config["surface"], config["surface_name"], cell["values"]
    chosen_lane = cell_lane(cell["lane"], values)
    chosen_start = cell_start(config["start"], values)
    cell_steps = int(values.get("steps", config["steps"]))
    trajectory = run_cached(surface_name, chosen_lane, chosen_start, cell_steps)
    shown = subsample(finite_rows(trajectory))
    path = {"label": OPTIMIZERS[cell["lane"].optimizer].label(lang), "colour": lane_colour(index),
            "xy": trajectory.positions[shown], "loss": trajectory.loss[shown], "steps": shown}
    with place:
        if config["height"] == MAP_HEIGHT:  # side by side with its map; under two maps the legend names it
            st.markdown(f"**{t('ls.cell_path')}**")
        st.plotly_chart(overlay_figure(surface_picture_cached(surface_name), [path], surface.minima, chosen_start,
                                       surface.view, {"colorbar": t("pg.colorbar"),
                                                      "minimum": t("pg.minimum"), "start": t("pg.start")},
                                       height=config["height"] - (60 if config["height"] == MAP_HEIGHT else 40)),
                        width="stretch", key=ls.key(f"path_{index}"))
        st.markdown(t("ls.cell", settings=t("app.list_separator").join(
            f"{ls.axis_label(cell['lane'].optimizer, name)} = {value:.4g}" for name, value in values.items())))
        st.link_button(t("ls.open_playground"), ls.playground_url(surface_name, chosen_lane, chosen_start, cell_steps),
                       icon=":material/open_in_new:")
    cell["trajectory"] = trajectory


def theory(index: int, cell: dict, config: dict) -> None:
    """On a quadratic: the error along each eigen-direction, and the rate map of theory beside the measured one."""
    surface, trajectory = config["surface"], cell["trajectory"]
    errors = eigen_errors(surface, trajectory)
    if errors is not None:
        eigenvalues, _ = hessian_eigen(surface)
        st.plotly_chart(figures.eigen_figure(errors[:finite_rows(trajectory)], eigenvalues, {
            "title": t("ls.eigen_title"), "direction": t("ls.direction"), "step": t("axis.step"),
            "error": t("ls.eigen_error")}), width="stretch", key=ls.key(f"eigen_{index}"))
        st.caption(t("ls.eigen_explanation"))
    overlay = cell["overlay"]
    if overlay is not None and config["y_axis"] is not None:
        initial = float(surface.value(np.asarray(config["start"])))
        measured = measured_rate(cell["result"], initial, surface.f_star, config["steps"])
        st.plotly_chart(figures.rate_maps_figure(cell["result"], overlay.predicted_rate, measured, {
            "title": t("ls.rates_title"), "predicted": t("ls.predicted"), "measured": t("ls.measured")}),
            width="stretch", key=ls.key(f"rates_{index}"))
        st.markdown(t("ls.theory_text", optimal=f"{overlay.optimal_rate:.3g}"))
        st.latex(r"z^2 - (1 + \beta - \alpha\lambda)\,z + \beta = 0,\qquad |\sigma| = \max_\lambda |z| < 1"
                 r"\iff 0 \le \beta < 1,\ 0 < \alpha\lambda_{\max} < 2 + 2\beta")


@st.fragment
def sweep_tab() -> None:
    """Maps of one or two optimizers beside their controls; the selected cell's path beside its map."""
    chart_column, controls_column = st.columns([1.9, 1], gap="small")
    with controls_column.container(height=CONTROLS_HEIGHT, border=False, key="ls_controls"):
        config, problem = sweep_controls()
    if problem:
        chart_column.error(problem, icon=":material/error:")
        return
    with chart_column:
        lanes = config["lanes"]
        config["height"] = MAP_HEIGHT if len(lanes) == 1 else COMPARE_HEIGHT
        if len(lanes) == 1:
            map_place, path_place = st.columns(2)
            cells = [sweep_map(0, lanes[0], config, map_place)]
            if cells[0] is not None:
                cell_path(0, cells[0], config, path_place)
        else:
            map_places = st.columns(2)
            cells = [sweep_map(index, lane, config, map_places[index]) for index, lane in enumerate(lanes)]
            path_places = st.columns(2)
            for index, cell in enumerate(cells):
                if cell is not None:
                    cell_path(index, cell, config, path_places[index])
    theory_columns = st.columns(len(cells))
    for index, cell in enumerate(cells):
        if cell is not None:
            with theory_columns[index]:
                theory(index, cell, config)


@st.fragment
def basins_tab() -> None:
    """Which minimum each start reaches, per optimizer, beside the surface, resolution and optimizers."""
    chart_column, controls_column = st.columns([1.9, 1], gap="small")
    with controls_column.container(height=CONTROLS_HEIGHT, border=False, key="ls_basin_controls"):
        st.caption(t("ls.basins_intro"))
        with_minima = [name for name in FAMILIES if len(FAMILIES[name].make().minima or ()) > 1]
        if ls.key("b_surface") not in st.session_state:
            st.session_state[ls.key("b_surface")] = "himmelblau"
        basin_surface_name, basin_error = pg.surface_ui(prefix=ls.key("b_"), names=with_minima)
        if basin_error:
            chart_column.error(basin_error, icon=":material/error:")
            return
        columns = st.columns(2)
        resolution = int(columns[0].slider(t("ls.resolution"), 20, ls.MAX_BASIN_GRID, 80, step=10,
                                           key=ls.key("b_res"), persist_state="session"))
        basin_steps = int(columns[1].number_input(t("pg.steps"), 10, 3000, 500, key=ls.key("b_steps"),
                                                  persist_state="session"))
        chosen = st.multiselect(t("ls.basin_optimizers"), list(OPTIMIZERS), default=["sgd", "momentum", "adam"],
                                max_selections=4, key=ls.key("b_optimizers"), persist_state="session",
                                select_all=False,
                                placeholder=t("app.choose"), format_func=lambda name: OPTIMIZERS[name].label(lang))
        basin_lanes = []
        for name in chosen:
            spec = OPTIMIZERS[name].specs["lr"]
            default = pg.PLAYGROUND_LR[name] * 10 if name in ("sgd", "momentum", "nesterov") else \
                pg.PLAYGROUND_LR[name]
            label = t("ls.basin_lr", optimizer=OPTIMIZERS[name].label(lang), setting=spec.label(lang))
            value = spec_widget(spec, ls.key(f"b_lr_{name}"), lang, default, label=label)
            basin_lanes.append(Lane(name, (("lr", value),)))
    if not basin_lanes:
        return
    basin_surface = get_surface(basin_surface_name)
    with chart_column:
        with st.spinner(t("ls.computing", runs=f"{resolution * resolution:,}", steps=basin_steps)):
            found = [(OPTIMIZERS[lane.optimizer].label(lang), basins_cached(basin_surface_name, lane, resolution,
                                                                             basin_steps)) for lane in basin_lanes]
        minima = found[0][1].minima
        st.plotly_chart(figures.basins_figure(found, minima, {
            "title": basin_surface.label(lang), "minimum": t("pg.minimum"), "none": t("ls.none"),
            "diverged": t("ls.metric.diverged")}), width="stretch")
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


# Lazy tabs: only the open one computes (a basin map is thousands of runs).
sweep, basin = lazy_tabs(("ls.tab_sweep", "ls.tab_basins"), ls.key("tab"))
with sweep:
    if sweep.open:
        sweep_tab()
with basin:
    if basin.open:
        basins_tab()
