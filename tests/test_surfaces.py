"""Every built-in surface: analytic gradient against central differences, minima stationary, f* right."""

import re

import numpy as np
import pytest

from optviz.surfaces import FAMILIES, surface

CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = list(FAMILIES)
VARIANTS = [*NAMES, "quadratic:a=0.1,b=2", "rotated_quadratic:l1=2,l2=50,angle=-60", "rosenbrock:a=-0.5,b=20"]


def central_difference(chosen, points, step=1e-6):
    grads = []
    for axis in range(2):
        offset = np.zeros(2)
        offset[axis] = step
        grads.append((chosen.value(points + offset) - chosen.value(points - offset)) / (2 * step))
    return np.stack(grads, axis=-1)


@pytest.mark.parametrize("name", VARIANTS)
def test_gradient_matches_central_differences(name):
    chosen = surface(name)
    x_min, x_max, y_min, y_max = chosen.view
    generator = np.random.default_rng(abs(hash(name)) % 2**32)
    points = np.stack([generator.uniform(x_min, x_max, 200), generator.uniform(y_min, y_max, 200)], axis=-1)
    analytic = chosen.gradient(points)
    numeric = central_difference(chosen, points)
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.all(np.abs(analytic - numeric) / scale < 1e-4), name


@pytest.mark.parametrize("name", VARIANTS)
def test_minima_are_stationary_and_f_star_is_right(name):
    chosen = surface(name)
    if not chosen.minima:
        assert chosen.f_star is None and chosen.saddles
        np.testing.assert_allclose(chosen.gradient(np.array(chosen.saddles)), 0.0, atol=1e-12)
        return
    minima = np.array(chosen.minima)
    assert np.all(np.linalg.norm(chosen.gradient(minima), axis=-1) < 1e-6)
    values = chosen.value(minima)
    assert values[0] == pytest.approx(chosen.f_star, abs=1e-10)
    assert np.all(values >= chosen.f_star - 1e-10), "the first minimum listed is the global one"
    # each listed point is a minimum: f grows in every direction around it
    angles = np.linspace(0, 2 * np.pi, 16)
    for point in minima:
        ring = point + 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        assert np.all(chosen.value(ring) > chosen.value(point) - 1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_every_surface_is_complete(name):
    chosen = surface(name)
    x_min, x_max, y_min, y_max = chosen.view
    for x, y in (*chosen.starts, *chosen.minima):
        assert x_min <= x <= x_max and y_min <= y <= y_max
    assert chosen.label_en and CJK.search(chosen.label_zh)
    assert len(chosen.lesson_en) > 80 and CJK.search(chosen.lesson_zh)
    assert chosen.latex.startswith("f")
    values = chosen.value(np.zeros((3, 4, 2)))
    assert values.shape == (3, 4)


def test_quadratic_eigenvalues_are_the_hessian():
    for name in ("quadratic:a=0.1,b=2", "rotated_quadratic:l1=2,l2=50,angle=-60", "booth"):
        chosen = surface(name)
        step = 1e-5
        hessian = np.array([(chosen.gradient(np.array([1.0, 1.0]) + step * e)
                             - chosen.gradient(np.array([1.0, 1.0]) - step * e)) / (2 * step) for e in np.eye(2)])
        np.testing.assert_allclose(np.sort(np.linalg.eigvalsh((hessian + hessian.T) / 2)),
                                   sorted(chosen.hessian_eigenvalues), rtol=1e-6)


@pytest.mark.parametrize(("text", "message"), [
    ("", "a surface is needed"),
    ("banana", "unknown surface 'banana'"),
    ("quadratic:a", "should be KEY=VALUE"),
    ("quadratic:a=x", "a = 'x' is not a number"),
    ("quadratic:a=-1", "surface quadratic: a = -1 is out of range"),
    ("quadratic:c=1", "unknown hyperparameter 'c'"),
    ("rosenbrock:b=nan", "b = nan is not finite"),
    ("q" * 400, "at most 300"),
])
def test_bad_surface_names(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        surface(text)


def test_formulas_write_no_coefficient_of_one():
    from optviz.surfaces import surface as named

    assert named("quadratic:a=1,b=10").latex == r"f(x, y) = x^2 + 10\,y^2"
    assert named("quadratic:a=0.1,b=1e-09").latex == r"f(x, y) = 0.1\,x^2 + 10^{-9}\,y^2"
