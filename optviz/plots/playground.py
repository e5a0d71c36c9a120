"""Figures of the playground: paths on a contour, small multiples, 3D, per-step curves, an animation.

Data in, go.Figure out. A path is a dict: label, colour, xy (N, 2), the points to draw (already subsampled).
Every figure keeps its axes on the surface's view box: a run that leaves it is cut at the edge, never allowed
to zoom the view out to nothing.
"""

from __future__ import annotations

import math

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
                   height: int = 560, inspected: dict | None = None, data: dict | None = None,
                   fits: list[dict] | None = None) -> go.Figure:
    """Every lane's path over the surface's picture (surface_picture), with the start and the known minima marked;
    clicks on the invisible grid pick a start. On a data surface (`data`, optviz.batches.data_view) the points and
    each lane's fit (`fits`: label, colour, y over data['grid']) are drawn beside the contour."""
    figure = _with_data_panel(data)
    figure.add_trace(click_grid(view))
    _picture_layer(figure, picture, labels["colorbar"], showscale=data is None)
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
    axis_names = labels.get("axes", ("x", "y"))
    apply_layout(figure, labels.get("title", ""), axis_names[0], axis_names[1], height=height)
    _fix_view(figure, view, **_first_panel(data))
    figure.update_layout(clickmode="event+select", dragmode="pan", margin=dict(l=50, r=10, t=30 if labels.get(
        "title") else 10, b=40), legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0))
    if data is not None:
        _data_panel(figure, data, fits or [], labels)
        if inspected is not None and inspected.get("fit") is not None:  # the model at the inspected step
            figure.add_trace(go.Scatter(x=data["grid"], y=np.asarray(inspected["fit"], dtype=np.float32),
                                        mode="lines", name=inspected["label"], meta="inspected-fit",
                                        showlegend=False, hovertemplate=inspected["label"] + "<extra></extra>",
                                        line=dict(color="black", width=1.6, dash="dot")), row=1, col=2)
    return figure


def _first_panel(data: dict | None) -> dict:
    """Where the contour's axes are: the whole figure, or its first panel when the data sit beside it."""
    return {} if data is None else {"row": 1, "col": 1}


def _with_data_panel(data: dict | None) -> go.Figure:
    """An empty figure: one panel, or on a data surface the contour (wide) and the data beside it."""
    if data is None:
        return go.Figure()
    return make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.09)


DATA_POINT = dict(size=6, color="rgba(80,80,80,0.55)", line=dict(width=0))
CLASS_MARKERS = ({"symbol": "circle-open", "color": "#555555"}, {"symbol": "x-thin-open", "color": "#111111"})


def _data_panel(figure: go.Figure, data: dict, fits: list[dict], labels: dict) -> None:
    """The right-hand panel of a data surface: the points (two classes for logistic regression), the best fit
    dashed, and each lane's fit in its colour (meta 'fit-<index>', so the animation can move them)."""
    if data["kind"] == "logreg":
        for label in (0, 1):
            chosen = data["y"] == label
            marker = {**CLASS_MARKERS[label], "size": 7, "line": dict(width=1.4, color=CLASS_MARKERS[label]["color"])}
            figure.add_trace(go.Scatter(x=data["x"][chosen], y=data["y"][chosen], mode="markers", marker=marker,
                                        name=labels["class"].format(label=label), meta=f"class-{label}",
                                        hovertemplate="x=%{x:.3g}<extra></extra>"), row=1, col=2)
    else:
        figure.add_trace(go.Scatter(x=data["x"], y=data["y"], mode="markers", marker=DATA_POINT, name=labels["data"],
                                    meta="points", hovertemplate="x=%{x:.3g}<br>y=%{y:.3g}<extra></extra>"),
                         row=1, col=2)
    if data["best"] is not None:
        figure.add_trace(go.Scatter(x=data["grid"], y=data["best"], mode="lines", name=labels["best_fit"],
                                    meta="best-fit", hoverinfo="skip",
                                    line=dict(color="black", width=1.5, dash="dash")), row=1, col=2)
    for index, fit in enumerate(fits):
        figure.add_trace(_fit_trace(data, fit, index), row=1, col=2)
    y_title = labels["probability"] if data["kind"] == "logreg" else "y"
    figure.update_xaxes(title_text="x", row=1, col=2)
    figure.update_yaxes(title_text=y_title, row=1, col=2)
    low, high = float(np.min(data["y"])), float(np.max(data["y"]))
    pad = 0.12 * (high - low or 1.0)
    figure.update_yaxes(range=[low - pad, high + pad], row=1, col=2)  # a wild fit must not zoom the data away


def _fit_trace(data: dict, fit: dict, index: int) -> go.Scatter:
    return go.Scatter(x=data["grid"], y=np.asarray(fit["y"], dtype=np.float32), mode="lines", showlegend=False,
                      legendgroup=fit["label"], meta=f"fit-{index}", name=fit["label"],
                      hovertemplate=fit["label"] + "<extra></extra>", line=dict(color=fit["colour"], width=2.6))


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
                     height: int = 600, data: dict | None = None) -> go.Figure:
    """Play / pause and a step slider that move every lane in sync; frames are plain dicts (no go.Frame).

    The surface is a layout image, which frames never touch: it stays while playing, paused and scrubbing. On a data
    surface (`data`) each path carries 'fits' (its model over data['grid'] at each of its points) and the panel beside
    the contour shows every lane's fit at the frame's step."""
    length = max(len(path["xy"]) for path in paths) if paths else 1
    frame_steps = subsample(length, MAX_FRAMES)
    figure = _with_data_panel(data)
    _picture_layer(figure, picture, labels["colorbar"], showscale=False)
    for index, path in enumerate(paths):
        figure.add_traces(_path_traces({**path, "xy": path["xy"][:1]}, index, with_outline=False))
    for trace in _markers(minima, start, labels):
        figure.add_trace(trace)
    fit_indices = []
    if data is not None:
        _data_panel(figure, data, [{"label": path["label"], "colour": path["colour"], "y": path["fits"][0]}
                                   for path in paths], labels)
        fit_indices = list(range(len(figure.data) - len(paths), len(figure.data)))
    # Each lane's line and end marker move together. A frame carries each path up to its step, thinned to at most
    # ANIMATION_POINTS points (and its exact last point), as float32: 80 frames of full paths were 7.8 MB a rerun
    # for 5 lanes x 1 000 steps.
    path_indices = list(range(2 * len(paths)))
    thinned = [subsample(len(path["xy"]), ANIMATION_POINTS) for path in paths]
    frames = []
    for step in frame_steps:
        frame_data = []
        for path, kept in zip(paths, thinned, strict=True):
            last = min(int(step), len(path["xy"]) - 1)
            shown = np.asarray(path["xy"][np.append(kept[kept < last], last)], dtype=np.float32)
            frame_data += [{"type": "scatter", "x": shown[:, 0], "y": shown[:, 1]},
                     {"type": "scatter", "x": shown[-1:, 0], "y": shown[-1:, 1]}]
        for path in paths if fit_indices else ():
            frame_data.append({"type": "scatter", "y": np.asarray(path["fits"][min(int(step), len(path["xy"]) - 1)],
                                                            dtype=np.float32)})
        frames.append({"name": str(int(path_steps(paths, step))), "data": frame_data,
                       "traces": path_indices + fit_indices})
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
    axis_names = labels.get("axes", ("x", "y"))
    apply_layout(figure, labels.get("title", ""), axis_names[0], axis_names[1], height=height)
    figure.update_layout(sliders=sliders, updatemenus=buttons, margin=dict(l=50, r=10, t=40, b=40),
                         legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1))
    _fix_view(figure, view, **_first_panel(data))
    return figure


def path_steps(paths: list[dict], index: int) -> int:
    """The optimizer step shown at point `index` of the (subsampled) paths."""
    steps = paths[0].get("steps") if paths else None
    if steps is None:
        return index
    return int(steps[min(index, len(steps) - 1)])


BATCH_COLOURS = {"full": "#1a1a1a", "mini": "#0072B2", "sgd": "#D55E00"}  # Okabe–Ito, apart from the lanes' roles
BALL_COLOURS = {"constant": "#D55E00", "decaying": "#009E73"}


def log_ticks(values) -> list[float]:
    """Ticks at 1, 2 and 5 times the powers of ten that the finite positive `values` span (about six, never the
    crowded 0.02 … 0.09 of a log axis spanning less than a decade); powers of ten only when they span many decades."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return []
    low, high = math.floor(math.log10(values.min())), math.ceil(math.log10(values.max()))
    mantissas = (1, 2, 5) if high - low <= 3 else (1,)
    ticks = [m * 10.0**k for k in range(low, high + 1) for m in mantissas]
    inside = [tick for tick in ticks if values.min() / 1.5 <= tick <= values.max() * 1.5]
    return inside or ticks


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def batch_lesson_figure(race: dict, ball: dict, labels: dict, height: int = 560) -> go.Figure:
    """d2l.ai 12.5's comparison on a data surface, four panels: the full-data loss of full batch, mini-batch and SGD
    (median over runs, quartiles shaded) against updates and against epochs; where SGD's runs end with a constant and
    with a decaying learning rate (the noise ball); and their median distance to the minimum per epoch.

    `race` and `ball` come from optviz.batches (batch_race, noise_ball); `labels` names every series and axis."""
    figure = make_subplots(rows=2, cols=2, subplot_titles=[labels["vs_steps"], labels["vs_epochs"],
                                                           labels["ball"], labels["distance"]],
                           horizontal_spacing=0.1, vertical_spacing=0.24)
    for kind, series in race.items():
        colour, name = BATCH_COLOURS[kind], labels[f"batch.{kind}"]
        for column, axis in ((1, series["steps"]), (2, series["epochs"])):
            shown = slice(1, None) if column == 1 else slice(None)  # updates on a log axis start at 1
            x = np.asarray(axis[shown], dtype=np.float32)
            if series["runs"] > 1:
                band_x = np.concatenate([x, x[::-1]])
                band_y = np.concatenate([series["high"][shown], series["low"][shown][::-1]]).astype(np.float32)
                figure.add_trace(go.Scatter(x=band_x, y=band_y, fill="toself", fillcolor=_rgba(colour, 0.15),
                                            line=dict(width=0), hoverinfo="skip", showlegend=False,
                                            legendgroup=kind), row=1, col=column)
            figure.add_trace(go.Scatter(x=x, y=np.asarray(series["median"][shown], dtype=np.float32), mode="lines",
                                        name=name, legendgroup=kind, showlegend=column == 1, meta=f"race-{kind}",
                                        line=dict(color=colour, width=2.2)), row=1, col=column)
    minimum = ball["minimum"]
    for kind in ("constant", "decaying"):
        ends = np.asarray(ball[kind]["ends"], dtype=np.float32)
        figure.add_trace(go.Scatter(x=ends[:, 0], y=ends[:, 1], mode="markers", name=labels[f"ball.{kind}"],
                                    legendgroup=kind, meta=f"ball-{kind}",
                                    marker=dict(size=6, color=BALL_COLOURS[kind], opacity=0.75)), row=2, col=1)
        distance = ball[kind]["median_distance"]
        if distance is not None:
            figure.add_trace(go.Scatter(x=ball["epochs"][1:], y=np.asarray(distance[1:], dtype=np.float32),
                                        mode="lines+markers", name=labels[f"ball.{kind}"], legendgroup=kind,
                                        showlegend=False, line=dict(color=BALL_COLOURS[kind], width=2.2),
                                        marker=dict(size=5)), row=2, col=2)
    if minimum is not None:
        figure.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers", name=labels["minimum"],
                                    marker=dict(symbol="star", size=14, color="#F0E442",
                                                line=dict(width=1.2, color="black"))), row=2, col=1)
    apply_layout(figure, "", "", "", height=height)
    figure.update_xaxes(type="log", exponentformat="power", title_text=labels["updates"], row=1, col=1)
    figure.update_xaxes(title_text=labels["epochs"], row=1, col=2)
    figure.update_xaxes(title_text=labels["epochs"], row=2, col=2)
    for column in (1, 2):
        figure.update_yaxes(type="log", exponentformat="power", tickformat=".2~g", nticks=6, row=1, col=column)
    distances = [ball[kind]["median_distance"] for kind in ("constant", "decaying")]
    shown = np.concatenate([values[1:] for values in distances if values is not None] or [np.ones(1)])
    figure.update_yaxes(type="log", tickvals=log_ticks(shown), tickformat=".2~g", row=2, col=2)
    axes = labels.get("axes", ("w", "b"))
    figure.update_xaxes(title_text=axes[0], row=2, col=1)
    figure.update_yaxes(title_text=axes[1], scaleanchor="x3", scaleratio=1, row=2, col=1)
    figure.update_layout(margin=dict(l=55, r=10, t=60, b=40),
                         legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="left", x=0))
    return figure
