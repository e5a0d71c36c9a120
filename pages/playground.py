"""Playground: optimizers racing on a 2D surface, side by side, each next to its live formula.

A workbench (shared/DESIGN.md §8): the chart in a wide column, the surface, the run and the lanes in a scrolling
column beside it; the leaderboard, inspector and downloads under the chart. Everything under the header is one
fragment, so a slider move reruns the workbench only.
"""

import streamlit as st

from optviz.explain import run_explanation
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
            "effective_lr": t("pg.curve.effective_lr"), "title": ""}


def draw_chart(view, surface, surface_name, paths, series, start, inspected=None) -> object:
    """The chosen view of the race (with the inspector's step marked on the overlay); returns its figure (for the HTML
    download)."""
    labels = chart_labels(surface)
    if view == "overlay":
        figure = figures.overlay_figure(surface_picture_cached(surface_name), paths, surface.minima, start,
                                        surface.view, labels, height=CHART_HEIGHT, inspected=inspected)
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
        figure = figures.curves_figure(series, labels, height=CHART_HEIGHT, loss_log=surface.f_star is not None)
        st.plotly_chart(figure, width="stretch")
    else:
        figure = figures.animation_figure(surface_picture_cached(surface_name), paths, surface.minima, start,
                                          surface.view, labels, height=CHART_HEIGHT + 40)
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
    # The chart first: start, steps, convention and lanes are read from the session (where their widgets keep them)
    # and the chart is drawn before those widgets, so that it reaches the browser before their ~90 messages.
    start, steps, convention = pg.run_settings_from_state()
    lanes = [pg.lane_from_state(lane_id, convention)[0] for lane_id in st.session_state[pg.key("lanes")]]

    active = [(index, lane) for index, lane in enumerate(lanes) if lane is not None]
    trajectories = {index: run_cached(surface_name, lane, start, steps) for index, lane in active}
    pg.sync_url(surface_name, [lane for _, lane in active])
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
        view_column, formula_column = st.columns([1.25, 1], vertical_alignment="center")
        view = view_column.segmented_control(t("pg.view"), pg.VIEWS, key=pg.key("view"), persist_state="session",
                                             required=True, label_visibility="collapsed",
                                             format_func=lambda name: t(f"pg.view.{name}"))
        formula_column.latex(surface.latex)
        figure = draw_chart(view, surface, surface_name, paths, series, start,
                            pg.inspected_point(trajectories, labels))
        for index, lane in active:
            explanation = run_explanation(surface, lane, trajectories[index])  # diverged, diverging, bouncing
            if explanation:
                show = st.warning if explanation[0].startswith("oscillate.") else st.error
                show(f"{labels[index]} — " + t(explanation[0], **explanation[1]), icon=":material/trending_up:")
        st.caption(surface.lesson(lang) + (" " + t("pg.click_hint") if view == "overlay" else ""))
        st.caption(t("pg.formula_caption", convention=t(f"convention.{convention}")))

        board_tab, inspector_tab, download_tab = st.tabs([t("pg.leaderboard"), t("pg.inspector"), t("pg.download")])
        with board_tab:
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
        with inspector_tab:
            if active and steps > 0:
                chosen = st.selectbox(t("pg.inspect_lane"), [index for index, _ in active],
                                      key=pg.key("inspect_lane"), persist_state="session",
                                      on_change=pg.show_inspected, format_func=labels.__getitem__)
                trajectory = trajectories[chosen]
                last = max(1, finite_rows(trajectory) - 1)
                step = st.slider(t("pg.inspect_step"), 1, max(last, 2), min(1, last), key=pg.key("inspect_step"),
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
                                       file_name="optviz-figure.html", mime="text/html", icon=":material/download:")

    with controls:
        pg.run_settings_ui(surface.view)
        _, errors, cards = pg.lanes_ui(convention)
    for index, error in errors.items():
        if error:
            cards[index].error(t("pg.lane_refused", detail=error))


workbench()
