"""Widgets generated from hyperparameter specs: one function for every knob of the registry."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import streamlit as st

from optviz.engine.spec import BOOL, INT, Spec, format_plain

MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)


def log_options(low: float, high: float) -> list[float]:
    """Values from low to high, 11 per decade (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 × 10^k)."""
    options = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in MANTISSAS:
            value = float(f"{mantissa * 10.0**exponent:.6g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                options.append(value)
    return options


def scale_of(spec: Spec) -> str:
    """'log' for log-scale knobs, 'zerolog' for 'off or small' knobs (weight decay, noise), else 'linear'."""
    if spec.log:
        return "log"
    if spec.ui_low == 0 and spec.high is None:
        return "zerolog"
    return "linear"


def options_of(spec: Spec, current: Any) -> list[float]:
    """The choices of a select slider for `spec`, with the current value always among them."""
    if scale_of(spec) == "log":
        options = log_options(spec.ui_low, spec.ui_high)
    else:
        high = spec.ui_high or 1.0
        options = [0.0, *log_options(high / 1e4, high)]
    if current is not None and float(current) not in options:
        options = sorted({*options, float(current)})
    return options


def linear_step(spec: Spec) -> float:
    """A slider step that reaches both ends exactly: 0.999 needs 0.001, 0.9999 needs 0.0001."""
    decimals = max(len(format_plain(value).partition(".")[2]) for value in (spec.ui_low, spec.ui_high))
    return 10.0 ** -max(decimals, 2)


def spec_value(spec: Spec, key: str, default: Any) -> Any:
    """The value the widget of `spec` under `key` holds, or will hold when drawn: `default` the first time, a linear
    slider's value kept inside its range (but not rounded to its step: a value from a link, β = 0.29264, stays
    exact). Lets a page read a widget's value before drawing it."""
    if key not in st.session_state:
        st.session_state[key] = default
    if spec.kind not in (BOOL, INT) and scale_of(spec) == "linear":
        value = float(np.clip(st.session_state[key], spec.ui_low, spec.ui_high))
        if value != st.session_state[key]:
            st.session_state[key] = value
    return st.session_state[key]


def spec_widget(spec: Spec, key: str, lang: str, default: Any, container=st, label: str | None = None) -> Any:
    """Draw the widget of `spec` under session key `key` (set to `default` the first time); return its value.

    `label` replaces the spec's own label (e.g. to name the optimizer it belongs to)."""
    spec_value(spec, key, default)
    label, help_text = label or spec.label(lang), spec.help(lang)
    if spec.kind == BOOL:
        return container.toggle(label, key=key, persist_state="session", help=help_text)
    if spec.kind == INT:
        low = int(spec.low) if spec.low is not None else None
        high = int(spec.high) if spec.high is not None else None
        return container.number_input(label, min_value=low, max_value=high, step=1, key=key,
                                      persist_state="session", help=help_text)
    if scale_of(spec) == "linear":
        step = linear_step(spec)
        value = float(st.session_state[key])  # inside the slider (spec_value); shown with as many decimals as it has
        decimals = min(8, max(2, -int(math.log10(step)), len(format_plain(value).partition(".")[2])))
        return container.slider(label, min_value=float(spec.ui_low), max_value=float(spec.ui_high), step=step,
                                key=key, persist_state="session", help=help_text, format=f"%.{decimals}f")
    options = options_of(spec, st.session_state[key])
    return container.select_slider(label, options=options, key=key,
                                   persist_state="session", help=help_text, format_func=format_plain)
