"""The playground's Tuning view under AppTest: the sensitivity chart, the tuned leaderboard, the Tune buttons."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optviz import tune
from optviz.runs import lane_from_settings
from optviz.surfaces import surface
from optviz.ui import keys

from .test_app_playground import markdown_tables

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "playground.py")


def start(query=None, state=None):
    app = AppTest.from_file(PAGE, default_timeout=90)
    for name, value in {"view": "tune", **(query or {})}.items():
        app.query_params[name] = value
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def chart(app, number: int = 0) -> dict:
    return json.loads(app.get("plotly_chart")[number].proto.spec)


def marks(figure: dict, symbol: str) -> list[dict]:
    """The lanes' markers of one symbol (not the legend's grey keys to them)."""
    return [trace for trace in figure["data"]
            if trace.get("marker", {}).get("symbol") == symbol and trace.get("meta") != "key"]


def lane_curves(figure: dict) -> list[dict]:
    return [trace for trace in figure["data"] if trace.get("name") and trace.get("meta") != "key"]


def lane_ids(app) -> list[int]:
    return list(app.session_state["pg_lanes"])


def lr_of(app, lane_id: int) -> float:
    return app.session_state[keys.hyperparameter_key(lane_id, "lr", "pg_")]


def test_the_tuning_view_draws_one_curve_per_lane_and_ranks_them_tuned():
    app = start()
    assert not app.exception and not app.error
    figure = chart(app)
    assert [trace["name"] for trace in lane_curves(figure)] == ["SGD", "Momentum", "Adam"]
    assert [trace["name"] for trace in figure["data"] if trace.get("meta") == "key"] == [
        "tuned", "your setting", "within 2× of the best"]
    assert figure["layout"]["xaxis"]["type"] == "log" and figure["layout"]["yaxis"]["type"] == "log"
    stars = marks(figure, "star")
    assert len(stars) == 3
    board = markdown_tables(app)[0]
    assert [row[0] for row in board] == ["Momentum", "Adam", "SGD"]  # Rosenbrock, 500 steps, best first
    expected = tune.tune(surface("rosenbrock"), lane_from_settings("sgd", {}), (-1.5, 2.0), 500)
    sgd = next(row for row in board if row[0] == "SGD")
    assert sgd[1] == f"η = {expected.settings()['lr']:g}"
    assert float(sgd[4].split()[0]) == pytest.approx(expected.robust[2], abs=0.005)
    assert stars[0]["x"] == [pytest.approx(expected.best_lr)]


def test_the_tune_button_of_a_lane_sets_its_best_learning_rate_and_beta():
    app = start({"view": "overlay"})
    first, second = lane_ids(app)[:2]
    next(button for button in app.button if button.key == keys.lane_key(second, "tune", "pg_")).click().run()
    assert not app.exception
    expected = tune.tune(surface("rosenbrock"), lane_from_settings("momentum", {}), (-1.5, 2.0), 500)
    assert lr_of(app, second) == expected.settings()["lr"]
    assert app.session_state[keys.hyperparameter_key(second, "momentum", "pg_")] == expected.settings()["momentum"]
    assert lr_of(app, first) == 0.001  # the other lanes keep theirs
    board = markdown_tables(app)[0]  # the ordinary leaderboard now runs the tuned lane
    assert board[1][0] == "Momentum" and board[1][-1] != ""
    assert any("Tuned" in toast.value for toast in app.toast)


def test_apply_to_every_lane_and_the_ring_moves_onto_the_star():
    app = start()
    before = chart(app)
    app.button(key="pg_tune_apply_all").click().run()
    assert not app.exception
    ids = lane_ids(app)
    for lane_id, optimizer in zip(ids, ("sgd", "momentum", "adam"), strict=True):
        expected = tune.tune(surface("rosenbrock"), lane_from_settings(optimizer, {}), (-1.5, 2.0), 500)
        assert lr_of(app, lane_id) == expected.settings()["lr"]
    after = chart(app)
    rings, stars = marks(after, "circle-open"), marks(after, "star")
    for ring, star in zip(rings, stars, strict=True):  # the lanes now sit at their tuned rates
        assert ring["x"][0] == pytest.approx(star["x"][0], rel=0.01)
    # tuning ignores the lanes' own rates: the curves are the same ones
    assert [trace.get("y") for trace in lane_curves(before)] == [trace.get("y") for trace in lane_curves(after)]


def test_several_starts_and_another_criterion_change_the_tuning():
    app = start()
    app.session_state["pg_tune_criterion"] = "steps_to_tolerance"
    app.session_state["pg_tune_starts"] = True
    app.run()
    assert not app.exception
    title = chart(app)["layout"]["title"]["text"]
    assert "steps to tolerance" in title
    assert any("16 starts" in caption.value for caption in app.caption)


def test_zero_steps_says_why_and_a_typed_surface_is_measured_from_its_lowest_loss():
    app = start({"steps": "0"})
    assert not app.exception and any("at least one step" in info.value for info in app.info)
    app = start({"surface": "expr:(x - 1)^2 + 3*(y + 2)^2 + 5"})
    assert not app.exception
    assert any("lowest loss any run reached" in caption.value for caption in app.caption)


def test_chinese_tuning_view():
    import re

    from optviz.engine import OPTIMIZERS

    app = start(state={"lang": "zh"})
    assert not app.exception
    figure = chart(app)
    assert "学习率" in figure["layout"]["xaxis2"]["title"]["text"]
    assert {trace["name"] for trace in lane_curves(figure)} <= {entry.label("zh") for entry in OPTIMIZERS.values()}
    for row in markdown_tables(app)[0]:
        for cell in row[1:]:
            assert not re.search(r"[A-Za-z]{3,}", cell), cell  # numbers, symbols and Chinese words only


def test_the_neutral_lane_ignores_what_tuning_replaces():
    from optviz.ui.tune import neutral

    one = lane_from_settings("adam", {"lr": 0.3, "beta1": 0.5, "beta2": 0.99})
    other = lane_from_settings("adam", {"lr": 0.001, "beta1": 0.95, "beta2": 0.99})
    assert neutral(one) == neutral(other) != neutral(lane_from_settings("adam", {"beta2": 0.9}))
    assert np.isclose(neutral(one).values()["beta2"], 0.99)


def test_the_criterion_and_the_starts_live_in_the_address():
    app = start({"tune": "steps_to_tolerance,starts"})
    assert not app.exception and not app.warning
    assert app.session_state["pg_tune_criterion"] == "steps_to_tolerance" and app.session_state["pg_tune_starts"]
    assert app.query_params["tune"] == "steps_to_tolerance,starts"
    app.segmented_control(key="pg_view").set_value("overlay").run()
    assert "tune" not in app.query_params  # only the Tuning view writes it
    bad = start({"tune": "fastest;import os"})
    assert not bad.exception and any("tune" in warning.value for warning in bad.warning)
    assert bad.session_state["pg_tune_criterion"] == tune.DEFAULT_CRITERION


def test_a_lane_where_no_rate_reaches_the_tolerance_gets_no_star_and_keeps_its_rate():
    app = start({"tune": "steps_to_tolerance"})
    figure = chart(app)
    starred = {trace["legendgroup"] for trace in marks(figure, "star")}
    assert starred == {"Momentum", "Adam"}  # SGD gets nowhere near 10⁻⁶ in 500 steps on Rosenbrock
    sgd = next(row for row in markdown_tables(app)[0] if row[0] == "SGD")
    assert sgd[1] == "no rate gets there" and sgd[2] == "never" and sgd[4] == "—"
    ring = next(trace for trace in marks(figure, "circle-open") if trace["legendgroup"] == "SGD")
    assert ring["y"] == [pytest.approx(500 * 1.06)] and ring.get("yaxis", "y") == "y"  # on "never", not the strip
    first = lane_ids(app)[0]
    next(button for button in app.button if button.key == keys.lane_key(first, "tune", "pg_")).click().run()
    assert lr_of(app, first) == 0.001
    assert any("no learning rate reached the tolerance" in warning.value for warning in app.warning)


def test_flat_lanes_and_shared_curves_are_said():
    app = start({"lane1": "adagrad;lr=0.4", "lane2": "adagrad;lr=2", "lane3": "momentum;lr=0.001"})
    assert not app.exception
    board = {row[0]: row for row in markdown_tables(app)[0]}
    assert all("flat" in board[name][4] for name in board if name.startswith("AdaGrad"))
    assert "flat" not in board["Momentum"][4]
    figure = chart(app)  # nothing diverges here: the learning-rate axis must still be drawn under the strip
    assert figure["layout"]["xaxis2"]["title"]["text"] == "learning rate η"
    assert any(trace.get("yaxis") == "y2" for trace in figure["data"])
    dashed = [trace["name"] for trace in lane_curves(figure) if trace["line"].get("dash") == "dash"]
    assert len(dashed) == 1 and dashed[0].startswith("AdaGrad")
    assert any("shares its curve" in caption.value for caption in app.caption)


def test_without_steps_the_tune_buttons_are_disabled():
    app = start({"steps": "0"})
    tune_buttons = [button for button in app.button if button.key and button.key.endswith("_tune")]
    assert len(tune_buttons) == 3 and all(button.disabled for button in tune_buttons)
    assert app.button(key="pg_tune_apply_all").disabled
    assert not app.warning and not markdown_tables(app)  # no table of untuned runs under the Tuning view


def test_the_leaderboard_names_the_edge_and_lone_divergent_rates():
    from optviz.ui.tune import diverges_text

    app = start()
    sgd = next(row for row in markdown_tables(app)[0] if row[0] == "SGD")
    assert "at the edge: 0.0021 diverges" in sgd[4] and "flat" in sgd[4]
    result = tune.tune(surface("rosenbrock"), lane_from_settings("sgd", {}), (-1.5, 2.0), 500)
    lone = result.diverged.copy()
    lone[10] = True  # a lone rate far below the cliff
    assert diverges_text(type(result)(**{**result.__dict__, "diverged": lone})) == \
        f"η ≥ 0.0021 (also {result.lr[10]:.3g})"
