"""Cached computations for the pages, keyed by plain names and hashable lanes, bounded in size."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.engine.driver import Trajectory
from optviz.runs import Axis, Basins, Lane, SweepResult, basins, run_lane, sweep
from optviz.surfaces import Surface, surface

GRID_RESOLUTION = 100


@st.cache_resource(max_entries=64, show_spinner=False)
def get_surface(name: str) -> Surface:
    """The surface named `name` (an immutable object: compiled once, shared by every session)."""
    return surface(name)


@st.cache_data(max_entries=256, show_spinner=False)
def run_cached(surface_name: str, lane: Lane, start: tuple[float, float], steps: int) -> Trajectory:
    """One lane's path with its optimizer state recorded (for the step inspector)."""
    return run_lane(get_surface(surface_name), lane, np.array(start, dtype=np.float64), steps, record_state=True)


@st.cache_data(max_entries=64, show_spinner=False)
def contour_grid(surface_name: str, resolution: int = GRID_RESOLUTION) -> dict:
    """f on a grid over the view, float32, with NaN where f is undefined."""
    chosen = get_surface(surface_name)
    x_min, x_max, y_min, y_max = chosen.view
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)
    values = chosen.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    values = np.where(np.isfinite(values), values, np.nan)
    return {"x": xs.astype(np.float32), "y": ys.astype(np.float32), "z": values.astype(np.float32)}


PICTURE_RESOLUTION = 480


@st.cache_data(max_entries=64, show_spinner=False)
def surface_picture_cached(surface_name: str, resolution: int = PICTURE_RESOLUTION) -> dict:
    """The surface drawn once as a banded PNG (optviz.plots.playground.surface_picture), for every chart over it."""
    from optviz.plots.playground import surface_picture

    return surface_picture(contour_grid(surface_name, resolution))


@st.cache_data(max_entries=32, show_spinner=False)
def sweep_cached(surface_name: str, lane: Lane, x_axis: tuple, y_axis: tuple | None, start: tuple[float, float],
                 steps: int) -> SweepResult:
    """A sweep; axes as (name, low, high, count, log) so that the cache key is plain data."""
    x = Axis.make(*x_axis)
    y = Axis.make(*y_axis) if y_axis is not None else None
    # Half of a large grid goes to a forked process: NumPy's calls on a sweep's chunks are too short for two
    # threads to share the GIL well. The child only computes and pipes back its arrays, then os._exit()s; a child
    # that fails or hangs is killed and its share computed here (optviz.parallel.fork_map).
    return sweep(get_surface(surface_name), lane, x, y, start, steps, processes=True)


@st.cache_data(max_entries=32, show_spinner=False)
def basins_cached(surface_name: str, lane: Lane, resolution: int, steps: int) -> Basins:
    """The basin map of one lane over the surface's view, resolution x resolution starts (forked, as sweeps)."""
    chosen = get_surface(surface_name)
    x_min, x_max, y_min, y_max = chosen.view
    return basins(chosen, lane, np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution), steps,
                  processes=True)
