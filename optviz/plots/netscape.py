"""Figures of the network-landscape page: the line from start to end, a random 2D slice, the paths on their PCA
plane, and sharpness."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import apply_layout

LOSS_SCALE = "Viridis"


def _log_loss(values: np.ndarray) -> np.ndarray:
    """log10 of a loss grid (float32), NaN where the loss is not finite or not positive."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.log10(np.where(values > 0, values, np.nan))
    return np.where(np.isfinite(logged), logged, np.nan).astype(np.float32)


def interpolation_figure(series: list[dict], labels: dict, height: int = 420) -> go.Figure:
    """Training (solid) and validation (dashed) loss along θ(α) = (1 − α)θ₀ + αθ*, one colour per optimizer."""
    figure = go.Figure()
    for item in series:
        for part, dash in (("train", "solid"), ("val", "dash")):
            if item.get(part) is None:
                continue
            figure.add_trace(go.Scatter(x=item["alphas"], y=item[part], mode="lines", name=f"{item['label']} · "
                                        f"{labels[part]}", legendgroup=item["label"],
                                        line=dict(color=item["colour"], dash=dash)))
    for alpha, text in ((0, labels["start"]), (1, labels["end"])):
        figure.add_vline(x=alpha, line=dict(color="#999", dash="dot"), annotation_text=text,
                         annotation_position="top")
    # ticks at 1, 2, 5 of each decade, each labelled with its magnitude (0.5, 0.2, 0.1), never a bare "5"
    figure.update_yaxes(type="log", exponentformat="power", dtick="D2", tickformat=".2~g")
    return apply_layout(figure, labels["title"], "α", labels["loss"], height=height)


def slice_figure(a: np.ndarray, b: np.ndarray, losses: np.ndarray, labels: dict, three_d: bool,
                 height: int = 560) -> go.Figure:
    """log10 of the loss over a 2D slice around the trained point (at the origin): contour or 3D surface."""
    z = _log_loss(losses)
    colorbar = dict(title=labels["colorbar"])
    if three_d:
        figure = go.Figure(go.Surface(x=a, y=b, z=z, colorscale=LOSS_SCALE, colorbar=colorbar))
        figure.update_layout(scene=dict(xaxis_title="α", yaxis_title="β", zaxis_title=labels["colorbar"]))
        return apply_layout(figure, labels["title"], "", "", height=height)
    figure = go.Figure(go.Contour(x=a, y=b, z=z, colorscale=LOSS_SCALE, ncontours=30, colorbar=colorbar,
                                  contours=dict(showlines=True), line=dict(width=0.5)))
    figure.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name=labels["center"],
                                marker=dict(symbol="star", size=14, color="white", line=dict(color="black", width=1))))
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return apply_layout(figure, labels["title"], "α", "β", height=height)


def pca_figure(a: np.ndarray, b: np.ndarray, losses: np.ndarray, paths: list[dict], labels: dict,
               height: int = 600) -> go.Figure:
    """The loss (log10) on the PCA plane of the paths, with every optimizer's path projected on it."""
    figure = go.Figure(go.Contour(x=a, y=b, z=_log_loss(losses), colorscale=LOSS_SCALE, ncontours=30,
                                  colorbar=dict(title=labels["colorbar"]), line=dict(width=0.5), opacity=0.85))
    for item in paths:
        coordinates = item["coordinates"]
        figure.add_trace(go.Scatter(x=coordinates[:, 0], y=coordinates[:, 1], mode="lines+markers",
                                    name=item["label"], line=dict(color=item["colour"], width=3),
                                    marker=dict(size=5, color=item["colour"], line=dict(color="white", width=0.5)),
                                    customdata=item["epochs"],
                                    hovertemplate=f"{item['label']}<br>{labels['epoch']} %{{customdata}}"
                                                  "<extra></extra>"))
        figure.add_trace(go.Scatter(x=coordinates[-1:, 0], y=coordinates[-1:, 1], mode="markers", showlegend=False,
                                    hoverinfo="skip", marker=dict(symbol="x", size=12, color=item["colour"],
                                                                  line=dict(color="white", width=1))))
    figure.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name=labels["start"],
                                marker=dict(symbol="circle", size=14, color="white",
                                            line=dict(color="black", width=2))))
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)


def sharpness_figure(rows: list[dict], labels: dict, height: int = 380) -> go.Figure:
    """λ_max of the Hessian at each optimizer's end point, one bar per optimizer in its colour."""
    figure = go.Figure(go.Bar(x=[row["label"] for row in rows], y=[row["value"] for row in rows],
                              marker_color=[row["colour"] for row in rows], name=labels["value"],
                              text=[f"{row['value']:.3g}" for row in rows], textposition="outside"))
    figure.update_yaxes(rangemode="tozero")
    return apply_layout(figure, labels["title"], labels["x"], labels["value"], height=height)


def batch_figure(rows: list[dict], labels: dict, colour: str, height: int = 400) -> go.Figure:
    """λ_max (left) and test accuracy (right) against the batch size, for one optimizer."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    names = [row["batch"] for row in rows]
    figure.add_trace(go.Scatter(x=names, y=[row["value"] for row in rows], mode="lines+markers",
                                name=labels["value"], line=dict(color=colour, width=3), marker=dict(size=10)))
    figure.add_trace(go.Scatter(x=names, y=[row["accuracy"] for row in rows], mode="lines+markers",
                                name=labels["accuracy"], line=dict(color="#333", dash="dash"),
                                marker=dict(symbol="diamond", size=9)), secondary_y=True)
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=labels["value"], rangemode="tozero", secondary_y=False)
    figure.update_yaxes(title_text=labels["accuracy"], tickformat=".0%", range=[0, 1.05], dtick=0.2,
                        showgrid=False, secondary_y=True)
    return apply_layout(figure, labels["title"], labels["x"], "", height=height)
