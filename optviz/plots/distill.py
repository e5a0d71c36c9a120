"""Figures of the momentum lessons (Distill, "Why Momentum Really Works"): data from optviz.distill in, go.Figure out.

Every measured curve (the engine's run) is drawn as a broad light line with its closed form as a thin dark dashed
line on top: where they agree, the dash runs inside the band."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .labs import positive_range, set_log_y
from .style import apply_layout, lane_colour

REGION_COLOURS = ("#d6e4f0", "#f3e1c7", "#e6e6e6")  # complex, real, divergent


def _measured_and_closed(figure: go.Figure, steps, measured, closed, colour: str, name: str, closed_name: str,
                         show: bool, row=None, col=None) -> None:
    where = {} if row is None else {"row": row, "col": col}
    figure.add_trace(go.Scatter(x=steps, y=measured, mode="lines", name=name, legendgroup="measured",
                                showlegend=show, line=dict(color=colour, width=6), opacity=0.35), **where)
    figure.add_trace(go.Scatter(x=steps, y=closed, mode="lines", name=closed_name, legendgroup="closed",
                                showlegend=show, line=dict(color=colour, width=1.6, dash="dash")), **where)


def milestones_figure(result: dict, labels: dict, height: int = 520) -> go.Figure:
    """One row per eigen-component: its error xᵢ per step, measured (band) and closed form (dashes)."""
    values = result["eigenvalues"]
    rows = len(values)
    figure = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06 if rows > 1 else 0.1,
                           subplot_titles=[labels["component"].format(value=f"{value:g}", rate=f"{rate:.4g}")
                                           for value, rate in zip(values, result["rate"], strict=True)])
    steps = np.arange(len(result["measured"]))
    for index in range(rows):
        measured = np.where(np.isfinite(result["measured"][:, index]), result["measured"][:, index], np.nan)
        _measured_and_closed(figure, steps, measured, result["closed"][:, index], lane_colour(index),
                             labels["measured"], labels["closed"], index == 0, index + 1, 1)
        bound = min(np.nanmax(np.abs(measured)), 1e6) * 1.08
        figure.update_yaxes(range=[-bound, bound], row=index + 1, col=1)
    apply_layout(figure, labels["title"], "", "", height=height)
    figure.update_xaxes(title_text=labels["step"], row=rows, col=1)
    figure.update_layout(margin=dict(l=50, r=10, t=50, b=70),
                         legend=dict(orientation="h", yanchor="top", y=-0.13, xanchor="left", x=0))
    figure.update_annotations(font_size=12)
    return figure


def loss_parts_figure(result: dict, labels: dict, height: int = 520) -> go.Figure:
    """Each eigen-component's share ½λᵢxᵢ² of the loss, and their sum f(wₖ) − f*, on a log axis."""
    figure = go.Figure()
    steps = np.arange(len(result["loss"]))
    for index, value in enumerate(result["eigenvalues"]):
        part = result["loss_parts"][:, index]
        figure.add_trace(go.Scatter(x=steps, y=np.where(part > 0, part, np.nan), mode="lines",
                                    name=f"λ = {value:g}", line=dict(color=lane_colour(index), width=1.6)))
    total = result["loss"]
    figure.add_trace(go.Scatter(x=steps, y=np.where(total > 0, total, np.nan), mode="lines", name=labels["total"],
                                line=dict(color="#000000", width=2.4)))
    apply_layout(figure, labels["title"], labels["step"], labels["y"], height=height)
    low, high = positive_range([total, result["loss_parts"]])
    set_log_y(figure, max(low, high * 1e-16), high)
    figure.update_layout(margin=dict(l=60, r=10, t=60, b=40))
    return figure


def rate_map_figure(result: dict, point: tuple[float, float], labels: dict, height: int = 520) -> go.Figure:
    """max(|σ₁|, |σ₂|) over αλ and β: a heatmap where the iteration converges (grey where it diverges), the border
    between complex and real roots (critical damping β = (1 − √(αλ))²), the divergence border αλ = 2 + 2β, each
    region named, and the chosen point."""
    rate = np.where(result["region"] == 2, np.nan, result["rate"]).astype(np.float32)
    figure = go.Figure()
    figure.add_trace(go.Heatmap(x=result["scaled_lr"], y=result["momentum"], z=(result["region"] == 2).astype(float),
                                colorscale=[[0, "rgba(0,0,0,0)"], [1, REGION_COLOURS[2]]], showscale=False,
                                hoverinfo="skip"))
    figure.add_trace(go.Heatmap(x=result["scaled_lr"], y=result["momentum"], z=rate, zmin=0, zmax=1,
                                colorscale="Viridis", reversescale=True,
                                colorbar=dict(title=dict(text=labels["rate"], side="right"), thickness=12),
                                hovertemplate="αλ = %{x:.3g}<br>β = %{y:.3g}<br>" + labels["rate"] + " = %{z:.4f}"
                                              "<extra></extra>"))
    figure.add_trace(go.Scatter(x=result["scaled_lr"], y=result["critical"], mode="lines", name=labels["critical"],
                                line=dict(color="#ffffff", width=2.5, dash="dash")))
    border = np.linspace(2, 4, 50)
    figure.add_trace(go.Scatter(x=border, y=border / 2 - 1, mode="lines", name=labels["divergence"],
                                line=dict(color="#C24E00", width=2.5)))
    figure.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=labels["point"],
                                marker=dict(size=14, color="#ffffff", line=dict(color="#000000", width=2.5),
                                            symbol="circle")))
    for x, y, text in ((2.2, 0.82, labels["complex"]), (3.35, 0.25, labels["divergent"])):
        figure.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=13, color="#000000"),
                              bgcolor="rgba(255,255,255,0.75)")
    # the real-root region is the thin band under the dashed curve: point at it rather than cover it
    figure.add_annotation(x=0.18, y=0.12, ax=80, ay=-90, text=labels["real"], showarrow=True, arrowhead=2,
                          arrowcolor="#000000", font=dict(size=13, color="#000000"), bgcolor="rgba(255,255,255,0.8)")
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_xaxes(range=[float(result["scaled_lr"][0]), float(result["scaled_lr"][-1])])
    figure.update_yaxes(range=[float(result["momentum"][0]), float(result["momentum"][-1])])
    figure.update_layout(margin=dict(l=60, r=10, t=50, b=40),
                         legend=dict(orientation="h", yanchor="top", y=-0.13, xanchor="left", x=0))
    return figure


def phase_figure(result: dict, labels: dict, height: int = 520) -> go.Figure:
    """The 1-D recurrence as points (xₖ, xₖ₊₁) joined in order, the start marked; and the diagonal xₖ₊₁ = xₖ."""
    path = result["x"]
    finite = np.isfinite(path)
    path = path[: int(np.argmin(finite)) if not finite.all() else len(path)]
    bound = float(min(np.abs(path).max(), 1e3)) * 1.1 if path.size else 1.0
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[-bound, bound], y=[-bound, bound], mode="lines", showlegend=False,
                                line=dict(color="#bbbbbb", width=1), hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=path[:-1], y=path[1:], mode="lines+markers", name=labels["path"],
                                line=dict(color=lane_colour(0), width=1.5), marker=dict(size=5),
                                customdata=np.arange(len(path) - 1),
                                hovertemplate="k = %{customdata}<br>xₖ = %{x:.4g}<br>xₖ₊₁ = %{y:.4g}<extra></extra>"))
    if path.size > 1:
        figure.add_trace(go.Scatter(x=[path[0]], y=[path[1]], mode="markers", name=labels["start"],
                                    marker=dict(size=12, color=lane_colour(1), symbol="diamond")))
    apply_layout(figure, labels["title"], "xₖ", "xₖ₊₁", height=height)
    figure.update_xaxes(range=[-bound, bound], zeroline=True)
    figure.update_yaxes(range=[-bound, bound], zeroline=True, scaleanchor="x", scaleratio=1)
    figure.update_layout(margin=dict(l=60, r=10, t=50, b=40),
                         legend=dict(orientation="h", yanchor="top", y=-0.13, xanchor="left", x=0))
    return figure


def polynomial_figure(result: dict, index: int, tikhonov: np.ndarray, labels: dict, height: int = 520) -> go.Figure:
    """The points, gradient descent's fit after the chosen number of steps, the Tikhonov fit beside it, and the
    least-squares fit (what gradient descent reaches in the end) faint behind."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=result["grid"], y=result["least_squares"], mode="lines", name=labels["exact"],
                                line=dict(color="#999999", width=1.2, dash="dot")))
    figure.add_trace(go.Scatter(x=result["grid"], y=tikhonov, mode="lines", name=labels["tikhonov"],
                                line=dict(color=lane_colour(1), width=2.2, dash="dash")))
    figure.add_trace(go.Scatter(x=result["grid"], y=result["fits"][index], mode="lines", name=labels["early"],
                                line=dict(color=lane_colour(0), width=2.6)))
    figure.add_trace(go.Scatter(x=result["inputs"], y=result["targets"], mode="markers", name=labels["points"],
                                marker=dict(size=9, color="#000000")))
    apply_layout(figure, labels["title"], "ξ", labels["y"], height=height)
    figure.update_yaxes(range=[-2.2, 2.2])
    figure.update_layout(margin=dict(l=50, r=10, t=50, b=40))
    return figure


def filters_figure(eigenvalues: np.ndarray, early: np.ndarray, tikhonov: np.ndarray, labels: dict,
                   height: int = 520) -> go.Figure:
    """How much of each eigenfeature each fit keeps, against its eigenvalue: 1 − (1 − αλ)ᵏ and λ/(λ + η)."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=eigenvalues, y=early, mode="lines+markers", name=labels["early"],
                                line=dict(color=lane_colour(0), width=2.4), marker=dict(size=9)))
    figure.add_trace(go.Scatter(x=eigenvalues, y=tikhonov, mode="lines+markers", name=labels["tikhonov"],
                                line=dict(color=lane_colour(1), width=2.2, dash="dash"),
                                marker=dict(size=8, symbol="diamond")))
    apply_layout(figure, labels["title"], labels["x"], labels["y"], height=height)
    figure.update_xaxes(type="log", **_log_ticks(eigenvalues))
    figure.update_yaxes(range=[-0.03, 1.05])
    figure.update_layout(margin=dict(l=50, r=10, t=50, b=40))
    return figure


def _log_ticks(values: np.ndarray) -> dict:
    from .labs import log_ticks

    low, high = positive_range([values])
    return log_ticks(low, high)


def eigenfeatures_figure(result: dict, fractions: np.ndarray, labels: dict, height: int = 300) -> go.Figure:
    """Each eigenfeature ξ ↦ p(ξ)ᵀqᵢ, largest eigenvalue first, titled by λ and the fraction of it fitted so far."""
    count = len(result["eigenvalues"])
    columns = min(count, 5)
    rows = -(-count // columns)
    titles = [f"λ = {value:.2g} · {fraction:.0%}" for value, fraction in zip(result["eigenvalues"], fractions,
                                                                              strict=True)]
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.03,
                           vertical_spacing=0.3 if rows > 1 else 0.1)
    for index in range(count):
        figure.add_trace(go.Scatter(x=result["grid"], y=result["eigenfeatures"][index], mode="lines",
                                    showlegend=False, line=dict(color=lane_colour(0), width=1.5),
                                    opacity=float(0.25 + 0.75 * fractions[index])),
                         row=index // columns + 1, col=index % columns + 1)
    apply_layout(figure, labels["title"], "", "", height=height)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    figure.update_layout(margin=dict(l=20, r=10, t=60, b=5))
    figure.update_annotations(font_size=11)
    return figure


def graphs_figure(results: list[dict], step: int, labels: dict, height: int = 300) -> go.Figure:
    """Each graph drawn with its nodes coloured by their value at `step` (0 white, 1 full colour), node 0 ringed."""
    figure = make_subplots(rows=1, cols=len(results), horizontal_spacing=0.04,
                           subplot_titles=[f"{labels[result['name']]} (κ = {result['kappa']:.0f})"
                                           for result in results])
    for column, result in enumerate(results, start=1):
        positions, edges = result["positions"], result["edges"]
        xs = np.full(3 * len(edges), np.nan)
        ys = np.full(3 * len(edges), np.nan)
        xs[0::3], xs[1::3] = positions[edges[:, 0], 0], positions[edges[:, 1], 0]
        ys[0::3], ys[1::3] = positions[edges[:, 0], 1], positions[edges[:, 1], 1]
        figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#bbbbbb", width=1),
                                    hoverinfo="skip", showlegend=False), row=1, col=column)
        colours = result["colours"][min(step, len(result["colours"]) - 1)]
        figure.add_trace(go.Scatter(
            x=positions[:, 0], y=positions[:, 1], mode="markers", showlegend=False,
            marker=dict(size=11, color=colours, cmin=0, cmax=1, colorscale="Blues",
                        line=dict(color=["#C24E00"] + ["#555555"] * (len(colours) - 1),
                                  width=[3] + [0.6] * (len(colours) - 1)),
                        showscale=column == len(results),
                        colorbar=dict(title=dict(text="w", side="right"), thickness=10, len=0.8)),
            hovertemplate="w = %{marker.color:.3f}<extra></extra>"), row=1, col=column)
        figure.update_xaxes(visible=False, row=1, col=column)
        figure.update_yaxes(visible=False, row=1, col=column, scaleanchor=f"x{column if column > 1 else ''}",
                            scaleratio=1)
    apply_layout(figure, labels["title"], "", "", height=height)
    figure.update_layout(margin=dict(l=10, r=10, t=60, b=10))
    figure.update_annotations(font_size=12)
    return figure


def colour_error_figure(results: list[dict], step: int, labels: dict, height: int = 260) -> go.Figure:
    """‖wₖ − 1‖ per step for each graph, on a log axis, with the chosen step marked."""
    figure = go.Figure()
    for index, result in enumerate(results):
        figure.add_trace(go.Scatter(x=np.arange(len(result["error"])), y=result["error"], mode="lines",
                                    name=f"{labels[result['name']]} (κ = {result['kappa']:.0f})",
                                    line=dict(color=lane_colour(index), width=2)))
    figure.add_vline(x=step, line=dict(color="#888888", dash="dot"))
    apply_layout(figure, labels["title"], labels["step"], "‖w − 1‖", height=height)
    low, high = positive_range([result["error"] for result in results])
    set_log_y(figure, max(low, 1e-12), high)
    figure.update_layout(margin=dict(l=60, r=10, t=40, b=40),
                         legend=dict(orientation="v", yanchor="bottom", y=0.02, xanchor="left", x=0.01))
    return figure


def stochastic_figure(result: dict, labels: dict, height: int = 520) -> go.Figure:
    """For a constant and a decaying learning rate side by side: the expected loss, its deterministic part and its
    noise part (exact), and the mean loss of the engine's noisy runs."""
    kinds = ("constant", "decaying")
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                           subplot_titles=[labels[kind] for kind in kinds])
    for column, kind in enumerate(kinds, start=1):
        part = result[kind]
        steps = np.arange(len(part["expected"]))
        for key, colour, dash, width in (("deterministic", lane_colour(0), "dash", 2),
                                         ("noise", lane_colour(1), "dot", 2.4),
                                         ("expected", "#000000", "solid", 1.6)):
            figure.add_trace(go.Scatter(x=steps, y=np.where(part[key] > 0, part[key], np.nan), mode="lines",
                                        name=labels[key], legendgroup=key, showlegend=column == 1,
                                        line=dict(color=colour, dash=dash, width=width)), row=1, col=column)
        figure.add_trace(go.Scatter(x=steps, y=part["measured"], mode="lines", name=labels["measured"],
                                    legendgroup="measured", showlegend=column == 1,
                                    line=dict(color=lane_colour(2), width=6), opacity=0.35), row=1, col=column)
    apply_layout(figure, labels["title"], "", "", height=height)
    figure.update_xaxes(title_text=labels["step"])
    low, high = positive_range([result[kind][key] for kind in kinds for key in ("expected", "noise", "deterministic")])
    set_log_y(figure, max(low, high * 1e-12), high)
    figure.update_yaxes(title_text=labels["y"], row=1, col=1)
    figure.update_layout(margin=dict(l=60, r=10, t=70, b=40),
                         legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0))
    figure.update_annotations(font_size=12)
    return figure
