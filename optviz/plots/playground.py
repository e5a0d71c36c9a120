"""Figures of the playground: paths on a contour, small multiples, 3D, per-step curves, an animation.

Data in, go.Figure out. A path is a dict: label, colour, xy (N, 2), the points to draw (already subsampled).
Every figure keeps its axes on the surface's view box: a run that leaves it is cut at the edge, never allowed
to zoom the view out to nothing.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import raster
from .style import LIGHT_TEMPLATE, apply_layout

MAX_POINTS = 800
MAX_FRAMES = 60
ANIMATION_POINTS = 120


def subsample(count: int, limit: int = MAX_POINTS) -> np.ndarray:
    """At most `limit` indices of 0..count-1, evenly spread, the first and last always included."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))


def log_display(z: np.ndarray) -> tuple[np.ndarray, float]:
    """log10(f - f_min + delta): contour levels evenly spaced in log, so valleys show their detail."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return z, 0.0
    low, high = float(finite.min()), float(finite.max())
    delta = max(1e-9, 1e-4 * (high - low))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log10(z - low + delta).astype(np.float32), low


def contour_trace(grid: dict, colorbar_title: str, showscale: bool = True) -> go.Contour:
    """The surface as filled contours of log-spaced levels (for the small multiples); NaN is left blank."""
    display, _ = log_display(grid["z"])
    return go.Contour(
        x=grid["x"], y=grid["y"], z=display, ncontours=raster.LEVELS, colorscale=[list(stop) for stop in SCALE],
        line=dict(width=0.4, color="rgba(40,40,40,0.35)"), showscale=showscale, hoverinfo="skip",
        colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=12, len=0.8),
    )


SCALE = raster.SURFACE_SCALE


def surface_picture(grid: dict) -> dict:
    """What the overlay and the animation need of a surface, computed once per surface (the page caches it):
    the banded image as a data URI, its place on the axes, and the colour bar's range (log10 of f − min + δ)."""
    display, _ = log_display(grid["z"])
    finite = display[np.isfinite(display)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    x, y = np.asarray(grid["x"], dtype=np.float64), np.asarray(grid["y"], dtype=np.float64)
    return {"source": raster.data_uri(display), "x": (float(x[0]), float(x[-1])), "y": (float(y[0]), float(y[-1])),
            "range": (low, high)}


def _picture_layer(figure: go.Figure, picture: dict, colorbar_title: str, showscale: bool = True) -> None:
    """Place the surface's picture under the axes' traces, and a colour bar for it (an empty trace carries it)."""
    (x0, x1), (y0, y1) = picture["x"], picture["y"]
    figure.add_layout_image(source=picture["source"], xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                            sizing="stretch", layer="below", xanchor="left", yanchor="top")
    if showscale:
        low, high = picture["range"]
        figure.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip", name="colour bar",
            marker=dict(colorscale=[list(stop) for stop in SCALE], cmin=low, cmax=high, color=[low], showscale=True,
                        colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=12, len=0.8))))


def _markers(minima, start, labels: dict) -> list[go.Scatter]:
    traces = []
    if len(minima):
        points = np.asarray(minima)
        star = dict(symbol="star", size=15, color="#F0E442", line=dict(width=1.2, color="black"))
        traces.append(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name=labels["minimum"],
                                 marker=star))
    traces.append(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name=labels["start"],
                             marker=dict(symbol="circle-open", size=13, color="black", line=dict(width=2.5))))
    return traces


OUTLINE = "rgba(255,255,255,0.9)"


def _path_traces(path: dict, index: int, showlegend: bool = True, with_outline: bool = True) -> list[go.Scatter]:
    """A lane's path: a white outline under a thick coloured line, and a marker at its last point.

    The coloured trace carries meta 'path-<index>' so that tests and the animation can find it. Coordinates are
    sent as float32: a screen needs no more, and every rerun's message is half the size."""
    xy = np.asarray(path["xy"], dtype=np.float32)
    # markers show the individual steps of short runs; on long ones thousands of SVG circles slow every redraw
    mode = "lines+markers" if len(xy) <= 200 else "lines"
    group = path["label"]
    outline = go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", line=dict(color=OUTLINE, width=5.5),
                         hoverinfo="skip", showlegend=False, legendgroup=group, meta=f"outline-{index}")
    line = go.Scatter(
        x=xy[:, 0], y=xy[:, 1], mode=mode, name=path["label"], legendgroup=group, meta=f"path-{index}",
        showlegend=showlegend, line=dict(color=path["colour"], width=2.8), marker=dict(size=4, color=path["colour"]),
        hovertemplate=path["label"] + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
    )
    end = go.Scatter(x=xy[-1:, 0], y=xy[-1:, 1], mode="markers", showlegend=False, legendgroup=group,
                     meta=f"end-{index}", hovertemplate=path["label"] + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
                     marker=dict(symbol="diamond", size=11, color=path["colour"], line=dict(width=1.5,
                                                                                           color="white")))
    return [outline, line, end] if with_outline else [line, end]


def _shared_outline_and_ends(paths: list[dict]) -> tuple[go.Scatter, go.Scatter]:
    """Every lane's white outline as ONE trace (paths joined by gaps) and every lane's end marker as ONE trace: each
    trace is a layer the browser redraws on every slider move, and three lanes had nine of them."""
    pieces, ends, colours, names = [], [], [], []
    for path in paths:
        xy = np.asarray(path["xy"], dtype=np.float32)
        pieces += [xy, np.full((1, 2), np.nan, dtype=np.float32)]
        ends.append(xy[-1])
        colours.append(path["colour"])
        names.append(path["label"])
    joined = np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.float32)
    last = np.asarray(ends, dtype=np.float32).reshape(-1, 2)
    outline = go.Scatter(x=joined[:, 0], y=joined[:, 1], mode="lines", line=dict(color=OUTLINE, width=5.5),
                         connectgaps=False, hoverinfo="skip", showlegend=False, meta="outlines")
    end = go.Scatter(x=last[:, 0], y=last[:, 1], mode="markers", showlegend=False, meta="ends", text=names,
                     hovertemplate="%{text}<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
                     marker=dict(symbol="diamond", size=11, color=colours, line=dict(width=1.5, color="white")))
    return outline, end


def _fix_view(figure: go.Figure, view, **where) -> None:
    figure.update_xaxes(range=[view[0], view[1]], constrain="domain", **where)
    figure.update_yaxes(range=[view[2], view[3]], **where)


def click_grid(view, count: int = 19) -> go.Scatter:
    """Invisible points over the view: clicking one selects it, which the page takes as the new start."""
    xs, ys = np.meshgrid(np.linspace(view[0], view[1], count), np.linspace(view[2], view[3], count))
    return go.Scatter(x=xs.ravel().astype(np.float32), y=ys.ravel().astype(np.float32), mode="markers",
                      marker=dict(size=14, opacity=0), hoverinfo="none", showlegend=False, name="click")


def overlay_figure(picture: dict, paths: list[dict], minima, start, view, labels: dict,
                   height: int = 560, inspected: dict | None = None) -> go.Figure:
    """Every lane's path over the surface's picture (surface_picture), with the start and the known minima marked;
    clicks on the invisible grid pick a start."""
    figure = go.Figure([click_grid(view)])
    _picture_layer(figure, picture, labels["colorbar"])
    outlines, ends = _shared_outline_and_ends(paths)
    figure.add_trace(outlines)
    for index, path in enumerate(paths):
        figure.add_trace(_path_traces(path, index, with_outline=False)[0])
    figure.add_trace(ends)
    if inspected is not None:  # the step the inspector shows: a ring and its name
        x, y = inspected["xy"]
        figure.add_trace(go.Scatter(x=[x], y=[y], mode="markers+text", text=[inspected["label"]],
                                    textposition="top right", name=inspected["label"], showlegend=False,
                                    meta="inspected", textfont=dict(size=12, color="black"),
                                    marker=dict(symbol="circle-open", size=20, color="black", line=dict(width=2.5))))
    for trace in _markers(minima, start, labels):
        figure.add_trace(trace)
    apply_layout(figure, labels.get("title", ""), "x", "y", height=height)
    _fix_view(figure, view)
    figure.update_layout(clickmode="event+select", dragmode="pan", margin=dict(l=50, r=10, t=30 if labels.get(
        "title") else 10, b=40), legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0))
    return figure


def multiples_figure(grid: dict, paths: list[dict], minima, start, view, labels: dict) -> go.Figure:
    """One small panel per lane on shared axes (small multiples): the same contour, one path each."""
    count = max(1, len(paths))
    columns = min(3, count)
    rows = -(-count // columns)
    figure = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                           subplot_titles=[path["label"] for path in paths] or [""],
                           horizontal_spacing=0.03, vertical_spacing=0.08)
    for index, path in enumerate(paths):
        row, column = index // columns + 1, index % columns + 1
        figure.add_trace(contour_trace(grid, labels["colorbar"], showscale=index == 0), row=row, col=column)
        for trace in _path_traces(path, index):
            figure.add_trace(trace, row=row, col=column)
        for trace in _markers(minima, start, labels):
            trace.showlegend = index == 0
            figure.add_trace(trace, row=row, col=column)
    apply_layout(figure, labels.get("title", ""), "", "", height=330 * rows + 60)
    _fix_view(figure, view)
    figure.update_xaxes(title_text="x", row=rows)
    figure.update_yaxes(title_text="y", col=1)
    return figure


def surface_3d_figure(grid: dict, paths: list[dict], view, labels: dict, height: int = 600) -> go.Figure:
    """The surface in 3D with the paths lifted slightly above it; z clipped to the range that matters."""
    z = grid["z"]
    finite = z[np.isfinite(z)]
    low, high = (np.percentile(finite, [0, 97]) if finite.size else (0.0, 1.0))
    lift = 0.01 * (high - low or 1.0)
    figure = go.Figure([go.Surface(x=grid["x"], y=grid["y"], z=np.clip(z, low, high),
                                   colorscale=[list(stop) for stop in SCALE], opacity=0.9, showscale=False,
                                   hoverinfo="skip")])
    for path in paths:
        xy = path["xy"]
        heights = np.clip(path["loss"], low, high) + lift
        figure.add_trace(go.Scatter3d(x=xy[:, 0], y=xy[:, 1], z=heights, mode="lines+markers", name=path["label"],
                                      line=dict(color=path["colour"], width=6), marker=dict(size=2.5,
                                                                                           color=path["colour"])))
    figure.update_layout(
        title=labels.get("title", ""), template=LIGHT_TEMPLATE, height=height, margin=dict(l=0, r=0, t=30, b=0),
        # few ticks in a small font: the default crowds the 3D axes with overlapping labels
        scene=dict(xaxis=dict(title="x", range=[view[0], view[1]], nticks=5, tickfont=dict(size=10)),
                   yaxis=dict(title="y", range=[view[2], view[3]], nticks=5, tickfont=dict(size=10)),
                   zaxis=dict(title="f", range=[low, high + 2 * lift], nticks=4, tickfont=dict(size=10),
                              exponentformat="power"), aspectmode="manual",
                   aspectratio=dict(x=1.2, y=1.2, z=0.7)),
        legend=dict(orientation="h", yanchor="top", y=-0.02),
    )
    return figure


def curves_figure(curves: list[dict], labels: dict, height: int = 560, loss_log: bool = True) -> go.Figure:
    """Per step: loss (log where it is a gap to f*, else linear), distance to the nearest minimum, gradient norm
    (log), effective learning rate. Only panels that some lane has data for are drawn; the legend sits on top."""
    candidates = [("loss", labels["loss"], "log" if loss_log else "linear"),
                  ("distance", labels["distance"], "log"), ("grad_norm", labels["grad_norm"], "log"),
                  ("effective_lr", labels["effective_lr"], "log")]

    def has_data(key: str, scale: str) -> bool:
        for curve in curves:
            values = curve.get(key)
            if values is None:
                continue
            values = np.asarray(values, dtype=np.float64)
            shown = values[np.isfinite(values)]
            if shown.size and (scale == "linear" or np.any(shown > 0)):
                return True
        return False

    panels = [panel for panel in candidates if has_data(panel[0], panel[2])] or candidates[:1]
    columns = 2 if len(panels) > 1 else 1
    rows = -(-len(panels) // columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[title for _, title, _ in panels],
                           horizontal_spacing=0.09, vertical_spacing=0.16)
    for index, (key, _, scale) in enumerate(panels):
        row, column = index // columns + 1, index % columns + 1
        for number, curve in enumerate(curves):
            values = curve.get(key)
            if values is None:
                continue
            figure.add_trace(go.Scatter(x=curve["steps"][: len(values)], y=values, mode="lines", name=curve["label"],
                                        legendgroup=curve["label"], showlegend=index == 0,
                                        meta=f"curve-{key}-{number}",
                                        line=dict(color=curve["colour"], width=2)), row=row, col=column)
        # a log axis spanning less than a decade would label its minor ticks with bare digits (9 8 7 …): every
        # label carries its magnitude instead
        figure.update_yaxes(type=scale, exponentformat="power", tickformat=".2~g" if scale == "log" else None,
                            nticks=6 if scale == "log" else None, row=row, col=column)
        if row == rows:
            figure.update_xaxes(title_text=labels["step"], row=row, col=column)
    apply_layout(figure, labels.get("title", ""), "", "", height=height)
    figure.update_layout(margin=dict(l=50, r=10, t=60, b=40),
                         legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="left", x=0))
    return figure


def animation_figure(picture: dict, paths: list[dict], minima, start, view, labels: dict,
                     height: int = 600) -> go.Figure:
    """Play / pause and a step slider that move every lane in sync; frames are plain dicts (no go.Frame).

    The surface is a layout image, which frames never touch: it stays while playing, paused and scrubbing."""
    length = max(len(path["xy"]) for path in paths) if paths else 1
    frame_steps = subsample(length, MAX_FRAMES)
    figure = go.Figure()
    _picture_layer(figure, picture, labels["colorbar"], showscale=False)
    for index, path in enumerate(paths):
        figure.add_traces(_path_traces({**path, "xy": path["xy"][:1]}, index, with_outline=False))
    for trace in _markers(minima, start, labels):
        figure.add_trace(trace)
    # Each lane's line and end marker move together. A frame carries each path up to its step, thinned to at most
    # ANIMATION_POINTS points (and its exact last point), as float32: 80 frames of full paths were 7.8 MB a rerun
    # for 5 lanes x 1 000 steps.
    path_indices = list(range(2 * len(paths)))
    thinned = [subsample(len(path["xy"]), ANIMATION_POINTS) for path in paths]
    frames = []
    for step in frame_steps:
        data = []
        for path, kept in zip(paths, thinned, strict=True):
            last = min(int(step), len(path["xy"]) - 1)
            shown = np.asarray(path["xy"][np.append(kept[kept < last], last)], dtype=np.float32)
            data += [{"type": "scatter", "x": shown[:, 0], "y": shown[:, 1]},
                     {"type": "scatter", "x": shown[-1:, 0], "y": shown[-1:, 1]}]
        frames.append({"name": str(int(path_steps(paths, step))), "data": data, "traces": path_indices})
    figure.frames = frames
    sliders = [{"active": 0, "currentvalue": {"prefix": labels["step"] + ": "}, "pad": {"t": 40},
                "steps": [{"label": frame["name"], "method": "animate",
                           "args": [[frame["name"]], {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
                                                      "transition": {"duration": 0}}]} for frame in frames]}]
    buttons = [{"type": "buttons", "showactive": False, "x": 0.0, "y": -0.08, "xanchor": "left", "direction": "left",
                "buttons": [
                    {"label": "▶ " + labels["play"], "method": "animate",
                     "args": [None, {"frame": {"duration": 110, "redraw": False}, "fromcurrent": True,
                                     "transition": {"duration": 0}}]},
                    {"label": "❚❚ " + labels["pause"], "method": "animate",
                     "args": [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}]},
                ]}]
    apply_layout(figure, labels.get("title", ""), "x", "y", height=height)
    figure.update_layout(sliders=sliders, updatemenus=buttons, margin=dict(l=50, r=10, t=40, b=40),
                         legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1))
    _fix_view(figure, view)
    return figure


def path_steps(paths: list[dict], index: int) -> int:
    """The optimizer step shown at point `index` of the (subsampled) paths."""
    steps = paths[0].get("steps") if paths else None
    if steps is None:
        return index
    return int(steps[min(index, len(steps) - 1)])
