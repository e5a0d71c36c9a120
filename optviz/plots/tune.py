"""The fair race's charts: how sensitive each lane is to its learning rate (the criterion against the rate, log-log,
one line per lane in its colour), and the (learning rate, β) map of a jointly tuned lane."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .labs import log_ticks
from .style import apply_layout

FLOOR_BELOW = 10.0  # a criterion of exactly 0 (f* reached to rounding) is drawn a decade under the lowest positive
KEY_COLOUR = "#555555"  # the legend's keys to the marks (star, ring, band), in no lane's colour
NEVER_LEVEL = 1.06  # steps to tolerance: "never" is drawn this far above the budget


def _shown(score: np.ndarray, floor: float, limit: float = math.inf) -> np.ndarray:
    """Scores a chart can draw: +inf (diverged) and anything above `limit` (steps to tolerance: never) left out,
    exact zeros put on the floor of a log axis."""
    shown = np.where(np.isfinite(score) & (score <= limit), score, np.nan)
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


def _keys(figure: go.Figure, labels: dict) -> None:
    """Legend entries that say what the marks are (grey: they belong to every lane)."""
    for name, marker, line in (
            (labels["best"], dict(symbol="star", size=13, color=KEY_COLOUR), None),
            (labels["current"], dict(symbol="circle-open", size=11, color=KEY_COLOUR, line=dict(width=2)), None),
            (labels["robust"], None, dict(color=KEY_COLOUR, width=9))):
        # meta, not a legend group: a horizontal legend stacks a group's entries in a column
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers" if marker else "lines", name=name,
                                    marker=marker, line=line, opacity=0.45 if line else 1, hoverinfo="skip",
                                    meta="key"), row=1, col=1)


def sensitivity_figure(curves: list[dict], labels: dict, height: int = 520, steps: int | None = None,
                       cap: float | None = None) -> go.Figure:
    """Criterion against learning rate for every lane; the tuned point (a star), the lane's own rate (a ring; on
    the strip when it diverges), the range within 2× of the best (a thick band under the line) and, in a strip
    below, where each lane diverged.

    `curves`: [{"label", "colour", "lr", "score", "diverged", "best": (lr, score), "found", "robust": (low, high),
    "current": (lr, score) or None, "dash": bool (a curve that repeats an earlier lane's)}]. `labels`: title, x,
    y, best, current, robust, diverged, zero (the hover word for a score of exactly 0), never. `steps`: the
    criterion is steps to tolerance (a linear axis up to `steps`; more means never). `cap`: the log axis stops
    there (a lane whose loss grew a million-fold would squash every other curve)."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.86, 0.14], vertical_spacing=0.03)
    limit = math.inf if steps is None else steps
    floor, top = _floor(curves) if steps is None else (0.0, float(steps))
    for number, curve in enumerate(curves):
        lr, score = np.asarray(curve["lr"]), np.asarray(curve["score"], dtype=np.float64)
        colour, name = curve["colour"], curve["label"]
        shown = _shown(score, floor, limit)
        hover = [labels["zero"] if value == 0 else labels["never"] if limit < value < math.inf else f"{value:.3g}"
                 for value in score]
        # steps to tolerance: a rate that gets there between rates that never do is a lone point, drawn as a dot
        figure.add_trace(go.Scatter(x=lr, y=shown, mode="lines" if steps is None else "lines+markers", name=name,
                                    legendgroup=name, marker=dict(size=5, color=colour),
                                    line=dict(color=colour, width=2, dash="dash" if curve.get("dash") else None),
                                    customdata=hover,
                                    hovertemplate=f"{name}<br>η = %{{x:.3g}}<br>{labels['y']}: %{{customdata}}"
                                                  "<extra></extra>"), row=1, col=1)
        finite = np.isfinite(shown)
        lone = finite & ~np.r_[False, finite[:-1]] & ~np.r_[finite[1:], False]  # no neighbour to draw a line to
        if lone.any():
            figure.add_trace(go.Scatter(x=lr[lone], y=shown[lone], mode="markers", legendgroup=name,
                                        showlegend=False, marker=dict(size=6, color=colour), customdata=np.asarray(
                                            hover, dtype=object)[lone],
                                        hovertemplate=f"{name}<br>η = %{{x:.3g}}<br>{labels['y']}: %{{customdata}}"
                                                      "<extra></extra>"), row=1, col=1)
        low, high = curve["robust"]
        best_lr, best_score = curve["best"]
        if curve.get("found", True) and math.isfinite(best_score):
            if math.isfinite(low):
                band = (lr >= low * (1 - 1e-12)) & (lr <= high * (1 + 1e-12))
                figure.add_trace(go.Scatter(x=lr[band], y=shown[band], mode="lines+markers", legendgroup=name,
                                            showlegend=False, line=dict(color=colour, width=10),
                                            marker=dict(size=10, color=colour), opacity=0.25, hoverinfo="skip"),
                                 row=1, col=1)
            figure.add_trace(go.Scatter(
                x=[best_lr], y=[best_score if best_score > 0 else floor], mode="markers",
                legendgroup=name, showlegend=False,
                marker=dict(symbol="star", size=15, color=colour, line=dict(color="white", width=1)),
                hovertemplate=f"{name} — {labels['best']}<br>η = %{{x:.3g}}<extra></extra>"), row=1, col=1)
        current = curve.get("current")
        if current is not None:
            ring = dict(symbol="circle-open", size=12, color=colour, line=dict(width=2.5))
            if np.isfinite(current[1]) and current[1] <= limit:
                figure.add_trace(go.Scatter(
                    x=[current[0]], y=[current[1] if current[1] > 0 else floor], mode="markers", legendgroup=name,
                    showlegend=False, marker=ring,
                    hovertemplate=f"{name} — {labels['current']}<br>η = %{{x:.3g}}<br>{labels['y']}: "
                                  f"{current[1]:.3g}<extra></extra>"), row=1, col=1)
            elif not np.isfinite(current[1]):  # the lane's own setting diverges: its ring sits on the strip
                figure.add_trace(go.Scatter(
                    x=[current[0]], y=[number], mode="markers", legendgroup=name, showlegend=False, marker=ring,
                    hovertemplate=f"{name} — {labels['current']}: {labels['diverged']}<extra></extra>"),
                    row=2, col=1)
            else:  # steps to tolerance, never got there: on the "never" line above the budget
                figure.add_trace(go.Scatter(  # one ring size per lane: rings at one rate nest, not hide
                    x=[current[0]], y=[steps * NEVER_LEVEL], mode="markers", legendgroup=name, showlegend=False,
                    marker={**ring, "size": 12 + 6 * number},
                    hovertemplate=f"{name} — {labels['current']}: {labels['never']}<extra></extra>"),
                    row=1, col=1)
        # the strip: one row per lane, a bar where it diverged
        half = math.sqrt(lr[1] / lr[0]) if len(lr) > 1 else 1.1  # half a grid cell: a lone rate gets a width
        for first, last in _runs(np.asarray(curve["diverged"], dtype=bool)):
            figure.add_trace(go.Scatter(x=[lr[first] / half, lr[last] * half], y=[number, number], mode="lines",
                                        legendgroup=name, showlegend=False, line=dict(color=colour, width=7),
                                        hovertemplate=f"{name} — {labels['diverged']}: η ≥ {lr[first]:.3g}"
                                                      "<extra></extra>"), row=2, col=1)
    lrs = np.concatenate([np.asarray(curve["lr"]) for curve in curves]) if curves else np.array([1e-5, 10.0])
    # an invisible trace on the strip: with nothing diverging plotly drew no x axis at all (ticks and title)
    figure.add_trace(go.Scatter(x=[lrs.min(), lrs.max()], y=[0, 0], mode="lines", line=dict(width=0),
                                showlegend=False, hoverinfo="skip"), row=2, col=1)
    _keys(figure, labels)
    apply_layout(figure, labels["title"], "", labels["y"], height=height)
    ticks = log_ticks(float(lrs.min()), float(lrs.max()))
    span = [math.log10(float(lrs.min())) - 0.05, math.log10(float(lrs.max())) + 0.05]  # the strip's half cells
    figure.update_xaxes(type="log", range=span, **ticks, row=1, col=1)
    figure.update_xaxes(type="log", range=span, title_text=labels["x"], **ticks, row=2, col=1)
    if steps is None:
        highest, top = top, min(top, cap) if cap else top
        figure.update_yaxes(type="log", **log_ticks(floor, top), row=1, col=1)
        if cap and cap < highest:
            figure.update_yaxes(range=[math.log10(floor) - 0.1, math.log10(cap)], row=1, col=1)
    else:  # steps on a linear axis; above the budget a dotted "never" line for rings that never get there
        figure.update_yaxes(range=[0, steps * (NEVER_LEVEL + 0.05)], row=1, col=1)
        figure.add_hline(y=steps * NEVER_LEVEL, line=dict(color=KEY_COLOUR, width=1, dash="dot"), row=1, col=1,
                         annotation_text=labels["never"], annotation_position="top left",
                         annotation_font=dict(size=11, color=KEY_COLOUR))
    figure.update_yaxes(range=[-0.7, max(len(curves), 1) - 0.3], tickvals=[], showgrid=False, zeroline=False,
                        title_text=labels["diverged"], title_font=dict(size=11), row=2, col=1)
    # the title on top, the legend (lanes, then the keys to the marks) in a row of its own under it
    figure.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
                         title=dict(y=0.985, yanchor="top"), margin=dict(l=60, r=20, t=78, b=40),
                         hovermode="closest", modebar=dict(orientation="v"))  # a top row would cover the legend
    return figure


BETA_TICKS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)


def joint_figure(tuning, labels: dict, colour: str, height: int = 420) -> go.Figure:
    """The criterion over (learning rate, β) of a jointly tuned lane: β on an axis of 1 − β (log, reversed: the
    grid's rows are spaced evenly there, and 0.9 … 0.99 get as much room as 0 … 0.9), log colour where dark is
    good, diverged cells blank, the tuned point starred. `labels`: title, x, y (β's name), colour (the
    criterion)."""
    score = np.asarray(tuning.score, dtype=np.float64)
    floor, _ = _floor([{"score": score}])
    limit = tuning.steps if tuning.criterion == "steps_to_tolerance" else math.inf
    shown = np.log10(_shown(score, floor, limit))
    finite = shown[np.isfinite(shown)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    ticks = log_ticks(10 ** low, 10 ** high)  # 1-2-5 over a few decades, powers of ten beyond
    tick_values = [math.log10(value) for value in ticks.get("tickvals", [1.0])]
    gaps = 1.0 - np.asarray(tuning.second, dtype=np.float64)
    figure = go.Figure(go.Heatmap(
        x=tuning.lr, y=gaps, z=shown, colorscale="Viridis", customdata=np.broadcast_to(
            np.asarray(tuning.second)[:, None], shown.shape),
        colorbar=dict(title=dict(text=labels["colour"], side="right"), tickvals=tick_values,
                      ticktext=ticks.get("ticktext", ["1"])),
        hovertemplate=f"η = %{{x:.3g}}<br>{labels['y']} = %{{customdata:.4g}}<br>log₁₀: %{{z:.2f}}<extra></extra>"))
    figure.add_trace(go.Scatter(x=[tuning.best_lr], y=[1.0 - tuning.best_second], mode="markers", showlegend=False,
                                marker=dict(symbol="star", size=16, color=colour, line=dict(color="white", width=1.5)),
                                hoverinfo="skip"))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_xaxes(type="log", **log_ticks(float(tuning.lr.min()), float(tuning.lr.max())))
    ticks = [beta for beta in BETA_TICKS if gaps.min() * 0.999 <= 1 - beta <= gaps.max() * 1.001]
    figure.update_yaxes(type="log", autorange="reversed", tickvals=[1 - beta for beta in ticks],
                        ticktext=[f"{beta:g}" for beta in ticks])
    return figure
