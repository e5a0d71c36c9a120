"""Playground: optimizers racing on a 2D surface, side by side, each next to its live formula."""

import streamlit as st

from optviz.engine import OPTIMIZERS
from optviz.explain import divergence_reason
from optviz.plots import playground as figures
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
from optviz.ui.compute import contour_grid, get_surface, run_cached
from optviz.ui.guide import guide
from optviz.ui.navigation import ensure_navigation
from optviz.ui.tables import table

ensure_navigation()
lang = language()
warnings = pg.init_state()
pg.apply_click()

st.title(t("pg.title"))
guide("playground")
st.markdown(t("pg.intro"))
for warning in warnings:
    st.warning(warning, icon=":material/link_off:")
pg.preset_ui()

surface_column, lesson_column = st.columns([1, 1])
with surface_column:
    surface_name, surface_error = pg.surface_ui()
if surface_error:
    st.error(surface_error, icon=":material/error:")
    st.stop()
surface = get_surface(surface_name)
with lesson_column:
    st.latex(surface.latex)
    st.caption(surface.lesson(lang))
start, steps, convention = pg.run_settings_ui(surface.view)
chart_area = st.container()
results_area = st.container()

lane_ids = st.session_state[pg.key("lanes")]
lanes, errors = [], {}
lane_columns = st.columns(2)
lane_widgets = []
for index, lane_id in enumerate(lane_ids):
    container = lane_columns[index % 2].container(border=True)
    lane_widgets.append(container)
    with container:
        lane, error = pg.lane_ui(lane_id, index, lane_colour(index), convention)
    lanes.append(lane)
    errors[index] = error

active = [(index, lane) for index, lane in enumerate(lanes) if lane is not None]
trajectories = {index: run_cached(surface_name, lane, start, steps) for index, lane in active}
pg.sync_url(surface_name, [lane for _, lane in active])

labels = {index: f"{index + 1}. {OPTIMIZERS[lane.optimizer].label_en}" for index, lane in active}
paths = []
for index, _lane in active:
    trajectory = trajectories[index]
    rows = finite_rows(trajectory)
    shown = figures.subsample(rows)
    paths.append({"label": labels[index], "colour": lane_colour(index), "xy": trajectory.positions[shown],
                  "loss": trajectory.loss[shown], "steps": shown})

with chart_area:
    view = st.segmented_control(t("pg.view"), pg.VIEWS, key=pg.key("view"), persist_state="session", required=True,
                                format_func=lambda name: t(f"pg.view.{name}"))
    chart_labels = {"title": surface.label(lang), "colorbar": t("pg.colorbar"), "minimum": t("pg.minimum"),
                    "start": t("pg.start"), "step": t("axis.step"), "play": t("pg.play"), "pause": t("pg.pause"),
                    "loss": t("pg.curve.loss") if surface.f_star is not None else t("pg.curve.loss_raw"),
                    "distance": t("pg.curve.distance"), "grad_norm": t("pg.curve.grad_norm"),
                    "effective_lr": t("pg.curve.effective_lr")}
    if view == "overlay":
        figure = figures.overlay_figure(contour_grid(surface_name), paths, surface.minima, start, surface.view,
                                        chart_labels)
        st.plotly_chart(figure, key=pg.key("chart"), on_select="rerun", selection_mode="points", width="stretch")
        st.caption(t("pg.click_hint"))
    elif view == "multiples":
        figure = figures.multiples_figure(contour_grid(surface_name, 80), paths, surface.minima, start, surface.view,
                                          chart_labels)
        st.plotly_chart(figure, width="stretch")
    elif view == "surface3d":
        figure = figures.surface_3d_figure(contour_grid(surface_name, 80), paths, surface.view, chart_labels)
        st.plotly_chart(figure, width="stretch")
    elif view == "curves":
        series = [{"label": labels[index], "colour": lane_colour(index), **curves(surface, trajectories[index])}
                  for index, _ in active]
        if surface.f_star is None:
            for item in series:
                item["loss"] = None
        figure = figures.curves_figure(series, chart_labels)
        st.plotly_chart(figure, width="stretch")
    else:
        figure = figures.animation_figure(contour_grid(surface_name), paths, surface.minima, start, surface.view,
                                          chart_labels)
        st.plotly_chart(figure, width="stretch")

    for index, lane in active:
        trajectory = trajectories[index]
        if trajectory.diverged_at >= 0:
            message_key, fields = divergence_reason(surface, lane, int(trajectory.diverged_at))
            st.error(f"**{labels[index]}** — " + t(message_key, **fields), icon=":material/trending_up:")

with results_area:
    st.subheader(t("pg.leaderboard"))
    rows = []
    for index, _lane in active:
        row = leaderboard_row(surface, trajectories[index])
        rows.append({
            t("pg.col.lane"): labels[index],
            t("pg.col.final_loss"): format_number(row["final_loss"]),
            t("pg.col.steps_to_tolerance"): format_step(row["steps_to_tolerance"]),
            t("pg.col.diverged_at"): format_step(row["diverged_at"]),
            t("pg.col.distance"): format_number(row["distance"]),
        })
    table(rows)

for index, lane in active:
    with lane_widgets[index]:
        st.latex(lane.pipeline().latex(live=True))
for index, error in errors.items():
    if error:
        with lane_widgets[index]:
            st.error(error)

st.caption(t("pg.formula_caption", convention=t(f"convention.{convention}")))
# Buttons that open panels: their widgets are built only when opened, which keeps the first view light.
actions = st.columns([1, 1, 1, 2])
actions[0].button(t("pg.add_lane"), on_click=pg.add_lane, disabled=len(lane_ids) >= pg.MAX_LANES,
                  icon=":material/add:", width="stretch")

with actions[1].popover(t("pg.inspector"), icon=":material/search:", width="stretch"):
    if active and steps > 0:
        chosen = st.selectbox(t("pg.inspect_lane"), [index for index, _ in active], key=pg.key("inspect_lane"),
                              persist_state="session",
                              format_func=labels.__getitem__)
        trajectory = trajectories[chosen]
        last = max(1, finite_rows(trajectory) - 1)
        step = st.slider(t("pg.inspect_step"), 1, max(last, 2), min(1, last), key=pg.key("inspect_step"),
                         persist_state="session")
        numbers = inspect_step(trajectory, min(step, last))
        table([{t("pg.col.quantity"): t(f"pg.quantity.{name}"), "x": f"{values[0]:.6g}", "y": f"{values[1]:.6g}"}
               for name, values in numbers.items()])
        st.caption(t("pg.inspector_caption"))

downloads = actions[2].popover(t("pg.download"), icon=":material/download:", width="stretch")
ordered = [trajectories[index] for index, _ in active]
downloads.download_button(t("pg.download_csv"), lambda: runs_csv([labels[i] for i, _ in active], ordered),
                          file_name="optviz-runs.csv", mime="text/csv", icon=":material/download:")
downloads.download_button(
    t("pg.download_json"),
    lambda: runs_json(surface_name, start, steps, [lane for _, lane in active], ordered),
    file_name="optviz-runs.json", mime="application/json", icon=":material/download:")
downloads.download_button(t("pg.download_html"), lambda: figure.to_html(include_plotlyjs=True),
                          file_name="optviz-figure.html", mime="text/html", icon=":material/download:")
