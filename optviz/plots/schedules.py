"""The learning rate of each step, one line per schedule."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import apply_layout, lane_colour


def schedule_figure(curves: dict[str, np.ndarray], title: str, x_title: str, y_title: str,
                    height: int = 420) -> go.Figure:
    """One line per schedule: `curves` maps a label to lr for steps 1..n."""
    figure = go.Figure()
    for index, (label, values) in enumerate(curves.items()):
        steps = np.arange(1, len(values) + 1)
        figure.add_trace(
            go.Scatter(x=steps, y=np.asarray(values, dtype=np.float32), mode="lines", name=label,
                       line=dict(color=lane_colour(index), width=2))
        )
    return apply_layout(figure, title, x_title, y_title, height=height)
