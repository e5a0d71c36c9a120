"""Figures of the training-tricks labs."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import LANE_COLOURS, apply_layout, lane_colour

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def log_ticks(low: float, high: float) -> dict:
    """Tick values and labels for a log axis from `low` to `high` (> 0), every label a whole number.

    Plotly labels the minor ticks of a short log axis with bare digits ("8 7 6 5 4 3 2"), which read as values. Here
    a span of up to three decades is labelled at 1, 2 and 5 of each decade written out (0.02, 0.05, 0.1); a longer
    one at powers of ten only (10⁻³), every second or fifth power when there are many."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 or high <= 0:
        return {}
    low, high = min(low, high), max(low, high)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if last - first <= 3:
        values = [mantissa * 10.0 ** power for power in range(first, last + 1) for mantissa in (1, 2, 5)]
        values = [value for value in values if low / 1.001 <= value <= high * 1.001]
        return {"tickvals": values, "ticktext": [f"{value:g}" for value in values]}
    stride = 1 if last - first <= 8 else 2 if last - first <= 16 else 5
    powers = [power for power in range(first, last + 1) if power % stride == 0]
    return {"tickvals": [10.0 ** power for power in powers],
            "ticktext": ["1" if power == 0 else "10" if power == 1 else f"10{str(power).translate(SUPERSCRIPTS)}"
                         for power in powers]}


def positive_range(arrays) -> tuple[float, float]:
    """The smallest and largest positive finite value over `arrays` (1, 10 when there is none)."""
    values = np.concatenate([np.asarray(array, dtype=np.float64).ravel() for array in arrays] or [np.ones(0)])
    values = values[np.isfinite(values) & (values > 0)]
    return (float(values.min()), float(values.max())) if values.size else (1.0, 10.0)


def set_log_y(figure: go.Figure, low: float, high: float, **where) -> None:
    """A log y axis labelled by log_ticks (no bare minor digits), over `low`..`high`."""
    figure.update_yaxes(type="log", **log_ticks(low, high), **where)


def layer_heatmaps_figure(grad_norm: np.ndarray, activation_std: np.ndarray, labels: dict,
                          height: int = 460) -> go.Figure:
    """Layer × step: log10 of each layer's weight-gradient norm, and each layer's activation spread.

    Steps count from 1 (the first update) and layers from 1 (the first hidden layer; the gradient panel's last row
    is the output layer)."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[labels["grad"], labels["std"]], horizontal_spacing=0.1)
    # each colour bar lies under its own panel: a bar between the panels covered the second one's axis labels
    steps = np.arange(1, grad_norm.shape[1] + 1)
    with np.errstate(divide="ignore"):
        figure.add_trace(go.Heatmap(x=steps, y=np.arange(1, grad_norm.shape[0] + 1),
                                    z=np.log10(np.maximum(grad_norm, 1e-30)).astype(np.float32), colorscale="Viridis",
                                    colorbar=dict(orientation="h", x=0.225, xanchor="center", y=-0.34, len=0.45,
                                                  thickness=10, title=dict(text="log₁₀ ‖∇W‖", side="top"))),
                         row=1, col=1)
    figure.add_trace(go.Heatmap(x=steps, y=np.arange(1, activation_std.shape[0] + 1),
                                z=activation_std.astype(np.float32), colorscale="Magma",
                                colorbar=dict(orientation="h", x=0.775, xanchor="center", y=-0.34, len=0.45,
                                              thickness=10, title=dict(text="σ", side="top"))), row=1, col=2)
    apply_layout(figure, labels["title"], "", "", height=height)  # first: it would blank the axis titles below
    figure.update_xaxes(title_text=labels["step"])
    figure.update_yaxes(title_text=labels["layer"])
    figure.update_layout(margin=dict(l=60, r=20, t=60, b=130))
    return figure


def histograms_figure(layers: list[np.ndarray], labels: dict, height: int | None = None) -> go.Figure:
    """One histogram of activations per hidden layer, each with its own x range, the spread in the title."""
    columns = min(3, len(layers))
    rows = -(-len(layers) // columns)
    titles = [f"{labels['layer']} {index + 1}: σ = {values.std():.3g}" for index, values in enumerate(layers)]
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles, vertical_spacing=0.5 / max(rows, 1) ** 1.2
                           if rows > 1 else 0.1)
    for index, values in enumerate(layers):
        sample = values[:: max(1, len(values) // 20000)].astype(np.float32)
        figure.add_trace(go.Histogram(x=sample, nbinsx=60, marker_color=LANE_COLOURS[0], showlegend=False),
                         row=index // columns + 1, col=index % columns + 1)
    apply_layout(figure, labels["title"], "", "", height=height or 260 * rows + 60)
    figure.update_layout(margin=dict(l=40, r=20, t=60, b=30))
    figure.update_annotations(font_size=12)
    return figure


def colour_of(item: dict) -> str:
    """A series' colour: a colour string as given, or a lane index into the lane palette."""
    colour = item["colour"]
    return colour if isinstance(colour, str) else lane_colour(int(colour))


def lines_figure(series: list[dict], labels: dict, log_y: bool = False, height: int = 380,
                 showlegend: bool = True) -> go.Figure:
    """Lines over a shared x: each item has label, x, y and a colour (an index into the lane palette, or a colour).
    The legend sits under the chart; `showlegend=False` leaves it to a neighbouring chart with the same colours."""
    figure = go.Figure()
    for item in series:
        figure.add_trace(go.Scatter(x=item["x"], y=item["y"], mode="lines", name=item["label"],
                                    line=dict(color=colour_of(item), width=2)))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_layout(showlegend=showlegend, margin=dict(l=60, r=20, t=50, b=40))
    if log_y:
        set_log_y(figure, *positive_range([item["y"] for item in series]))
    return figure


def regularization_figure(series: list[dict], labels: dict, height: int = 520) -> go.Figure:
    """One small panel per remedy on shared axes: its training (solid) and validation (dashed) loss per epoch, on a
    log axis whose labels are whole numbers."""
    columns = min(3, max(1, len(series)))
    rows = -(-len(series) // columns) if series else 1
    figure = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                           subplot_titles=[item["label"] for item in series] or [""], horizontal_spacing=0.03,
                           vertical_spacing=0.12)
    for index, item in enumerate(series):
        row, column = index // columns + 1, index % columns + 1
        epochs = np.arange(len(item["train_loss"]))  # epoch 0 is before training
        for part, dash in (("train", "solid"), ("val", "dash")):
            figure.add_trace(go.Scatter(x=epochs, y=item[f"{part}_loss"], mode="lines", name=labels[part],
                                        legendgroup=part, showlegend=index == 0,
                                        line=dict(color=colour_of(item), dash=dash)), row=row, col=column)
    low, high = positive_range([item[f"{part}_loss"] for item in series for part in ("train", "val")])
    set_log_y(figure, low, high)
    figure.update_xaxes(title_text=labels["epoch"], row=rows)
    apply_layout(figure, labels["title"], "", "", height=height)
    figure.update_layout(margin=dict(l=50, r=10, t=80, b=40),
                         legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="right", x=1))
    figure.update_annotations(font_size=12)
    return figure


def accuracy_length_figure(series: list[dict], labels: dict, height: int = 380) -> go.Figure:
    """Test accuracy against sequence length (a log axis labelled at the lengths), one line with markers per network,
    chance (50 %) dotted."""
    figure = go.Figure()
    lengths = sorted({int(length) for item in series for length in item["x"]})
    for item in series:
        figure.add_trace(go.Scatter(x=item["x"], y=item["y"], mode="lines+markers", name=item["label"],
                                    line=dict(color=colour_of(item), width=2.4), marker=dict(size=8)))
    figure.add_hline(y=0.5, line=dict(color="#999999", dash="dot", width=1))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_xaxes(type="log" if len(lengths) > 1 else "linear", tickvals=lengths,
                        ticktext=[str(length) for length in lengths])
    figure.update_yaxes(range=[0.3, 1.03], tickformat=".0%")
    figure.update_layout(margin=dict(l=60, r=20, t=50, b=80),
                         legend=dict(orientation="h", yanchor="top", y=-0.26, xanchor="left", x=0))
    return figure


WEIGHT_FLOOR = 1e-4  # the attention heatmaps' colour scale: log10 of the weight from 10⁻⁴ to 1


def attention_heatmap(weights: np.ndarray, labels: dict, height: int = 380, marked: int | None = None,
                      row_labels: list[str] | None = None) -> go.Figure:
    """Attention weights, rows (epochs or sequences) × positions counted from 1, coloured by log₁₀ of the weight
    from 10⁻⁴ to 1 (a weight spread evenly over 100 positions, 0.01, stays visible beside one of 1); the weights
    themselves ride along as customdata for the hover. An epoch row `marked` is outlined."""
    rows, positions = weights.shape
    y = row_labels if row_labels is not None else np.arange(rows)
    powers = np.arange(int(np.log10(WEIGHT_FLOOR)), 1)
    figure = go.Figure(go.Heatmap(
        x=np.arange(1, positions + 1), y=y, z=np.log10(np.maximum(weights, WEIGHT_FLOOR)).astype(np.float32),
        customdata=weights.astype(np.float32), zmin=float(powers[0]), zmax=0.0, colorscale="Blues",
        colorbar=dict(title=dict(text=labels["colour"], side="right"), thickness=10, tickvals=powers.tolist(),
                      ticktext=[f"{10.0**power:g}" for power in powers]),
        hovertemplate=labels["x"] + " %{x}<br>%{y}<br>aₜ = %{customdata:.4f}<extra></extra>"))
    if marked is not None and row_labels is None:
        figure.add_shape(type="rect", x0=0.5, x1=positions + 0.5, y0=marked - 0.5, y1=marked + 0.5,
                         line=dict(color="#C24E00", width=2))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_layout(margin=dict(l=60 if row_labels is None else 90, r=20, t=40, b=40))
    if row_labels is not None:
        figure.update_yaxes(autorange="reversed", type="category", tickfont=dict(size=10))
    return figure
