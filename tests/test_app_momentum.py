"""The momentum page (Distill's lessons) under AppTest: one lesson at a time, picked in the header by a language-free
key (also in the URL); every lesson draws its charts and live formulas; captions quote the run's own numbers; the
choices survive a language switch; an empty choice of eigenvalues is said, not a crash."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from optviz.ui.distill import LESSONS

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "momentum.py")
CHARTS = {"milestones": 2, "rate_map": 2, "polynomial": 3, "colorization": 2, "stochastic": 1}


def start(state=None, query=None):
    app = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def figures(app):
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def values(array):
    """A trace's numbers: plotly sends NumPy arrays as typed arrays ({dtype, bdata})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def formulas(app):
    return " ".join(block.value for block in app.latex)


def test_every_lesson_draws_in_both_languages():
    assert tuple(CHARTS) == LESSONS
    for lang in ("en", "zh"):
        app = start({"lang": lang})
        assert not app.exception and app.session_state["distill"] == "milestones"
        for lesson, charts in CHARTS.items():
            app.selectbox(key="distill").set_value(lesson).run()
            assert not app.exception and not app.error, (lang, lesson)
            assert len(app.get("plotly_chart")) == charts, (lang, lesson)
            assert app.latex and app.info, (lang, lesson)
            chinese = any("\u4e00" <= character <= "\u9fff" for character in app.info[0].value)
            assert chinese == (lang == "zh"), (lang, lesson)


def test_the_milestones_formulas_and_caption_follow_the_sliders():
    app = start({"mo_lr": 1.5, "mo_momentum": 0.9})
    assert not app.exception
    shown = formulas(app)
    assert r"\alpha = 1.5" in shown and r"\beta = 0.9" in shown and r"\sigma_{1,2}" in shown
    caption = app.info[0].value
    assert "the same rate √β = 0.9487" in caption and "agree to" in caption  # every root complex at β = 0.9
    plain = start({"mo_lr": 1.0, "mo_momentum": 0.0}).info[0].value
    assert "slowest component (λ = 0.01)" in plain and "shrinks by only 0.99 per step" in plain
    measured, closed = figures(app)[0]["data"][:2]
    assert measured["name"] == "engine (band)" and closed["name"] == "closed form (dashes)"
    # the band and its dashes are the same curve here
    assert np.abs(values(measured["y"]) - values(closed["y"])).max() < 1e-12


def test_a_diverging_step_is_said():
    app = start({"mo_lr": 3.0, "mo_momentum": 0.0})
    assert not app.exception and "grow instead of shrinking" in app.info[0].value


def test_no_eigenvalue_chosen_is_said_not_a_crash():
    app = start({"mo_eigenvalues": []})
    assert not app.exception and app.warning and "at least one eigenvalue" in app.warning[0].value


def test_the_rate_map_names_the_region_and_critical_damping():
    app = start({"distill": "rate_map", "mo_scaled_lr": 0.25, "mo_at_critical": True})
    assert not app.exception
    assert r"\beta^\ast = (1 - \sqrt{\alpha\lambda})^2 = 0.25" in formulas(app)
    caption = app.info[0].value
    assert "rate 0.5 per step" in caption and "critical β = 0.25" in caption
    rate_map, phase = figures(app)
    assert phase["layout"]["title"]["text"] == "Phase diagram at αλ = 0.25, β = 0.25"
    assert {trace.get("name") for trace in rate_map["data"]} >= {"critical damping β = (1 − √(αλ))²",
                                                                   "divergence border αλ = 2 + 2β"}
    app = start({"distill": "rate_map", "mo_scaled_lr": 3.5, "mo_map_momentum": 0.5})
    assert "divergent" in app.info[0].value


def test_the_polynomial_lesson_matches_tikhonov_to_the_steps():
    app = start({"distill": "polynomial", "mo_poly_steps": 1000})
    assert not app.exception
    caption = app.info[0].value
    assert "After 1 000 steps" in caption and "η = 0.016" in caption
    fit = figures(app)[0]
    assert {trace["name"] for trace in fit["data"]} == {"least squares (k → ∞)", "Tikhonov, η = 0.016",
                                                        "gradient descent, k = 1000", "data"}


def test_the_colorization_table_and_momentum():
    app = start({"distill": "colorization", "mo_color_method": "momentum", "mo_color_step": 120})
    assert not app.exception
    table = next(block.value for block in app.markdown if "| path |" in block.value)
    assert "| 2156 |" in table
    assert r"\sqrt\kappa" in formulas(app)
    assert "After 120 steps" in app.info[0].value


def test_the_stochastic_caption_quotes_the_noise_floor():
    app = start({"distill": "stochastic", "mo_sgd_lr": 0.5, "mo_sgd_noise": 0.1})
    assert not app.exception
    caption = app.info[0].value
    assert "0.00295" in caption and "noise floor" in caption
    assert len(figures(app)[0]["data"]) == 8  # three exact curves and the runs' mean, for both schedules


def test_a_link_opens_its_lesson_and_the_choice_survives_a_language_switch():
    app = start(query={"distill": "colorization"})
    assert app.session_state["distill"] == "colorization"
    app.session_state["mo_color_step"] = 42
    app.session_state["lang"] = "zh"
    app.run()
    assert not app.exception and app.session_state["distill"] == "colorization"
    assert app.session_state["mo_color_step"] == 42 and "42 步之后" in app.info[0].value
    app = start(query={"distill": "nonsense"})
    assert app.session_state["distill"] == "milestones" and any("nonsense" in w.value for w in app.warning)
