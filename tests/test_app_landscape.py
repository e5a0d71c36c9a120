"""The landscape page under AppTest: sweeps with theory, metrics, a clicked cell, the playground link, basins."""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optviz import theory

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "landscape.py")


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=120)
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def link_query(app):
    url = app.get("link_button")[0].proto.url
    assert url.startswith("playground?")
    return {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}


def test_defaults_show_a_sweep_with_theory():
    app = start()
    assert not app.exception and not app.error
    texts = " ".join(element.value for element in app.markdown)
    assert "Polyak's optimal setting" in texts and "Selected cell" in texts
    # the default selection is the fastest cell, next to theory's optimum (1 x^2 + 10 y^2: eigenvalues 2, 20)
    query = link_query(app)
    settings = dict(part.split("=") for part in query["lane1"].split(";")[1:])
    best_lr, best_momentum, _ = theory.momentum_optimal((2.0, 20.0))
    assert abs(np.log(float(settings["lr"]) / best_lr)) < 0.1
    assert abs(float(settings["momentum"]) - best_momentum) < 0.03
    assert query["surface"] == "quadratic:a=1,b=10" and query["steps"] == "300"
    # the basins wait for their tab: no table of basin shares yet
    assert not any(element.value.startswith("| ") and "%" in element.value for element in app.markdown)


def test_the_basins_tab_computes_when_opened():
    app = start({"ls_tab": "Basins of attraction"})
    assert not app.exception and not app.error
    assert any(element.value.startswith("| ") and "%" in element.value for element in app.markdown)  # basin shares


@pytest.mark.parametrize("metric", ["steps_to_tolerance", "diverged"])
def test_every_metric_draws(metric):
    app = start()
    app.segmented_control(key="ls_metric").set_value(metric).run()
    assert not app.exception


def test_clicking_a_cell_selects_it():
    app = start({"ls_chart_0": {"selection": {"points": [{"x": 0.01, "y": 0.5}]}}})
    assert not app.exception
    settings = dict(part.split("=") for part in link_query(app)["lane1"].split(";")[1:])
    assert float(settings["lr"]) == pytest.approx(0.01, rel=0.05)
    assert float(settings["momentum"]) == pytest.approx(0.5, abs=0.01)


def test_a_one_axis_sweep_and_start_axes():
    app = start()
    app.selectbox(key="ls_y_name").set_value("none").run()
    assert not app.exception and not app.error
    app.selectbox(key="ls_y_name").set_value("x0").run()
    assert not app.exception and not app.error


def test_a_comparison_starts_with_a_rival_that_shares_the_axes():
    app = start()
    app.toggle(key="ls_compare").set_value(True).run()
    assert not app.exception and not app.error and not app.warning
    assert app.selectbox(key="ls_second").value == "nesterov"  # Momentum's rival, with a momentum to sweep too
    assert len(app.get("link_button")) == 2  # both maps, each with its selected cell's run


def test_comparing_with_an_optimizer_without_the_axis_warns():
    app = start()
    app.toggle(key="ls_compare").set_value(True).run()
    app.selectbox(key="ls_second").set_value("adam").run()
    assert not app.exception
    assert "has no setting momentum" in app.warning[0].value


def test_a_bad_log_range_is_explained():
    app = start()
    app.number_input(key="ls_x_low").set_value(0.0).run()
    assert not app.exception
    assert "needs both ends above zero" in app.error[0].value


def test_adam_landscape_in_chinese():
    app = start({"lang": "zh", "ls_optimizer": "adam"})
    assert not app.exception
    assert app.title[0].value == "超参数地形"
    assert app.selectbox(key="ls_y_name").value == "beta1"


def test_learning_rate_by_steps():
    app = start()
    app.selectbox(key="ls_y_name").set_value("steps").run()
    assert not app.exception and not app.error
    query = link_query(app)
    assert 10 <= int(query["steps"]) <= 1000
