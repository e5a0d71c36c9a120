"""2D loss surfaces: the built-in library and user-typed expressions, named by one string.

    surface("rosenbrock")                 a built-in surface at its default settings
    surface("quadratic:a=0.1,b=2")        with settings
    surface("expr:x^2 + 3*y^2")           a function typed by the user (see expression.py)
"""

from __future__ import annotations

from optviz.i18n import text

from .expression import MAX_LENGTH, CompiledExpression, ExpressionError, compile_expression
from .library import FAMILIES, QUADRATIC_PRESETS, Family, Surface

EXPRESSION_PREFIX = "expr:"
EXPRESSION_VIEW = (-5.0, 5.0, -5.0, 5.0)

__all__ = [
    "EXPRESSION_PREFIX",
    "FAMILIES",
    "QUADRATIC_PRESETS",
    "CompiledExpression",
    "ExpressionError",
    "Family",
    "Surface",
    "expression_surface",
    "surface",
]


def expression_surface(source: str) -> Surface:
    """A surface from a typed f(x, y); ExpressionError says what is wrong and where."""
    compiled = compile_expression(source)
    return Surface(
        EXPRESSION_PREFIX + source,
        f"f(x, y) = {source}",
        f"f(x, y) = {source}",
        "f(x, y) = " + compiled.latex,
        compiled.value_and_grad,
        EXPRESSION_VIEW,
        ((-4.0, 3.0), (3.0, -2.0)),
        (),
        None,
        text("surface.expression_lesson", "en"),
        text("surface.expression_lesson", "zh"),
        {"expression": source},
    )


def surface(name: str) -> Surface:
    """The surface named by `name`: 'NAME', 'NAME:k=v,k=v' or 'expr:f(x, y)'. ValueError if it is wrong."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a surface is needed: one of {', '.join(FAMILIES)}, or expr:f(x, y)")
    if name.startswith(EXPRESSION_PREFIX):
        return expression_surface(name[len(EXPRESSION_PREFIX):])
    if len(name) > MAX_LENGTH:
        raise ValueError(f"the surface name has {len(name)} characters; at most {MAX_LENGTH} are allowed")
    family_name, _, settings_text = name.partition(":")
    family_name = family_name.strip()
    if family_name not in FAMILIES:
        raise ValueError(f"unknown surface {family_name[:40]!r}: known are {', '.join(FAMILIES)}, or expr:f(x, y)")
    settings: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in settings_text.split(","))):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"surface {family_name}: {item[:40]!r} should be KEY=VALUE")
        try:
            settings[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"surface {family_name}: {key.strip()} = {value.strip()[:40]!r} is not a number") from None
    return FAMILIES[family_name].make(**settings)
