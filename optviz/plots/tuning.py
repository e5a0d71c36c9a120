"""Figures of a network's tuning: the learning-rate range test (loss against a log learning rate, per lane, with
its two suggestions) and a random search (learning rate against weight decay, coloured by validation loss)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from optviz.engine.spec import format_plain

from .style import apply_layout

FAINT = 0.22  # the raw mini-batch losses: there to show the noise the smoothing takes out, not to be read
SUGGESTION_SYMBOLS = {"steepest": "circle", "min_ten": "diamond"}
UNRELIABLE = "#9e9e9e"  # a "steepest" read off a curve without a clear descent: greyed, open, its label with "?"


def short(value: float) -> str:
    """A learning rate as a lane widget shows it: 2 significant digits, plain (0.0032, 3.2e-05, 0.32)."""
    return format_plain(float(f"{value:.1e}"))


def range_y_limits(series: list[dict]) -> tuple[float, float]:
    """The loss axis of a range test: from a little below the lowest smoothed loss to 1.6 × the highest loss the
    lanes started from. Above that the loss has exploded and would squash the part that decides the choice (raw
    losses of 10 against a valley at 0.6): those points leave the chart at the top."""
    smoothed = [np.asarray(item["smoothed"], dtype=float) for item in series if len(item["smoothed"])]
    finite = [values[np.isfinite(values)] for values in smoothed]
    finite = [values for values in finite if len(values)]
    if not finite:
        return 0.0, 1.0
    low = min(values.min() for values in finite)
    start = max(values[: max(1, len(values) // 10)].max() for values in finite)
    high = max(1.6 * start, low * 1.05 + 1e-12)
    return max(0.0, low - 0.08 * (high - low)), high


def range_figure(series: list[dict], labels: dict, height: int = 480) -> go.Figure:
    """The range test of each lane of `series` (dicts with "label", "colour", "lrs", "losses", "smoothed",
    "steepest", "steepest_index", "min_ten", "minimum_index"): the smoothed loss in the lane's colour over the raw
    loss (faint), against the learning rate on a log axis; each suggestion marked on the curve and labelled with
    its value; a steepest point the lane's "steepest_reliable" says not to trust is grey and open, its label ends
    in "?". `labels`: title, lr, loss, raw, steepest, min_ten, unreliable."""
    figure = go.Figure()
    for item in series:
        lrs = np.asarray(item["lrs"], dtype=float)
        figure.add_trace(go.Scatter(x=lrs, y=item["losses"], mode="lines", name=f"{item['label']} · {labels['raw']}",
                                    line=dict(color=item["colour"], width=1), opacity=FAINT, showlegend=False,
                                    hovertemplate="η %{x:.2e}<br>%{y:.4g}<extra>" + labels["raw"] + "</extra>"))
        figure.add_trace(go.Scatter(x=lrs, y=item["smoothed"], mode="lines", name=item["label"],
                                    line=dict(color=item["colour"], width=2.5),
                                    hovertemplate="η %{x:.2e}<br>%{y:.4g}<extra>" + item["label"] + "</extra>"))
        for name, symbol in SUGGESTION_SYMBOLS.items():
            value = item.get(name)
            if value is None:
                continue
            y = float(np.interp(math.log(value), np.log(lrs), np.asarray(item["smoothed"], dtype=float)))
            doubtful = name == "steepest" and not item.get("steepest_reliable", True)
            colour = UNRELIABLE if doubtful else item["colour"]
            figure.add_trace(go.Scatter(
                x=[value], y=[y], mode="markers+text", text=[short(value) + ("?" if doubtful else "")],
                textposition="bottom center" if name == "steepest" else "top center",
                textfont=dict(color=colour, size=13), showlegend=False,
                marker=dict(symbol=symbol, size=12, color="white" if name == "min_ten" or doubtful else colour,
                            line=dict(color=colour, width=2.5)),
                hovertemplate=f"{labels[name]}: {short(value)}"
                              + (f" ({labels['unreliable']})" if doubtful else "")
                              + f"<extra>{item['label']}</extra>"))
    for name, symbol in SUGGESTION_SYMBOLS.items():  # a legend of the two markers, in grey
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=labels[name],
                                    marker=dict(symbol=symbol, size=11, color="white" if name == "min_ten" else "#555",
                                                line=dict(color="#555", width=2))))
    apply_layout(figure, labels["title"], labels["lr"], labels["loss"], height=height)
    low, high = range_y_limits(series)
    figure.update_xaxes(type="log", exponentformat="power", dtick=1)
    figure.update_yaxes(range=[low, high])
    figure.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                         margin=dict(l=60, r=20, t=70, b=50))
    return figure


def search_figure(result: dict, labels: dict, colour: str, height: int = 480) -> go.Figure:
    """A random search's trials: learning rate (x, log) against weight decay (y, log), each a point coloured by
    its best validation loss (the colour scale runs from the best trial to the untrained network's loss: worse
    than not training is all one colour), one marker shape per batch size when batch sizes were searched, trials
    that diverged or failed as grey crosses, the best ringed in the lane's `colour` and labelled. Without a weight
    decay to search (an optimizer without one), y is the validation loss. `labels`: title, lr, weight_decay,
    val_loss, best, failed, batch; best_text (the best trial's label, else "best: <lr>")."""
    trials, best = result["trials"], result["best"]
    with_decay = any(trial.get("weight_decay") is not None for trial in trials)
    good = [trial for trial in trials if math.isfinite(trial["val_loss"])]
    bad = [trial for trial in trials if not math.isfinite(trial["val_loss"])]

    def y_of(trial: dict) -> float:
        return trial["weight_decay"] if with_decay else trial["val_loss"]

    figure = go.Figure()
    if good:
        losses = np.asarray([trial["val_loss"] for trial in good])
        ceiling = np.nanmax([trial.get("initial_val_loss", np.nan) for trial in good] + [np.nan])
        top = float(ceiling) if np.isfinite(ceiling) and ceiling > losses.min() else float(losses.max())
        symbols = ("circle", "square", "diamond", "triangle-up", "pentagon", "hexagon")
        sizes = sorted({trial["batch_size"] for trial in good}) if result.get("searched_batch") else [None]
        for number, size in enumerate(sizes):
            chosen = [trial for trial in good if size is None or trial["batch_size"] == size]
            figure.add_trace(go.Scatter(
                x=[trial["lr"] for trial in chosen], y=[y_of(trial) for trial in chosen], mode="markers",
                name=f"{labels['batch']} {size}" if size is not None else labels["val_loss"], showlegend=False,
                marker=dict(size=15, symbol=symbols[number % len(symbols)],
                            color=[trial["val_loss"] for trial in chosen], colorscale="Viridis",
                            cmin=float(losses.min()), cmax=top, line=dict(color="white", width=1),
                            showscale=number == 0,
                            colorbar=dict(title=dict(text=labels["val_loss"], side="right"), thickness=14)),
                customdata=[[trial["val_loss"], trial.get("val_acc", math.nan), trial["batch_size"],
                             trial.get("weight_decay") or 0.0] for trial in chosen],
                hovertemplate=(f"{labels['lr']} %{{x:.2g}}<br>{labels['weight_decay']} %{{customdata[3]:.2g}}<br>"
                               f"{labels['batch']} %{{customdata[2]}}<br>{labels['val_loss']} %{{customdata[0]:.4f}}"
                               "<br>%{customdata[1]:.1%}<extra></extra>")))
        for number, size in enumerate(sizes if sizes != [None] else []):  # the shapes' legend, in grey
            figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{labels['batch']} {size}",
                                        marker=dict(size=11, symbol=symbols[number % len(symbols)], color="#666")))
    if bad:
        floor = min((y_of(trial) for trial in good), default=1.0) if not with_decay else None
        figure.add_trace(go.Scatter(
            x=[trial["lr"] for trial in bad], y=[y_of(trial) if with_decay else floor for trial in bad],
            mode="markers", name=labels["failed"], marker=dict(symbol="x", size=12, color="#888")))
    if best is not None:
        chosen = trials[best]
        figure.add_trace(go.Scatter(
            x=[chosen["lr"]], y=[y_of(chosen)], mode="markers+text", name=labels["best"],
            text=[labels.get("best_text") or f"{labels['best']}: {short(chosen['lr'])}"],
            textposition="top center", textfont=dict(color=colour, size=13),
            marker=dict(symbol="circle-open", size=28, color=colour, line=dict(width=3)), hoverinfo="skip"))
    apply_layout(figure, labels["title"], labels["lr"], labels["weight_decay"] if with_decay else labels["val_loss"],
                 height=height)
    ranges = result.get("ranges") or {}
    figure.update_xaxes(type="log", exponentformat="power", dtick=1,
                        range=_log_range(ranges.get("lr"), [trial["lr"] for trial in trials]))
    figure.update_yaxes(type="log", exponentformat="power", dtick=1,
                        range=_log_range(ranges.get("weight_decay") if with_decay else None,
                                         [y_of(trial) for trial in good] or [1.0]))
    figure.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
                         margin=dict(l=60, r=20, t=70, b=50))
    return figure


def _log_range(bounds: tuple[float, float] | None, values: list[float]) -> list[float]:
    """A log axis's range (in decades) over the drawn `bounds` (where trials could fall), or the values, padded."""
    finite = [value for value in values if value and math.isfinite(value) and value > 0]
    low, high = bounds if bounds else (min(finite, default=0.1), max(finite, default=1.0))
    return [math.log10(low) - 0.15, math.log10(high) + 0.15]
