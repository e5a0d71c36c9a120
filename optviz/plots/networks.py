"""Figures of the networks page: training curves, decision boundaries, per-layer gradient norms."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import apply_layout


def curves_side_by_side(series: list[dict], labels: dict) -> go.Figure:
    """One small panel per lane on shared axes: its training (solid) and validation (dashed) loss."""
    columns = min(3, max(1, len(series)))
    rows = -(-len(series) // columns) if series else 1
    figure = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                           subplot_titles=[item["label"] for item in series] or [""], horizontal_spacing=0.04)
    for index, item in enumerate(series):
        row, column = index // columns + 1, index % columns + 1
        epochs = np.arange(len(item["train_loss"]))
        for part, dash in (("train", "solid"), ("val", "dash")):
            figure.add_trace(go.Scatter(x=epochs, y=item[f"{part}_loss"], mode="lines", name=labels[part],
                                        legendgroup=part, showlegend=index == 0,
                                        line=dict(color=item["colour"], dash=dash)), row=row, col=column)
    figure.update_yaxes(type="log", exponentformat="power")
    apply_layout(figure, labels["title"], "", "", height=300 * rows + 80)
    return figure


def curves_figure(series: list[dict], labels: dict, regression: bool) -> go.Figure:
    """Loss (log) and accuracy per epoch; solid lines train, dashed lines validation, one colour per lane."""
    columns = 1 if regression else 2
    figure = make_subplots(rows=1, cols=columns, horizontal_spacing=0.08,
                           subplot_titles=[labels["loss"]] + ([] if regression else [labels["accuracy"]]))
    for item in series:
        epochs = np.arange(len(item["train_loss"]))
        for part, dash in (("train", "solid"), ("val", "dash")):
            name = f"{item['label']} · {labels[part]}"
            figure.add_trace(go.Scatter(x=epochs, y=item[f"{part}_loss"], mode="lines", name=name,
                                        legendgroup=item["label"], line=dict(color=item["colour"], dash=dash)),
                             row=1, col=1)
            if not regression:
                figure.add_trace(go.Scatter(x=epochs, y=item[f"{part}_acc"], mode="lines", name=name,
                                            legendgroup=item["label"], showlegend=False,
                                            line=dict(color=item["colour"], dash=dash)), row=1, col=2)
    figure.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    figure.update_xaxes(title_text=labels["epoch"])
    apply_layout(figure, labels["title"], "", "", height=420)
    return figure


def boundaries_figure(panels: list[dict], labels: dict) -> go.Figure:
    """One panel per lane: the network's class-1 probability (or output) over the plane, the data on top."""
    columns = min(3, max(1, len(panels)))
    rows = -(-len(panels) // columns) if panels else 1
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[panel["label"] for panel in panels] or [""],
                           shared_xaxes=True, shared_yaxes=True, horizontal_spacing=0.03, vertical_spacing=0.1)
    for index, panel in enumerate(panels):
        row, column = index // columns + 1, index % columns + 1
        figure.add_trace(go.Heatmap(x=panel["x"], y=panel["y"], z=panel["values"], colorscale="RdBu", zmin=0,
                                    zmax=1 if not panel["regression"] else None, showscale=index == 0,
                                    hoverinfo="skip", colorbar=dict(title=dict(text=labels["colorbar"], side="right"),
                                                                    thickness=12)), row=row, col=column)
        points, targets = panel["points"], panel["targets"]
        figure.add_trace(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False,
                                    marker=dict(size=6, color=targets, colorscale="RdBu", cmin=0, cmax=1,
                                                line=dict(width=0.8, color="white"))),
                         row=row, col=column)
    apply_layout(figure, labels["title"], "", "", height=340 * rows + 60)
    return figure


def grad_norms_figure(norms: np.ndarray, labels: dict) -> go.Figure:
    """Mean gradient norm of each weight layer per epoch (log colour): vanishing or exploding at a glance."""
    with np.errstate(divide="ignore"):
        display = np.log10(np.maximum(norms.T, 1e-12)).astype(np.float32)
    figure = go.Figure(go.Heatmap(z=display, x=np.arange(norms.shape[0]), y=[f"{labels['layer']} {i + 1}"
                                                                             for i in range(norms.shape[1])],
                                  colorscale="Viridis", colorbar=dict(title=dict(text="log₁₀ ‖∇W‖", side="right"))))
    apply_layout(figure, labels["title"], labels["epoch"], "", height=300)
    return figure
