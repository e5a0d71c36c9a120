"""The playground on data surfaces under AppTest: the data panel beside the contour, the fits that move with the
animation, curves per epoch, the batch-size lesson, the lessons, and what a learner may type into the URL."""

import json

import numpy as np
import pytest

from optviz.batches import data_view, fits
from optviz.surfaces import surface
from tests.test_app_playground import leaderboard, start

LINREG = {"surface": "linreg:batch=10", "lane1": "sgd;lr=0.05", "lane2": "momentum;lr=0.02;momentum=0.9",
          "start": "-1,2", "steps": "100"}


def spec(app):
    return json.loads(app.get("plotly_chart")[0].proto.spec)


def traces(figure, meta):
    return [trace for trace in figure["data"] if trace.get("meta") == meta]


def test_the_overlay_shows_the_data_and_each_lanes_final_fit():
    app = start(LINREG)
    assert not app.exception and not app.error
    figure = spec(app)
    points = traces(figure, "points")[0]
    assert len(points["x"]["bdata"] if isinstance(points["x"], dict) else points["x"]) and points["xaxis"] == "x2"
    assert traces(figure, "best-fit") and traces(figure, "fit-0") and traces(figure, "fit-1")
    assert figure["layout"]["xaxis"]["title"]["text"] == "w" and figure["layout"]["yaxis"]["title"]["text"] == "b"
    assert leaderboard(app).iloc[:, 0] == ["SGD", "Momentum"]


def test_the_animation_moves_each_fit_with_its_path():
    app = start({**LINREG, "view": "animation"})
    assert not app.exception
    figure = spec(app)
    fit_indices = [index for index, trace in enumerate(figure["data"]) if str(trace.get("meta", "")).startswith("fit-")]
    assert len(fit_indices) == 2
    frames = figure["frames"]
    assert all(set(fit_indices) <= set(frame["traces"]) for frame in frames)
    # the last frame's fit of lane 1 is the model at lane 1's last point
    chosen = surface("linreg:batch=10")
    last = frames[-1]["data"][len(frames[-1]["traces"]) - 2]["y"]
    values = np.frombuffer(__import__("base64").b64decode(last["bdata"]), dtype=np.float32) if isinstance(
        last, dict) else np.asarray(last)
    assert values.shape == (2,) and np.all(np.isfinite(values))
    assert data_view(chosen)["grid"].shape == (2,)
    assert fits(chosen, np.array([[2.0, -1.0]])).shape == (1, 2)


def test_curves_per_epoch_and_the_words_for_loss_and_gradient():
    app = start({**LINREG, "view": "curves"})
    figure = spec(app)
    titles = [annotation["text"] for annotation in figure["layout"]["annotations"]]
    assert "f − f*, loss over all the data (log)" in titles and "‖g‖ of each step's batch" in titles
    assert figure["layout"]["xaxis3"]["title"]["text"] == "step t"
    app.segmented_control(key="pg_curve_axis").set_value("epoch").run()
    figure = spec(app)
    assert not app.exception
    assert any(axis.get("title", {}).get("text") == "epoch (examples seen / n)"
               for name, axis in figure["layout"].items() if name.startswith("xaxis"))
    loss = traces(figure, "curve-loss-0")[0]
    x = loss["x"]
    x = np.frombuffer(__import__("base64").b64decode(x["bdata"]), dtype=x["dtype"]) if isinstance(x, dict) else x
    assert float(np.max(x)) == pytest.approx(10.0)  # 100 steps of 10 points out of 100: 10 epochs


def test_the_batch_lesson_compares_three_batch_sizes_and_the_noise_ball():
    app = start({**LINREG, "view": "batches"})
    assert not app.exception and not app.error
    figure = spec(app)
    assert {trace.get("meta") for trace in figure["data"]} >= {"race-full", "race-mini", "race-sgd", "ball-constant",
                                                                "ball-decaying"}
    caption = next(caption.value for caption in app.caption if caption.value.startswith("SGD, from the same start"))
    assert "10 epochs" in caption and "full batch makes 10 updates" in caption and "SGD makes 1000" in caption
    app.number_input(key="pg_lesson_epochs").set_value(3).run()
    assert "3 epochs" in next(caption.value for caption in app.caption if "from the same start" in caption.value)
    # another surface has no such view: the page falls back to the overlay
    app.selectbox(key="pg_surface").set_value("rosenbrock").run()
    assert not app.exception and app.segmented_control(key="pg_view").value == "overlay"


def test_the_lessons_open_in_their_views():
    app = start()
    app.selectbox(key="pg_preset").set_value("batch_sizes").run()
    assert not app.exception and app.segmented_control(key="pg_view").value == "batches"
    assert app.selectbox(key="pg_surface").value == "linreg"
    assert app.number_input(key="pg_linreg_batch").value == 10
    app.selectbox(key="pg_preset").set_value("sgd_noise").run()
    assert not app.exception and app.segmented_control(key="pg_view").value == "overlay"
    assert app.number_input(key="pg_linreg_batch").value == 1
    # both runs keep moving around the minimum: the message says why (the batches), not "steps too large"
    assert len(app.warning) == 2 and all("mini-batch of 1" in warning.value for warning in app.warning)


@pytest.mark.slow
def test_logistic_regression_in_chinese():
    app = start({"surface": "logreg:spread=0.3", "lane1": "sgd;lr=1", "steps": "200"}, state={"lang": "zh"})
    assert not app.exception and not app.error
    figure = spec(app)
    assert traces(figure, "class-0") and traces(figure, "class-1") and not traces(figure, "best-fit")
    assert "两类线性可分" in " ".join(caption.value for caption in app.caption)


@pytest.mark.parametrize("text", ["linreg:n=1", "linreg:batch=-3", "linreg:n=1e9", "logreg:replace=7",
                                  "linreg:batch=1,n=2000,noise=1e308"])
def test_bad_data_surfaces_in_the_url_are_refused_with_a_warning(text):
    app = start({"surface": text})
    assert not app.exception and app.warning  # said; the bad setting is dropped and the family's default used
    assert app.selectbox(key="pg_surface").value == text.partition(":")[0] and not app.error


def test_the_inspected_step_shows_its_fit_on_the_data():
    app = start(LINREG)
    app.slider(key="pg_inspect_step").set_value(5).run()
    assert not app.exception
    figure = spec(app)
    assert traces(figure, "inspected") and traces(figure, "inspected-fit")
