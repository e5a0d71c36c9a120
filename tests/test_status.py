"""What the leaderboard says a run did: diverged, diverging (loss far above its start and growing), oscillating
(neither converges nor diverges), converged, not yet converged, or f undefined; and the explanation under the chart."""

import numpy as np
import pytest

from optviz.explain import run_explanation
from optviz.i18n import LANGUAGES, text
from optviz.presets import PRESETS
from optviz.report import STATUSES, diverging_threshold, leaderboard_row, run_status
from optviz.runs import lane_from_settings, run_lane
from optviz.surfaces import surface


def status_of(surface_name, optimizer, settings, start, steps, convention="pytorch"):
    chosen = surface(surface_name)
    lane = lane_from_settings(optimizer, settings, convention)
    trajectory = run_lane(chosen, lane, start, steps)
    return chosen, lane, trajectory


def test_d2l_momentum_preset_sgd_06_is_diverging_with_the_quadratic_reason():
    preset = PRESETS["d2l_momentum"]
    chosen, lane, trajectory = status_of(preset.surface, "sgd", {"lr": 0.6}, preset.start, preset.steps,
                                         preset.convention)
    assert trajectory.diverged_at < 0  # the engine did not stop it: |θ| stays below 10⁶
    assert trajectory.loss[-1] > 5e6
    status, fields = run_status(chosen, trajectory)
    assert status == "status.diverging"
    assert trajectory.loss[fields["step"]] > diverging_threshold(chosen, trajectory.loss[0])
    assert trajectory.loss[fields["step"] - 1] <= diverging_threshold(chosen, trajectory.loss[0])
    row = leaderboard_row(chosen, trajectory)
    assert row["status"] == "status.diverging" and row["diverged_at"] == fields["step"]
    key, reason = run_explanation(chosen, lane, trajectory)
    assert key == "diverge.gd_quadratic" and reason["product"] == "2.4"


def test_a_growing_loss_without_quadratic_theory_gets_the_growing_message():
    chosen, lane, trajectory = status_of("quadratic:a=0.1,b=2", "sgd", {"lr": 0.6, "clip_norm": 1e6},
                                         (-5.0, -2.0), 20)
    assert run_status(chosen, trajectory)[0] == "status.diverging"
    assert run_explanation(chosen, lane, trajectory)[0] == "diverge.growing"


def test_a_spike_that_comes_back_down_is_not_diverging():
    chosen = surface("quadratic:a=1,b=1")
    trajectory = run_lane(chosen, lane_from_settings("sgd", {"lr": 0.1}), (3.0, 2.0), 40)
    trajectory.loss[5] = 1e9  # as if the run had been thrown far out once and came back
    assert run_status(chosen, trajectory)[0] != "status.diverging"


def test_stability_boundary_bounces_forever_and_says_so():
    chosen = surface("quadratic:a=1,b=20")
    lane = lane_from_settings("sgd", {"lr": 0.05})
    trajectory = run_lane(chosen, lane, chosen.starts[0], 100)
    assert trajectory.loss[-1] == pytest.approx(80)
    assert trajectory.diverged_at < 0 and trajectory.steps_to_tolerance < 0
    assert run_status(chosen, trajectory) == ("status.oscillating", {})
    assert leaderboard_row(chosen, trajectory)["diverged_at"] is None
    key, fields = run_explanation(chosen, lane, trajectory)
    assert key == "oscillate.gd_quadratic" and fields["product"] == "2"


def test_noise_at_a_constant_rate_oscillates_a_decayed_rate_does_not():
    noisy = {"lr": 0.3, "noise.std": 2.0, "noise.seed": 1}
    chosen, _, constant = status_of("quadratic:a=1,b=1", "sgd", noisy, (3.0, 2.0), 500)
    assert run_status(chosen, constant)[0] == "status.oscillating"
    _, _, decayed = status_of("quadratic:a=1,b=1", "sgd", {**noisy, "schedule": "exponential",
                                                          "schedule.gamma": 0.98}, (3.0, 2.0), 500)
    assert run_status(chosen, decayed) == ("status.unfinished", {"steps": 500})


@pytest.mark.parametrize(("optimizer", "settings", "expected"), [
    ("sgd", {"lr": 0.09}, "status.converged"),
    ("sgd", {"lr": 0.11}, "status.diverged"),
    ("sgd", {"lr": 0.001}, "status.unfinished"),
    ("momentum", {"lr": 0.11, "momentum": 0.5}, "status.converged"),
])
def test_statuses_on_the_edge_of_stability_bowl(optimizer, settings, expected):
    chosen, lane, trajectory = status_of("quadratic:a=1,b=10", optimizer, settings, (-4.0, 3.0), 300)
    status, fields = run_status(chosen, trajectory)
    assert status == expected
    if expected == "status.converged":
        assert fields == {"step": int(trajectory.steps_to_tolerance)}
        assert run_explanation(chosen, lane, trajectory) is None
    if expected == "status.diverged":
        assert fields == {"step": int(trajectory.diverged_at)}
        assert run_explanation(chosen, lane, trajectory)[0] == "diverge.gd_quadratic"


def test_runs_settled_in_a_local_minimum_are_not_oscillating():
    chosen, _, trajectory = status_of("bumpy_bowl", "sgd", {"lr": 0.01}, (3.5, 3.5), 2000)
    assert run_status(chosen, trajectory)[0] in ("status.unfinished", "status.converged")


def test_f_undefined_at_the_start():
    chosen, lane, trajectory = status_of("expr:log(x)+y**2", "sgd", {"lr": 0.1}, (-1.5, 1.0), 50)
    assert run_status(chosen, trajectory) == ("status.undefined_start", {"x": "-1.5", "y": "1"})
    row = leaderboard_row(chosen, trajectory)
    assert row["final_loss"] is None and row["status"] == "status.undefined_start"
    key, fields = run_explanation(chosen, lane, trajectory)
    assert key == "diverge.undefined_start"
    assert "(-1.5, 1)" in text(key, "en", **fields) and "(-1.5, 1)" in text(key, "zh", **fields)


def test_f_undefined_where_a_step_went():
    # from x = 0.5 the gradient 1/x = 2 throws x to 0.5 − 2 = −1.5, where log is not defined
    chosen, lane, trajectory = status_of("expr:log(x)+y**2", "sgd", {"lr": 1.0}, (0.5, 1.0), 50)
    assert trajectory.diverged_at == 1
    np.testing.assert_allclose(trajectory.diverged_position, [-1.5, -1.0])
    assert run_status(chosen, trajectory) == ("status.undefined", {"step": 1, "x": "-1.5", "y": "-1"})
    assert run_explanation(chosen, lane, trajectory)[0] == "diverge.undefined"
    assert leaderboard_row(chosen, trajectory)["final_loss"] == pytest.approx(np.log(0.5) + 1)


def test_leaving_the_box_is_diverged_not_undefined():
    _, _, trajectory = status_of("quadratic:a=1,b=10", "sgd", {"lr": 0.11}, (-4.0, 3.0), 300)
    assert np.abs(trajectory.diverged_position).max() > 1e6
    assert np.isnan(trajectory.diverged_position).sum() == 0
    _, _, fine = status_of("quadratic:a=1,b=10", "sgd", {"lr": 0.09}, (-4.0, 3.0), 30)
    assert np.isnan(fine.diverged_position).all()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_status_and_explanation_has_its_message(lang):
    fields = {"step": 3, "steps": 10, "x": "1", "y": "2", "loss": "5e+06", "lr": "0.05", "lam": "40",
              "product": "2"}
    for name in STATUSES:
        assert text(f"status.{name}", lang, **fields)
    for key in ("diverge.growing", "diverge.undefined_start", "diverge.undefined", "oscillate.gd_quadratic",
                "oscillate.generic", "pg.col.status"):
        assert text(key, lang, **fields)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_playground_shows_each_lanes_status_and_why(lang):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "playground.py"),
                            default_timeout=60)
    app.query_params.update({"surface": "quadratic:a=0.1,b=2", "start": "-5,-2", "steps": "20", "conv": "textbook",
                             "lane1": "sgd;lr=0.6", "lane2": "sgd;lr=0.5"})
    app.session_state["lang"] = lang
    app.run()
    assert not app.exception
    board = "\n".join(element.value for element in app.markdown if element.value.startswith("|"))
    assert text("status.diverging", lang, step=11) in board
    assert text("status.oscillating", lang) in board  # η·λ_max = 0.5 × 4 = 2 exactly
    assert text("diverge.gd_quadratic", lang, step=11, lam="4", lr="0.6", product="2.4") in app.error[0].value
    assert "0.5 × 4 = 2" in app.warning[0].value


def test_a_run_thrown_out_of_the_tolerance_is_not_called_converged():
    """The AdaGrad lesson's RMSProp lane reaches the tolerance at step 23, then a spike throws it to f ≈ 0.12."""
    import numpy as np

    from optviz.presets import PRESETS
    from optviz.report import run_status
    from optviz.runs import lane_from_settings, run_lane
    from optviz.surfaces import surface

    preset = PRESETS["adagrad_fades"]
    chosen = surface(preset.surface)
    statuses = []
    for optimizer, settings in preset.lanes:
        trajectory = run_lane(chosen, lane_from_settings(optimizer, dict(settings), preset.convention),
                              np.array(preset.start), preset.steps)
        statuses.append((optimizer, run_status(chosen, trajectory)[0], trajectory.steps_to_tolerance))
    rmsprop = next(item for item in statuses if item[0] == "rmsprop")
    assert rmsprop[2] >= 0 and rmsprop[1] == "status.left"
