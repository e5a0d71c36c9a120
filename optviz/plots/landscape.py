"""Figures of the landscape page: sweep heatmaps (with theory overlaid), rate maps, eigen-directions, basins."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import LANE_COLOURS, apply_layout

CLICK_CELLS = 60
METRICS = ("final_loss", "steps_to_tolerance", "diverged")


def _is_log(values: np.ndarray) -> bool:
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 3 or np.any(values <= 0):
        return False
    ratios = values[1:] / values[:-1]
    return bool(np.allclose(ratios, ratios[0]) and not np.allclose(ratios, 1.0))


def metric_grid(result, metric: str, f_star: float | None) -> np.ndarray:
    """The numbers a heatmap shows: log10 of the final gap to f* (or of |f|), steps to tolerance, diverged."""
    if metric == "diverged":
        return result.diverged.astype(np.float32)
    if metric == "steps_to_tolerance":
        steps = result.steps_to_tolerance.astype(np.float64)
        return np.where(steps >= 0, steps, np.nan).astype(np.float32)
    gap = result.final_loss - (f_star if f_star is not None else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # below 1e-20 every run has converged for any purpose: the colour scale keeps its detail above that
        return np.maximum(np.log10(np.abs(gap) + 1e-300), -20.0).astype(np.float32)


def _click_grid(x_values, y_values) -> go.Scatter:
    """Invisible markers over (at most 60 x 60 of) the cells: clicking one selects that cell."""
    xs = x_values[np.unique(np.linspace(0, len(x_values) - 1, min(CLICK_CELLS, len(x_values))).round().astype(int))]
    ys = y_values[np.unique(np.linspace(0, len(y_values) - 1, min(CLICK_CELLS, len(y_values))).round().astype(int))]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return go.Scatter(x=grid_x.ravel(), y=grid_y.ravel(), mode="markers", marker=dict(size=10, opacity=0),
                      hoverinfo="none", showlegend=False, name="click")


def sweep_figure(result, metric: str, f_star: float | None, labels: dict, overlay=None, selected=None,
                 height: int = 520) -> go.Figure:
    """A heatmap over the two swept settings (a curve for one), with theory and the selected cell marked."""
    values = metric_grid(result, metric, f_star)
    colours = {"final_loss": "Viridis", "steps_to_tolerance": "Plasma", "diverged": [[0, "#f5f5f5"], [1, "#D55E00"]]}
    if result.y is None:
        figure = go.Figure(go.Scatter(x=result.x.values, y=values, mode="lines+markers", name=labels[metric],
                                      line=dict(color=LANE_COLOURS[0])))
        apply_layout(figure, labels["title"], labels.get("x_title", result.x.name), labels[metric], height=height)
        figure.update_xaxes(type="log" if _is_log(result.x.values) else "linear")
        return figure
    figure = go.Figure(go.Heatmap(
        x=result.x.values, y=result.y.values, z=values, colorscale=colours[metric],
        colorbar=dict(title=dict(text=labels[metric], side="right"), thickness=12),
        hovertemplate=f"{result.x.name}=%{{x:.4g}}<br>{result.y.name}=%{{y:.4g}}<br>%{{z:.3g}}<extra></extra>",
        zmin=0 if metric == "diverged" else None, zmax=1 if metric == "diverged" else None,
    ))
    figure.add_trace(_click_grid(result.x.values, result.y.values))
    if overlay is not None:
        figure.add_trace(go.Scatter(x=overlay.boundary_x, y=overlay.boundary_y, mode="lines", name=labels["boundary"],
                                    line=dict(color="black", width=2.5, dash="dash")))
        if overlay.optimal is not None:
            figure.add_trace(go.Scatter(x=[overlay.optimal[0]], y=[overlay.optimal[1]], mode="markers",
                                        name=labels["optimal"], marker=dict(symbol="star", size=16, color="#F0E442",
                                                                            line=dict(width=1, color="black"))))
    if selected is not None:
        figure.add_trace(go.Scatter(x=[selected[0]], y=[selected[1]], mode="markers", name=labels["selected"],
                                    marker=dict(symbol="circle-open", size=16, color="red", line=dict(width=3))))
    apply_layout(figure, labels["title"], labels.get("x_title", result.x.name), labels.get("y_title", result.y.name),
                 height=height)
    figure.update_xaxes(type="log" if _is_log(result.x.values) else "linear",
                        range=_range(result.x.values), constrain="domain")
    figure.update_yaxes(type="log" if _is_log(result.y.values) else "linear", range=_range(result.y.values))
    # the key (boundary, optimum, selected cell) below the axis title, not on it
    figure.update_layout(clickmode="event+select", margin=dict(l=60, r=20, t=50, b=95),
                         legend=dict(orientation="h", yanchor="top", y=-0.3 if height < 400 else -0.2, x=0))
    return figure


def _range(values: np.ndarray) -> list[float]:
    values = np.asarray(values, dtype=np.float64)
    if _is_log(values):
        return [float(np.log10(values[0])), float(np.log10(values[-1]))]
    return [float(values[0]), float(values[-1])]


def rate_maps_figure(result, predicted: np.ndarray, measured: np.ndarray, labels: dict) -> go.Figure:
    """Theory's max|σ| beside the measured rate, on one colour scale: where they agree, theory explains it."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[labels["predicted"], labels["measured"]],
                           shared_yaxes=True, horizontal_spacing=0.06)
    for column, grid in ((1, predicted), (2, measured)):
        figure.add_trace(go.Heatmap(x=result.x.values, y=result.y.values, z=np.clip(grid, 0, 1.2).astype(np.float32),
                                    zmin=0, zmax=1.2, colorscale="RdYlGn", reversescale=True,
                                    showscale=column == 2, colorbar=dict(title=dict(text="|σ|", side="right"))),
                         row=1, col=column)
        figure.update_xaxes(type="log" if _is_log(result.x.values) else "linear",
                            title_text=labels.get("x_title", result.x.name),
                            row=1, col=column)
    figure.update_yaxes(type="log" if _is_log(result.y.values) else "linear",
                        title_text=labels.get("y_title", result.y.name), row=1, col=1)
    apply_layout(figure, labels["title"], "", "", height=420)
    return figure


def eigen_figure(errors: np.ndarray, eigenvalues: np.ndarray, labels: dict) -> go.Figure:
    """The error along each eigen-direction of the Hessian, per step (log scale)."""
    figure = go.Figure()
    steps = np.arange(len(errors))
    for index, value in enumerate(eigenvalues):
        figure.add_trace(go.Scatter(x=steps, y=np.maximum(errors[:, index], 1e-20), mode="lines",
                                    name=f"{labels['direction']} λ = {value:.3g}",
                                    line=dict(color=LANE_COLOURS[index], width=2)))
    apply_layout(figure, labels["title"], labels["step"], labels["error"], height=380)
    figure.update_yaxes(type="log", exponentformat="power")
    return figure


BASIN_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#D55E00", "#999999")


def basins_figure(panels: list[tuple[str, object]], minima: np.ndarray, labels: dict,
                  height: int = 480) -> go.Figure:
    """One panel per optimizer: every start coloured by the minimum its run ends in (grey: none, black: diverged)."""
    count = len(minima)
    colours = ["#000000", "#dddddd", *[BASIN_COLOURS[index % len(BASIN_COLOURS)] for index in range(count)]]
    scale = []
    for index, colour in enumerate(colours):  # a stepped colour scale over the values -2 .. count-1
        low, high = index / len(colours), (index + 1) / len(colours)
        scale += [[low, colour], [high, colour]]
    figure = make_subplots(rows=1, cols=len(panels), subplot_titles=[title for title, _ in panels],
                           shared_yaxes=True, horizontal_spacing=0.03)
    for column, (_, found) in enumerate(panels, start=1):
        figure.add_trace(go.Heatmap(x=found.x_values, y=found.y_values, z=found.labels.astype(np.float32),
                                    zmin=-2.5, zmax=count - 0.5, colorscale=scale, showscale=False,
                                    hovertemplate="x=%{x:.3g}<br>y=%{y:.3g}<br>%{z}<extra></extra>"),
                         row=1, col=column)
        if count:
            figure.add_trace(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", showlegend=False,
                                        name=labels["minimum"], marker=dict(symbol="star", size=12, color="white",
                                                                            line=dict(width=1, color="black"))),
                             row=1, col=column)
    # the key: which colour is which minimum (with its coordinates), no minimum, diverged
    keys = [(f"{labels['minimum']} {index + 1} ({minima[index, 0]:.3g}, {minima[index, 1]:.3g})",
             colours[index + 2]) for index in range(count)]
    keys += [(labels.get("none", "none"), colours[1]), (labels.get("diverged", "diverged"), colours[0])]
    for name, colour in keys:
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True,
                                    marker=dict(symbol="square", size=12, color=colour,
                                                line=dict(width=1, color="#555555"))), row=1, col=1)
    apply_layout(figure, labels["title"], "", "", height=height)
    for column in range(1, len(panels) + 1):
        figure.update_xaxes(title_text="x₀", row=1, col=column)
    figure.update_yaxes(title_text="y₀", row=1, col=1)
    return figure
