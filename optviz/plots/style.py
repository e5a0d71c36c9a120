"""One look for every chart: lane colours (the same lane has the same colour everywhere) and layout."""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe-Ito, colour-blind safe, in a fixed order: lane k always gets LANE_COLOURS[k].
LANE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def lane_colour(index: int) -> str:
    """The colour of lane `index`, the same in every chart."""
    return LANE_COLOURS[index % len(LANE_COLOURS)]


def apply_layout(figure: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """Titles, axis labels, a light template and compact margins."""
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        height=height,
        margin=dict(l=60, r=20, t=50, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
    )
    return figure
