"""One look for every chart: lane colours (the same lane has the same colour everywhere) and layout."""

from __future__ import annotations

import plotly.graph_objects as go

# Colour-blind safe hues (Okabe-Ito's blue, Tol's green, wine and purple, darker vermillion and ochre), in a
# fixed order: lane k always gets LANE_COLOURS[k]. Each keeps a contrast of at least 3:1 against the middle of the
# surfaces' colour scale (optviz.plots.raster.SURFACE_SCALE; tests/test_plots.py holds it), so no lane vanishes.
LANE_COLOURS = ("#0072B2", "#C24E00", "#117733", "#AA3377", "#6A3D9A", "#8A5A00", "#000000", "#0E7C7B")


# plotly_white's look, kept to the layout properties our charts use and built once: naming "plotly_white" on every
# figure made plotly copy and validate the whole template, 17 ms of a 29 ms playground figure (bench/browser.py).
_LIGHT_KEYS = ("paper_bgcolor", "plot_bgcolor", "font", "xaxis", "yaxis", "colorway", "hovermode", "hoverlabel",
               "title", "colorscale", "coloraxis", "scene")


def _light_template() -> go.layout.Template:
    import plotly.io as pio

    layout = pio.templates["plotly_white"].layout.to_plotly_json()
    return go.layout.Template(layout={key: layout[key] for key in _LIGHT_KEYS if key in layout})


LIGHT_TEMPLATE = _light_template()


def lane_colour(index: int) -> str:
    """The colour of lane `index`, the same in every chart."""
    return LANE_COLOURS[index % len(LANE_COLOURS)]


def apply_layout(figure: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """Titles, axis labels, a light template and compact margins."""
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        template=LIGHT_TEMPLATE,
        height=height,
        margin=dict(l=60, r=20, t=50, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
    )
    return figure
