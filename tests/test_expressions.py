"""User-typed surfaces: hostile text is refused with a message and never executed; good text is differentiated."""

import time
from pathlib import Path

import numpy as np
import pytest

from optviz.surfaces import ExpressionError, expression_surface, surface
from optviz.surfaces.expression import compile_expression

SENTINEL = Path("/tmp/optviz-expression-sentinel")

HOSTILE = [
    "__import__('os').system('touch /tmp/optviz-expression-sentinel')",
    "import os",
    "exec('x')",
    "eval('1+1')",
    "open('/etc/passwd').read()",
    "x.__class__",
    "x.real",
    "().__class__.__bases__[0].__subclasses__()",
    "__builtins__",
    "globals()",
    "locals()",
    "lambda: 1",
    "lambda x: x",
    "[x for x in range(9)]",
    "{x: y}",
    "{x, y}",
    "(x, y)",
    "x if y else 1",
    "x and y",
    "x or y",
    "not x",
    "x < y",
    "x == y",
    "x % 2",
    "x // 2",
    "x @ y",
    "x & y",
    "x | y",
    "~x",
    "x << 2",
    "x; y",
    "x = 1",
    "x := 1",
    "f'{x}'",
    "'abc'",
    "b'x'",
    "\"x\"",
    "x[0]",
    "sin(x)(y)",
    "print(x)",
    "getattr(x, 'real')",
    "sin(x=1)",
    "min(x)",
    "max(x, y, 1)",
    "sin",
    "sin x",
    "2x",
    "x y",
    "9**9**9",
    "9^9^9",
    "2^(3*4)",
    "x^100",
    "x^(-65)",
    "10 ** 10 ** 10 ** 10",
    "x" * 10_000,
    "(" * 200 + "x" + ")" * 200,
    "sin(" * 30 + "x" + ")" * 30,
    "+".join(["x"] * 150),
    "хx",  # Cyrillic ha
    "ｘ^2",  # full-width x
    "x⁰",
    "x²",
    "π*x",
    "x − y",  # minus sign U+2212
    "x\u200by",  # zero-width space
    "\x00",
    "",
    "   ",
    "(x",
    "x)",
    "x +",
    "* x",
    "1/0 + x",
    "log(0) + x",
    "exp(1000)^2 + x",
    "xx",
    "sinh(x",
    "Sin(x)",
    "e^",
    "1e400 * x",
    "00000000000000000000000001 + x",
    "\\x",
    "x$",
    "`x`",
    "#x",
    "x!",
    "x?",
    "x...",
]


@pytest.fixture(scope="module", autouse=True)
def sympy_loaded():
    """Import sympy once, so that no single case below is charged for it."""
    compile_expression("x")
    SENTINEL.unlink(missing_ok=True)
    yield
    assert not SENTINEL.exists(), "an expression was executed"


def test_the_hostile_table_is_large():
    assert len(HOSTILE) >= 50


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(text[:24]) for text in HOSTILE])
def test_hostile_expressions_are_refused_quickly(text):
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        expression_surface(text)
    assert time.perf_counter() - started < 1.0
    error = caught.value
    english, chinese = error.message("en"), error.message("zh")
    assert english and chinese and english != chinese
    assert "Traceback" not in english
    assert not SENTINEL.exists()


@pytest.mark.parametrize(("text", "position"), [
    ("x + sqrt(y) + foo(x)", 15),
    ("2*x + 3y", 8),
    ("x ** (y", 6),
    ("sin(x) + x.real", 11),
    ("x * * y", 5),
    ("x**", 3),
    ("x^2+y^2+", 8),
    ("sin(x) +   ", 8),
    ("(x + 1) * -", 11),
])
def test_messages_say_where(text, position):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert caught.value.position == position
    assert f"character {position}" in caught.value.message("en")
    assert f"第 {position} 个字符" in caught.value.message("zh")


@pytest.mark.parametrize(("text", "last"), [("x**", "**"), ("x^2+y^2+", "+"), ("x / ", "/"), ("-", "-")])
def test_a_text_that_stops_too_early_is_reported_at_its_end(text, last):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert caught.value.code == "ends_early" and caught.value.position == len(text.rstrip())
    assert f"“{last}”" in caught.value.message("en") and f"“{last}”" in caught.value.message("zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_start_where_f_is_undefined_is_named_not_a_generic_divergence(lang):
    from optviz.explain import run_explanation
    from optviz.i18n import text
    from optviz.report import format_number, leaderboard_row
    from optviz.runs import lane_from_settings, run_lane

    chosen = surface("expr:log(x)+y**2")
    lane = lane_from_settings("adam", {"lr": 0.1})
    trajectory = run_lane(chosen, lane, (-1.5, 2.0), 100)
    key, fields = run_explanation(chosen, lane, trajectory)
    message = text(key, lang, **fields)
    assert key == "diverge.undefined_start" and "(-1.5, 2)" in message and "10⁶" not in message
    row = leaderboard_row(chosen, trajectory)
    assert format_number(row["final_loss"]) == "—" and row["status"] == "status.undefined_start"
    assert text(row["status"], lang, **row["status_fields"])


GOOD = [
    "x^2 + 3*y^2",
    "(1 - x)**2 + 100*(y - x^2)^2",
    "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "sqrt(x^2 + y^2 + 1) + tanh(x) - sinh(y/3) + cosh(x/4)",
    "log(1 + x^2) + exp(-y^2) + abs(x - y)",
    "max(x, y)^2 + min(x, -y)^2",
    "tan(x/4) + e^(x/5) + pi*y^2",
    "-x^2 - y^2",
    "2^x + y^-2",
]


@pytest.mark.parametrize("text", GOOD)
def test_good_expressions_have_the_right_gradient(text):
    chosen = expression_surface(text)
    generator = np.random.default_rng(3)
    points = generator.uniform(-2, 2, size=(100, 2))
    points = points[np.abs(points[:, 0] - points[:, 1]) > 1e-3]  # away from the kinks of abs, min, max
    points = points[np.abs(points[:, 0] + points[:, 1]) > 1e-3]
    analytic = chosen.gradient(points)
    step = 1e-6
    numeric = np.stack([(chosen.value(points + step * e) - chosen.value(points - step * e)) / (2 * step)
                        for e in np.eye(2)], axis=-1)
    finite = np.isfinite(analytic).all(axis=-1)
    assert finite.mean() > 0.9
    np.testing.assert_allclose(analytic[finite], numeric[finite], rtol=1e-4, atol=1e-5)
    assert chosen.f_star is None and chosen.latex.startswith("f(x, y) =")


def test_undefined_regions_are_nan_not_a_crash():
    chosen = surface("expr:log(x) + sqrt(y)")
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-2, 2, 21)), axis=-1)
    values = chosen.value(grid)
    assert np.isnan(values[grid[..., 0] < 0]).all()
    assert np.isfinite(values[(grid[..., 0] > 0) & (grid[..., 1] > 0)]).all()


def test_constant_and_single_variable_expressions_broadcast():
    for text in ("5", "x", "y^2"):
        chosen = expression_surface(text)
        assert chosen.value(np.zeros((4, 3, 2))).shape == (4, 3)
        assert chosen.gradient(np.zeros((4, 3, 2))).shape == (4, 3, 2)
