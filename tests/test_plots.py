"""The playground's figures: the surface drawn once as a picture, lane colours that stand out against it, outlined
paths with end markers, and an animation whose frames never touch the surface."""

import base64
import struct
import zlib

import numpy as np
import pytest

from optviz.plots import playground as figures
from optviz.plots.raster import SURFACE_SCALE, band_image, contrast_ratio, median_colour, png_bytes
from optviz.plots.style import LANE_COLOURS
from optviz.surfaces import surface

LABELS = {"colorbar": "c", "minimum": "min", "start": "start", "step": "step", "play": "Play", "pause": "Pause",
          "title": ""}


def grid(name="rosenbrock", resolution=60):
    chosen = surface(name)
    x0, x1, y0, y1 = chosen.view
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    return chosen, {"x": xs, "y": ys, "z": chosen.value(np.stack(np.meshgrid(xs, ys), axis=-1))}


@pytest.mark.parametrize("colour", LANE_COLOURS)
def test_every_lane_colour_stands_out_against_the_middle_of_the_surface(colour):
    assert contrast_ratio(colour, median_colour()) >= 3.0


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert median_colour(SURFACE_SCALE) == "#dde6ec"


def decode_png(data: bytes) -> np.ndarray:
    """A decoder for the PNGs png_bytes writes (8-bit RGBA, filter 0), to check them byte for byte."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        length = struct.unpack(">I", data[position:position + 4])[0]
        kind = data[position + 4:position + 8]
        payload = data[position + 8:position + 8 + length]
        assert struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0] == zlib.crc32(kind + payload)
        chunks[kind] = chunks.get(kind, b"") + payload
        position += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[row * (4 * width + 1) + 1:(row + 1) * (4 * width + 1)] for row in range(height)]
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, 4)


def test_the_surface_picture_is_a_valid_png_of_bands_with_undefined_points_transparent():
    display = np.log10(np.add.outer(np.linspace(1, 4, 30), np.linspace(0, 3, 40)))
    display[0, 0] = np.nan
    image = band_image(display, levels=10)
    assert image.shape == (30, 40, 4)
    assert image[-1, 0, 3] == 0 and image[0, 0, 3] == 255  # rows flipped: display row 0 is the image's last row
    assert np.array_equal(decode_png(png_bytes(image)), image)
    assert len({tuple(pixel) for pixel in image[..., :3].reshape(-1, 3)}) <= 2 * 10  # bands and their lines


def test_the_overlay_draws_the_surface_as_one_image_and_every_lane_outlined_with_an_end():
    chosen, contour = grid()
    picture = figures.surface_picture(contour)
    assert picture["source"].startswith("data:image/png;base64,")
    decode_png(base64.b64decode(picture["source"].split(",", 1)[1]))
    paths = [{"label": f"lane {index}", "colour": LANE_COLOURS[index], "xy": np.array([[0.0, 0.0], [index, 1.0]]),
              "loss": np.array([1.0, 0.5]), "steps": np.arange(2)} for index in range(3)]
    figure = figures.overlay_figure(picture, paths, chosen.minima, (0.0, 0.0), chosen.view, LABELS)
    assert len(figure.layout.images) == 1 and figure.layout.images[0].layer == "below"
    assert not any(trace.type == "contour" for trace in figure.data)  # nothing for plotly to re-contour per rerun
    metas = [trace.meta for trace in figure.data]
    # one outline trace under every lane (paths joined by gaps), one line per lane, one trace of end markers
    assert metas.index("outlines") < metas.index("path-0") and metas.count("outlines") == metas.count("ends") == 1
    outlines = figure.data[metas.index("outlines")]
    assert np.isnan(outlines.x).sum() == 3 and outlines.line.width > 5
    ends = figure.data[metas.index("ends")]
    assert list(ends.x) == [0, 1, 2] and list(ends.y) == [1.0, 1.0, 1.0]
    assert list(ends.marker.color) == list(LANE_COLOURS[:3])
    for index in range(3):
        line = figure.data[metas.index(f"path-{index}")]
        assert line.line.width > 2.5 and line.line.color == LANE_COLOURS[index]
        assert list(line.x) == [0, index]


def test_the_animation_keeps_the_surface_out_of_its_frames():
    chosen, contour = grid()
    xy = np.cumsum(np.full((50, 2), 0.01), axis=0)
    paths = [{"label": "a", "colour": LANE_COLOURS[0], "xy": xy, "loss": np.ones(50), "steps": np.arange(50)}]
    picture = figures.surface_picture(contour)
    figure = figures.animation_figure(picture, paths, chosen.minima, (0.0, 0.0), chosen.view, LABELS)
    assert len(figure.layout.images) == 1
    assert all(set(frame.traces) == {0, 1} for frame in figure.frames)  # the lane's line and end, nothing else
    assert figure.data[0].meta == "path-0" and figure.data[1].meta == "end-0"
    assert all(len(frame.data[0].x) <= figures.ANIMATION_POINTS + 1 for frame in figure.frames)
    assert len(figure.to_json()) < 300_000  # 80 frames of full paths used to be megabytes
