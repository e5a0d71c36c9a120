"""Figures of the training-tricks labs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import LANE_COLOURS, apply_layout


def layer_heatmaps_figure(grad_norm: np.ndarray, activation_std: np.ndarray, labels: dict) -> go.Figure:
    """Layer × step: log10 of each layer's weight-gradient norm, and each layer's activation spread."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[labels["grad"], labels["std"]], horizontal_spacing=0.12)
    with np.errstate(divide="ignore"):
        figure.add_trace(go.Heatmap(z=np.log10(np.maximum(grad_norm, 1e-30)).astype(np.float32), colorscale="Viridis",
                                    colorbar=dict(x=0.44, title=dict(text="log₁₀ ‖∇W‖", side="right"))), row=1, col=1)
    figure.add_trace(go.Heatmap(z=activation_std.astype(np.float32), colorscale="Magma",
                                colorbar=dict(title=dict(text="std", side="right"))), row=1, col=2)
    figure.update_xaxes(title_text=labels["step"])
    figure.update_yaxes(title_text=labels["layer"], row=1, col=1)
    apply_layout(figure, labels["title"], "", "", height=460)
    return figure


def histograms_figure(layers: list[np.ndarray], labels: dict) -> go.Figure:
    """One histogram of activations per hidden layer, each with its own x range, the spread in the title."""
    columns = min(3, len(layers))
    rows = -(-len(layers) // columns)
    titles = [f"{labels['layer']} {index + 1}: std {values.std():.3g}" for index, values in enumerate(layers)]
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.14)
    for index, values in enumerate(layers):
        sample = values[:: max(1, len(values) // 20000)].astype(np.float32)
        figure.add_trace(go.Histogram(x=sample, nbinsx=60, marker_color=LANE_COLOURS[0], showlegend=False),
                         row=index // columns + 1, col=index % columns + 1)
    apply_layout(figure, labels["title"], "", "", height=260 * rows + 60)
    return figure


def lines_figure(series: list[dict], labels: dict, log_y: bool = False) -> go.Figure:
    """Lines over a shared x: each item has label, x, y and a colour index."""
    figure = go.Figure()
    for item in series:
        figure.add_trace(go.Scatter(x=item["x"], y=item["y"], mode="lines", name=item["label"],
                                    line=dict(color=LANE_COLOURS[item["colour"] % len(LANE_COLOURS)], width=2)))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=380)
    if log_y:
        figure.update_yaxes(type="log", exponentformat="power")
    return figure
