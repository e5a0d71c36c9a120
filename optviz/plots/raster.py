"""A surface as one picture: filled, log-spaced contour bands with their lines, encoded as a PNG data URI.

Plotly redraws a filled contour of 20 levels on every update (about 0.23 s on a laptop, most of a slider move's
redraw); the paths are what changes, not the surface. So the surface is drawn once, here, into an image that the
figure places under the paths (layout.images) and that the page caches per surface.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

# The surface's colour scale: light and low in saturation, darker towards the minimum, so that every lane colour
# (optviz.plots.style.LANE_COLOURS) keeps a contrast of at least 3:1 against it.
SURFACE_SCALE = ((0.0, "#9fb8c8"), (0.25, "#c3d3dd"), (0.5, "#dde6ec"), (0.75, "#eef2f4"), (1.0, "#fbfbf8"))
LINE_DARKEN = 0.88  # a contour line is its band's colour times this
LEVELS = 20


def hex_rgb(colour: str) -> np.ndarray:
    """'#rrggbb' as floats in [0, 1]."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255.0


def scale_colours(fractions: np.ndarray, scale=SURFACE_SCALE) -> np.ndarray:
    """RGB in [0, 1] for each fraction in [0, 1] by linear interpolation along `scale`."""
    stops = np.array([stop for stop, _ in scale])
    colours = np.stack([hex_rgb(colour) for _, colour in scale])
    return np.stack([np.interp(fractions, stops, colours[:, channel]) for channel in range(3)], axis=-1)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours in [0, 1]."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two '#rrggbb' colours (1 to 21)."""
    light, dark = sorted((float(relative_luminance(hex_rgb(first))), float(relative_luminance(hex_rgb(second)))),
                         reverse=True)
    return (light + 0.05) / (dark + 0.05)


def median_colour(scale=SURFACE_SCALE) -> str:
    """The scale's colour at its middle, as '#rrggbb'."""
    rgb = scale_colours(np.array([0.5]), scale)[0]
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def band_image(display: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """uint8 RGBA (rows top to bottom) of `display` (rows bottom to top, NaN = undefined) in `levels` bands,
    each band's border a slightly darker line; undefined points transparent."""
    finite = np.isfinite(display)
    height, width = display.shape
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    if not finite.any():
        return rgba
    low, high = float(display[finite].min()), float(display[finite].max())
    span = high - low or 1.0
    band = np.clip(np.floor((np.where(finite, display, low) - low) / span * levels), 0, levels - 1).astype(np.int32)
    colours = scale_colours((band + 0.5) / levels)
    edge = np.zeros_like(finite)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    colours = np.where(edge[..., None], colours * LINE_DARKEN, colours)
    rgba[..., :3] = np.round(colours * 255).astype(np.uint8)
    rgba[..., 3] = np.where(finite, 255, 0)
    return rgba[::-1]  # an image's first row is its top


def png_bytes(rgba: np.ndarray) -> bytes:
    """A minimal PNG (8-bit RGBA, no interlace) of `rgba` (height, width, 4)."""
    height, width, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def data_uri(display: np.ndarray, levels: int = LEVELS) -> str:
    """The banded picture of `display` as a 'data:image/png;base64,…' URI for a Plotly layout image."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(band_image(display, levels))).decode("ascii")
