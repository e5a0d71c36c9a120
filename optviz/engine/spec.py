"""Hyperparameter specs: one description per knob, used by validation, widgets, formulas and the CLI.

A spec says what values a hyperparameter may take (its domain, checked at the engine's edge) and what a
slider should offer (its UI range, usually narrower). Float hyperparameters may be arrays with the batch shape
B of the runs (they broadcast against parameters of shape (d, *B)), so that K settings run as one call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FLOAT = "float"
INT = "int"
BOOL = "bool"


@dataclass(frozen=True)
class Spec:
    """One hyperparameter: its name, labels, symbol, default, allowed domain and slider range."""

    name: str
    label_en: str
    label_zh: str
    symbol: str
    default: Any
    kind: str = FLOAT
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    ui_low: float | None = None
    ui_high: float | None = None
    log: bool = False
    help_en: str = ""
    help_zh: str = ""
    extra: dict = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The label in language `lang` ('en' or 'zh')."""
        return self.label_zh if lang == "zh" else self.label_en

    def help(self, lang: str) -> str:
        """The help text in language `lang`."""
        return self.help_zh if lang == "zh" else self.help_en

    def domain_text(self) -> str:
        """The allowed values, written as an interval, e.g. '[0, 1)'."""
        if self.kind == BOOL:
            return "true or false"
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        low = "-inf" if self.low is None else format_plain(self.low)
        high = "inf" if self.high is None else format_plain(self.high)
        if self.low is None:
            left = "("
        if self.high is None:
            right = ")"
        text = f"{left}{low}, {high}{right}"
        return text + (" (an integer)" if self.kind == INT else "")

    def validate(self, value: Any, owner: str) -> Any:
        """Check `value` against the domain; return it normalized (float array, int or bool).

        Raises ValueError naming the parameter, the value and the allowed range.
        """
        where = f"{owner}: {self.name}"
        if self.kind == BOOL:
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            flag = parse_boolean(value) if isinstance(value, str) else None
            if flag is not None:
                return flag
            raise ValueError(f"{where} = {value!r} is not allowed: must be true or false")
        if self.kind == INT:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{where} = {value!r} is not a number: allowed {self.domain_text()}") from None
            if not math.isfinite(number) or number != int(number):
                raise ValueError(f"{where} = {value!r} is not allowed: must be an integer in {self.domain_text()}")
            number = int(number)
            self._check_range(np.asarray(float(number)), value, where)
            return number
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{where} = {value!r} is not a number: allowed {self.domain_text()}") from None
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{where} = {value!r} is not finite: allowed {self.domain_text()}")
        self._check_range(array, value, where)
        return float(array) if array.ndim == 0 else array

    def _check_range(self, array: np.ndarray, value: Any, where: str) -> None:
        ok = np.ones(array.shape, dtype=bool)
        if self.low is not None:
            ok &= (array >= self.low) if self.low_inclusive else (array > self.low)
        if self.high is not None:
            ok &= (array <= self.high) if self.high_inclusive else (array < self.high)
        if not np.all(ok):
            bad = array[~ok].flat[0] if array.ndim else array
            shown = format_plain(float(bad)) if array.ndim else _show(value)
            raise ValueError(f"{where} = {shown} is out of range: allowed {self.domain_text()}")


def parse_boolean(text: str) -> bool | None:
    """'true' or 'false' (any case, spaces around) as a bool; None for any other text."""
    word = text.strip().lower()
    return {"true": True, "false": False}.get(word)


def _show(value: Any) -> str:
    if isinstance(value, (int, float, np.floating, np.integer)):
        return format_plain(float(value))
    return repr(value)


def format_plain(value: float) -> str:
    """A number as short plain text with the precision it needs: 0.999 stays 0.999, 1e-08 stays 1e-08."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_latex(value: Any) -> str:
    """A number (or a batch of numbers) for a LaTeX formula: 1e-08 becomes 10^{-8}, 0.999 stays 0.999."""
    if isinstance(value, (bool, np.bool_)):
        return r"\text{true}" if value else r"\text{false}"
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 0 and array.size > 1:
        return r"\{" + format_latex(array.min()) + r"\ldots" + format_latex(array.max()) + r"\}"
    number = float(array.reshape(()))
    if number == 0:
        return "0"
    text = f"{number:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        exponent_text = str(int(exponent))
        if mantissa in ("1", "1.0"):
            return f"10^{{{exponent_text}}}"
        return rf"{mantissa}\times 10^{{{exponent_text}}}"
    return text


_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill_placeholders(text: str, shown: Callable[[str], str]) -> str:
    """A formula with every {{name}} replaced by shown(name): its symbol, or its live value (the one renderer of the
    rules', tricks' and schedules' LaTeX)."""
    return _PLACEHOLDER.sub(lambda match: shown(match.group(1)), text)


def validate_all(specs: dict[str, Spec], values: dict[str, Any], owner: str) -> dict[str, Any]:
    """Defaults filled in, every value checked; unknown names raise ValueError listing the known ones."""
    unknown = sorted(set(values) - set(specs))
    if unknown:
        known = ", ".join(specs) or "none"
        raise ValueError(f"{owner}: unknown hyperparameter {unknown[0]!r}: known are {known}")
    checked = {}
    for name, spec in specs.items():
        checked[name] = spec.validate(values.get(name, spec.default), owner)
    return checked
