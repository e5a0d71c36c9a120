"""The fair race's charts: how sensitive each lane is to its learning rate (the criterion against the rate, log-log,
one line per lane in its colour), and the (learning rate, β) map of a jointly tuned lane."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .labs import log_ticks
from .style import apply_layout

FLOOR_BELOW = 10.0  # a criterion of exactly 0 (f* reached to rounding) is drawn a decade under the lowest positive


def _shown(score: np.ndarray, floor: float) -> np.ndarray:
    """Scores a log axis can draw: +inf (diverged, never) left out, exact zeros put on the floor."""
    shown = np.where(np.isfinite(score), score, np.nan)
    return np.where(shown <= 0, floor, shown)


def _floor(curves: list[dict]) -> tuple[float, float]:
    values = np.concatenate([np.asarray(curve["score"], dtype=np.float64).ravel() for curve in curves] or [[1.0]])
    positive = values[np.isfinite(values) & (values > 0)]
    if not positive.size:
        return 1.0, 10.0
    return float(positive.min()) / FLOOR_BELOW, float(positive.max())


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in `mask`."""
    runs, begin = [], None
    for index, value in enumerate(mask):
        if value and begin is None:
            begin = index
        if not value and begin is not None:
            runs.append((begin, index - 1))
            begin = None
    if begin is not None:
        runs.append((begin, len(mask) - 1))
    return runs


def sensitivity_figure(curves: list[dict], labels: dict, height: int = 520) -> go.Figure:
    """Criterion against learning rate for every lane; the chosen point (a star), the lane's own rate (a ring), the
    range within 2× of the best (a thick band under the line) and, in a strip below, where each lane diverged.

    `curves`: [{"label", "colour", "lr", "score", "diverged", "best": (lr, score), "robust": (low, high),
    "current": (lr, score) or None}]. `labels`: title, x, y, best, current, robust, diverged, zero (the hover
    word for a score of exactly 0), count (the strip's lane names)."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.86, 0.14], vertical_spacing=0.03)
    floor, top = _floor(curves)
    for number, curve in enumerate(curves):
        lr, score = np.asarray(curve["lr"]), np.asarray(curve["score"], dtype=np.float64)
        colour, name = curve["colour"], curve["label"]
        shown = _shown(score, floor)
        hover = [labels["zero"] if value == 0 else f"{value:.3g}" for value in score]
        figure.add_trace(go.Scatter(x=lr, y=shown, mode="lines", name=name, legendgroup=name,
                                    line=dict(color=colour, width=2), customdata=hover,
                                    hovertemplate=f"{name}<br>η = %{{x:.3g}}<br>{labels['y']}: %{{customdata}}"
                                                  "<extra></extra>"), row=1, col=1)
        low, high = curve["robust"]
        best_lr, best_score = curve["best"]
        if np.isfinite(best_score):
            band = (lr >= low * (1 - 1e-12)) & (lr <= high * (1 + 1e-12))
            figure.add_trace(go.Scatter(x=lr[band], y=shown[band], mode="lines", legendgroup=name, showlegend=False,
                                        line=dict(color=colour, width=10), opacity=0.25, hoverinfo="skip"),
                             row=1, col=1)
            figure.add_trace(go.Scatter(
                x=[best_lr], y=[max(best_score, floor) if best_score > 0 else floor], mode="markers",
                legendgroup=name, showlegend=False,
                marker=dict(symbol="star", size=15, color=colour, line=dict(color="white", width=1)),
                hovertemplate=f"{name} — {labels['best']}<br>η = %{{x:.3g}}<extra></extra>"), row=1, col=1)
        current = curve.get("current")
        if current is not None and np.isfinite(current[1]):
            figure.add_trace(go.Scatter(
                x=[current[0]], y=[current[1] if current[1] > 0 else floor], mode="markers", legendgroup=name,
                showlegend=False, marker=dict(symbol="circle-open", size=12, color=colour, line=dict(width=2.5)),
                hovertemplate=f"{name} — {labels['current']}<br>η = %{{x:.3g}}<br>{labels['y']}: "
                              f"{current[1]:.3g}<extra></extra>"), row=1, col=1)
        # the strip: one row per lane, a bar where it diverged
        for first, last in _runs(np.asarray(curve["diverged"], dtype=bool)):
            figure.add_trace(go.Scatter(x=[lr[first], lr[last]], y=[number, number], mode="lines",
                                        legendgroup=name, showlegend=False, line=dict(color=colour, width=7),
                                        hovertemplate=f"{name} — {labels['diverged']}: η ≥ {lr[first]:.3g}"
                                                      "<extra></extra>"), row=2, col=1)
    apply_layout(figure, labels["title"], "", labels["y"], height=height)
    lrs = np.concatenate([np.asarray(curve["lr"]) for curve in curves]) if curves else np.array([1e-5, 10.0])
    figure.update_xaxes(type="log", **log_ticks(float(lrs.min()), float(lrs.max())), row=1, col=1)
    figure.update_xaxes(type="log", title_text=labels["x"], **log_ticks(float(lrs.min()), float(lrs.max())),
                        row=2, col=1)
    figure.update_yaxes(type="log", **log_ticks(floor, top), row=1, col=1)
    figure.update_yaxes(range=[-0.7, max(len(curves), 1) - 0.3], tickvals=[], showgrid=False, zeroline=False,
                        title_text=labels["diverged"], title_font=dict(size=11), row=2, col=1)
    figure.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                         margin=dict(l=60, r=20, t=60, b=40), hovermode="closest")
    return figure


def joint_figure(tuning, labels: dict, colour: str, height: int = 420) -> go.Figure:
    """The criterion over (learning rate, β) of a jointly tuned lane, log colour, diverged cells blank, the chosen
    point starred. `labels`: title, x, y (β's name), colour (the criterion)."""
    score = np.asarray(tuning.score, dtype=np.float64)
    floor, _ = _floor([{"score": score}])
    shown = np.log10(_shown(score, floor))
    figure = go.Figure(go.Heatmap(
        x=tuning.lr, y=tuning.second, z=shown, colorscale="Viridis", reversescale=True,
        colorbar=dict(title=dict(text=labels["colour"], side="right"), tickprefix="10^"),
        hovertemplate=f"η = %{{x:.3g}}<br>{labels['y']} = %{{y:.3g}}<br>log₁₀: %{{z:.2f}}<extra></extra>"))
    figure.add_trace(go.Scatter(x=[tuning.best_lr], y=[tuning.best_second], mode="markers", showlegend=False,
                                marker=dict(symbol="star", size=16, color=colour, line=dict(color="white", width=1.5)),
                                hoverinfo="skip"))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_xaxes(type="log", **log_ticks(float(tuning.lr.min()), float(tuning.lr.max())))
    return figure
