"""Every lesson preset's commentary is held to what its own runs do: for each preset a table of facts (which lane
converges, which diverges or bounces, which is first, the numbers the text quotes), computed with run_lane on the
preset's own surface, start, steps and lanes. The numbers a text quotes must appear in both languages."""

from functools import cache

import numpy as np
import pytest

from optviz.i18n import text
from optviz.presets import PRESETS
from optviz.report import leaderboard_row, run_status
from optviz.runs import lane_from_settings, run_lane
from optviz.surfaces import surface


@cache
def runs(name):
    """The preset's surface and one trajectory per lane, in the preset's order."""
    preset = PRESETS[name]
    chosen = surface(preset.surface)
    lanes = [lane_from_settings(optimizer, dict(settings), preset.convention) for optimizer, settings in preset.lanes]
    return chosen, [run_lane(chosen, lane, preset.start, preset.steps) for lane in lanes]


def statuses(name):
    chosen, trajectories = runs(name)
    return [run_status(chosen, trajectory)[0].removeprefix("status.") for trajectory in trajectories]


def path_length(trajectory, upto=None):
    return float(np.linalg.norm(np.diff(trajectory.positions[:upto], axis=0), axis=-1).sum())


def momentum_valley():
    _, (sgd, beta_09, beta_099) = runs("momentum_valley")
    assert statuses("momentum_valley") == ["unfinished", "converged", "converged"]
    assert np.linalg.norm(sgd.positions[-1] - [1, 1]) > 0.5  # still far from (1, 1) after 2 000 steps
    assert np.linalg.norm(beta_09.positions[-1] - [1, 1]) < 1e-3
    # β = 0.99 overshoots the bends: it passes x = 1, climbs above its start and travels 4 times as far as β = 0.9
    assert beta_099.positions[:, 0].max() > 1.2 and beta_09.positions[:, 0].max() < 1.0
    assert beta_099.loss.max() > beta_099.loss[0] and path_length(beta_099) > 4 * path_length(beta_09)
    assert np.linalg.norm(beta_099.positions[-1] - [1, 1]) < 1e-3  # before it settles
    return ["2 000"]


def saddle_escape():
    _, (sgd, adam, noisy) = runs("saddle_escape")
    assert np.linalg.norm(sgd.positions[-1]) < 0.05  # slides into the saddle (0, 0) and stays there
    assert np.linalg.norm(adam.positions, axis=-1).min() > 1.0  # turns away long before the saddle
    escaped = [int(np.argmax(np.abs(run.positions[:, 1]) > 1)) for run in (adam, noisy)]
    assert 0 < escaped[0] < escaped[1]  # noise shakes SGD loose too, later
    assert abs(noisy.positions[-1, 1]) > 1 and abs(adam.positions[-1, 1]) > 1
    return []


def adagrad_fades():
    _, (adagrad_04, adagrad_2, rmsprop) = runs("adagrad_fades")
    # RMSProp reaches the tolerance, then is thrown off again: "left", not converged
    assert statuses("adagrad_fades") == ["unfinished", "converged", "left"]
    assert -0.45 < adagrad_04.positions[-1, 0] < -0.35  # still at x₁ ≈ −0.4 after 100 steps
    moves = np.linalg.norm(np.diff(adagrad_04.positions, axis=0), axis=-1)
    assert moves[-1] < moves[10] / 10  # and slowing down
    assert adagrad_2.steps_to_tolerance <= 20
    assert rmsprop.steps_to_tolerance <= adagrad_2.steps_to_tolerance + 5  # arrives as fast
    after = rmsprop.loss[rmsprop.steps_to_tolerance:]
    assert after.max() > 0.5 and 0.05 < rmsprop.loss[-1] < 0.2  # thrown off again, ends at f ≈ 0.1
    assert rmsprop.loss[-1] > adagrad_04.loss[-1]
    return ["0.4", "100", "20", "0.1"]


def edge_of_stability():
    chosen, (sgd_009, sgd_01, sgd_011, momentum) = runs("edge_of_stability")
    assert max(chosen.hessian_eigenvalues) == 20
    assert statuses("edge_of_stability") == ["converged", "oscillating", "diverged", "converged"]
    np.testing.assert_allclose(sgd_01.loss[-100:], 90)  # bounces forever at the same height: y = ±3 for ever
    assert abs(sgd_01.positions[-1, 1]) == 3
    assert momentum.steps_to_tolerance < sgd_009.steps_to_tolerance  # converges fast
    assert sgd_011.diverged_at > 0
    return ["0.09", "0.1", "0.11", "20"]


def ill_conditioned():
    _, (sgd, rmsprop, adam) = runs("ill_conditioned")
    assert statuses("ill_conditioned") == ["unfinished", "converged", "converged"]
    assert round(float(sgd.positions[-1, 0]), 2) == -0.27  # crawls along x
    assert abs(sgd.positions[-1, 1]) < 1e-6  # while y is done
    distance = float(np.linalg.norm(rmsprop.positions[0]))
    assert rmsprop.steps_to_tolerance == 37
    assert path_length(rmsprop, rmsprop.steps_to_tolerance + 1) < 1.05 * distance  # almost straight
    assert rmsprop.positions[:, 0].max() < 1e-3 and rmsprop.positions[:, 1].min() > -1e-3  # no overshoot
    assert adam.steps_to_tolerance == 138
    assert adam.positions[:, 0].max() > 0.5 and adam.positions[:, 1].min() < -0.5  # a loop past the minimum
    assert path_length(adam, adam.steps_to_tolerance + 1) > 1.5 * distance
    return ["0.27", "300", "37", "138", "0.9"]


def cliff_clipping():
    chosen, (plain, clip_norm, clip_value) = runs("cliff_clipping")
    steps = np.linalg.norm(np.diff(plain.positions, axis=0), axis=-1)
    assert 28 < steps.max() < 32  # the step that lands on the cliff face is about 30 long
    assert 28 < plain.positions[:, 0].max() < 32  # thrown to x ≈ 30, far out of the view
    assert plain.positions[:, 0].max() > 4 * chosen.view[1]  # the view ends at x = 6
    assert plain.steps_to_tolerance == 89 and clip_norm.steps_to_tolerance == 63
    assert clip_value.steps_to_tolerance == 63
    for clipped in (clip_norm, clip_value):
        assert np.linalg.norm(np.diff(clipped.positions, axis=0), axis=-1).max() <= np.sqrt(2) + 1e-9
        assert clipped.positions[:, 0].max() < 3.01  # walks down the cliff, never thrown past the minimum
    return ["30", "89", "63", "1"]


def lr_decay():
    _, (constant, exponential, cosine) = runs("lr_decay")
    assert statuses("lr_decay") == ["oscillating", "unfinished", "unfinished"]
    assert max(exponential.loss[-1], cosine.loss[-1]) < constant.loss[-1] / 50  # they settle

    def travelled_last(run):
        return float(np.linalg.norm(np.diff(run.positions[-50:], axis=0), axis=-1).sum())

    assert max(travelled_last(exponential), travelled_last(cosine)) < travelled_last(constant) / 10
    return ["0.98"]


def bias_correction():
    _, (corrected, uncorrected) = runs("bias_correction")
    first = [float(np.linalg.norm(run.positions[1] - run.positions[0])) for run in (corrected, uncorrected)]
    assert first[1] / first[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-3)
    assert round(0.1 / np.sqrt(0.001), 1) == 3.2
    return ["3.2"]


def plateau():
    chosen, (sgd, momentum, rmsprop, adam) = runs("plateau")
    gradient = float(np.linalg.norm(chosen.gradient(np.asarray(PRESETS["plateau"].start))))
    assert 1.5e-5 < gradient < 2.5e-5  # about 2·10⁻⁵
    assert np.linalg.norm(sgd.positions[-1] - sgd.positions[0]) < 0.01  # 800 steps, less than 0.01
    arrived = np.linalg.norm(momentum.positions, axis=-1) < 1  # momentum reaches the well after about 500 steps
    assert 400 <= int(np.argmax(arrived)) <= 600 and arrived[-1]
    # momentum (β = 0.99) and RMSProp reach the well's tolerance and keep ringing in it: "left", not converged
    assert statuses("plateau") == ["unfinished", "left", "left", "converged"]
    for adaptive in (rmsprop, adam):  # off the plateau within a few dozen steps
        assert int(np.argmax(np.linalg.norm(adaptive.positions, axis=-1) < 1)) < 50
    return ["800", "0.01", "0.99", "500"]


def d2l_momentum():
    chosen, (sgd_04, sgd_06, momentum) = runs("d2l_momentum")
    # d2l.ai 12.6 prints: epoch 20, x1: -0.943467, x2: -0.000073 / x1: -0.387814, x2: -1673.365109 /
    # x1: 0.007188, x2: 0.002553
    np.testing.assert_allclose(sgd_04.positions[-1], [-0.943467, -0.000073], atol=1e-6)
    np.testing.assert_allclose(sgd_06.positions[-1], [-0.387814, -1673.365109], atol=1e-6)
    np.testing.assert_allclose(momentum.positions[-1], [0.007188, 0.002553], atol=1e-6)
    assert statuses("d2l_momentum")[1] == "diverging"  # the leaderboard says so too
    assert leaderboard_row(chosen, sgd_06)["diverged_at"] is not None
    assert sgd_06.loss[-1] == pytest.approx(5.6e6, rel=0.01)
    assert momentum.loss[-1] < sgd_04.loss[-1] / 1000  # homes in on the minimum
    return ["0.94", "1 673", "5.6", "0.007", "0.003", "20"]


def batch_sizes():
    from optviz.batches import batch_race, noise_ball

    preset = PRESETS["batch_sizes"]
    assert preset.view == "batches" and preset.steps == 100  # the lane's own path: 10 epochs of mini-batches of 10
    lane = lane_from_settings(*preset.lanes[0])
    race, ball = batch_race(preset.surface, lane, preset.start, 10), noise_ball(preset.surface, lane, preset.start, 10)
    assert [len(race[kind]["steps"]) - 1 for kind in ("full", "mini", "sgd")] == [10, 100, 1000]
    assert all(race[kind]["epochs"][-1] == 10 for kind in race)  # the same examples for each
    assert 2.5 < race["full"]["median"][-1] < 3.5  # still 3 above f*
    assert race["mini"]["median"][-1] < 0.01 < 0.02 < race["sgd"]["median"][-1] < 0.045  # SGD stalls near 0.03
    assert race["full"]["median"][1] < race["mini"]["median"][1] < race["sgd"]["median"][1]  # per update
    constant, decaying = (ball[kind]["median_distance"][-1] for kind in ("constant", "decaying"))
    assert 0.08 < constant < 0.15 and 0.01 < decaying < 0.025  # about 0.1, about 0.02
    return ["0.05", "100", "1 000", "10", "3", "0.01", "0.03", "0.1", "0.02"]


def sgd_noise():
    chosen, (constant, decaying) = runs("sgd_noise")
    minimum = np.asarray(chosen.minima[0])
    near = [int(np.argmax(np.linalg.norm(run.positions - minimum, axis=-1) < 0.3)) for run in (constant, decaying)]
    assert 0 < near[0] < 100  # within the first epoch of 100 points
    last = [float(np.median(np.linalg.norm(run.positions[-500:] - minimum, axis=-1))) for run in (constant, decaying)]
    assert round(last[0], 2) == 0.13 and round(last[1], 2) == 0.02
    return ["0.05", "100", "500", "0.02", "0.13"]


FACTS = {check.__name__: check for check in (
    momentum_valley, saddle_escape, adagrad_fades, edge_of_stability, ill_conditioned, cliff_clipping, lr_decay,
    bias_correction, plateau, d2l_momentum, batch_sizes, sgd_noise)}


def test_every_preset_has_its_facts():
    assert set(FACTS) == set(PRESETS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_the_commentary_holds(name):
    quoted = FACTS[name]()
    for lang in ("en", "zh"):
        commentary = text(f"preset.{name}.text", lang).replace(" ", "")  # 2 000 or 2000
        for number in quoted:
            assert number.replace(" ", "") in commentary, f"{lang}: {name} should quote {number}"


def test_the_plateau_caption_holds():
    chosen = surface("plateau")
    start = chosen.starts[0]
    sgd = run_lane(chosen, lane_from_settings("sgd", {"lr": 0.5}), start, 5000)
    assert 0.03 < np.linalg.norm(sgd.positions[-1] - sgd.positions[0]) < 0.07  # about 0.05 in 5 000 steps
    for beta, around in ((0.99, 500), (0.9, 2500)):
        run = run_lane(chosen, lane_from_settings("momentum", {"lr": 0.5, "momentum": beta}), start, 4000)
        arrived = int(np.argmax(np.linalg.norm(run.positions, axis=-1) < 1))
        assert 0.8 * around < arrived < 1.2 * around
    assert tuple(start) == (4.0, 3.0)
    for lang in ("en", "zh"):
        assert "2 500" in chosen.lesson(lang) and "500" in chosen.lesson(lang) and "0.05" in chosen.lesson(lang)
