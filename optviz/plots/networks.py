"""Figures of the networks page: the data before training, training curves, decision boundaries, per-layer
gradient norms."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from .style import apply_layout

PART_SYMBOLS = {"train": "circle", "val": "diamond", "test": "x"}
DATA_COLOURS = "RdBu"  # class 0 red, class 1 blue; a regression's targets from red to blue
PART_KEY_COLOUR = "#8a8a8a"  # the legend's shape of a part: grey, so that it names no class


def _log_axis(series: list[dict]) -> dict:
    """A log axis for the losses of `series`, labelled so that it can be read: below a decade at every digit,
    written out (0.3, 0.4, 0.5); up to three decades at 1, 2 and 5 of each (0.05, 0.1, 0.2, 0.5); beyond, at powers
    of ten. (Plotly's own choice was a single tick, 10⁻¹, for losses from 0.03 to 0.7, or bare digits 2 and 5.)"""
    values = np.concatenate([np.asarray(item[f"{part}_loss"], dtype=float) for item in series
                             for part in ("train", "val")] or [np.ones(1)])
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values) or values.max() / values.min() < 10:
        return dict(type="log", exponentformat="power", dtick="D1", tickformat=".2~g")
    from .labs import log_ticks  # 1, 2 and 5 of each decade up to three decades, powers of ten beyond

    return dict(type="log", **log_ticks(values.min(), values.max()))


def data_figure(preview: dict, labels: dict, height: int = 480) -> go.Figure:
    """The 2D data set before training: points coloured by class (or by target), one marker per part
    (train, validation, test) so the split is visible. The legend keeps the two apart, as the title says (colour:
    class; shape: part): each part is a grey shape, each class (not for a regression, whose colour bar says it) a
    coloured dot. `labels["class"]` names a class ("class {label}"), else its number alone."""
    figure = go.Figure()
    points, targets, parts = preview["points"], preview["targets"], preview["parts"]
    regression = preview["regression"]
    for part, symbol in PART_SYMBOLS.items():
        chosen = parts == part
        if not chosen.any():
            continue
        figure.add_trace(go.Scatter(
            x=points[chosen, 0], y=points[chosen, 1], mode="markers", name=labels[part], showlegend=False,
            legendgroup=part, marker=dict(size=7, symbol=symbol, color=targets[chosen], colorscale=DATA_COLOURS,
                                          cmin=None if regression else 0, cmax=None if regression else 1,
                                          line=dict(width=0.8, color="white" if symbol != "x" else "#333"),
                                          showscale=regression and part == "train")))
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=labels[part], legendgroup=part,
                                    hoverinfo="skip", marker=dict(size=8, symbol=symbol, color=PART_KEY_COLOUR,
                                                                  line=dict(width=0.8, color=PART_KEY_COLOUR))))
    if not regression:
        for value, colour in zip((0, 1), sample_colorscale(DATA_COLOURS, [0.0, 1.0]), strict=True):
            if (targets == value).any():
                figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                            name=labels.get("class", "{label}").format(label=value),
                                            marker=dict(size=9, symbol="circle", color=colour)))
    apply_layout(figure, labels["title"], "x₁", "x₂", height=height)
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return figure


def digits_figure(images, digit_labels, labels: dict, height: int = 480) -> go.Figure:
    """The first training images of the digits, 8 to a row, each titled with its label."""
    columns = 8
    rows = -(-len(images) // columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[str(int(label)) for label in digit_labels],
                           horizontal_spacing=0.01, vertical_spacing=0.08)
    for index, image in enumerate(images):
        figure.add_trace(go.Heatmap(z=image[::-1], colorscale="Greys", showscale=False, hoverinfo="skip"),
                         row=index // columns + 1, col=index % columns + 1)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    apply_layout(figure, labels["title"], "", "", height=height)
    return figure


def curves_side_by_side(series: list[dict], labels: dict, height: int | None = None) -> go.Figure:
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
    figure.update_yaxes(**_log_axis(series))
    figure.update_xaxes(title_text=labels["epoch"], row=rows)
    figure.update_yaxes(title_text=labels["loss"], col=1)
    apply_layout(figure, labels["title"], "", "", height=height or 300 * rows + 80)
    return figure


def curves_figure(series: list[dict], labels: dict, regression: bool, height: int = 420) -> go.Figure:
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
    figure.update_yaxes(**_log_axis(series), row=1, col=1)
    figure.update_xaxes(title_text=labels["epoch"])
    apply_layout(figure, labels["title"], "", "", height=height)
    return figure


def boundaries_figure(panels: list[dict], labels: dict, height: int | None = None) -> go.Figure:
    """One panel per lane: the network's class-1 probability (or output) over the plane, the data on top."""
    columns = min(3, max(1, len(panels)))
    rows = -(-len(panels) // columns) if panels else 1
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[panel["label"] for panel in panels] or [""],
                           horizontal_spacing=0.04, vertical_spacing=0.1)
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
        # a circle stays a circle: one unit is as long on both axes of every panel
        figure.update_yaxes(scaleanchor="x" if index == 0 else f"x{index + 1}", scaleratio=1, row=row, col=column)
    figure.update_xaxes(constrain="domain")
    apply_layout(figure, labels["title"], "", "", height=height or 340 * rows + 60)
    return figure


def grad_norms_figure(norms: np.ndarray, labels: dict) -> go.Figure:
    """Mean gradient norm of each weight layer per epoch (log colour): vanishing or exploding at a glance.

    `norms` (epochs, layers) starts at epoch 1: epoch 0 is before training and has no gradient steps."""
    with np.errstate(divide="ignore"):
        display = np.log10(np.maximum(norms.T, 1e-12)).astype(np.float32)
    figure = go.Figure(go.Heatmap(z=display, x=np.arange(1, norms.shape[0] + 1), y=[f"{labels['layer']} {i + 1}"
                                                                             for i in range(norms.shape[1])],
                                  colorscale="Viridis", colorbar=dict(title=dict(text="log₁₀ ‖∇W‖", side="right"))))
    apply_layout(figure, labels["title"], labels["epoch"], "", height=300)
    return figure
