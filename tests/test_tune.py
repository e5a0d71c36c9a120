"""Tuning a lane on a surface (optviz.tune): theory on quadratics, the criteria against single runs, divergence,
several starts, reproducibility, and every optimizer of the registry tunable."""

import math

import numpy as np
import pytest

from optviz import theory, tune
from optviz.engine import OPTIMIZERS, run
from optviz.runs import lane_from_settings
from optviz.surfaces import surface

QUADRATIC = "quadratic:a=1,b=10"  # λ = 2 and 20
START = (-4.0, 3.0)


def cells_apart(values: np.ndarray, chosen: float, target: float, log: bool) -> float:
    """How many grid cells lie between `chosen` and `target` on an evenly spaced (or log-spaced) grid."""
    if log:
        return abs(math.log(chosen / target)) / math.log(values[1] / values[0])
    return abs(chosen - target) / (values[1] - values[0])


def test_gradient_descent_tunes_to_two_over_the_sum_of_the_extreme_eigenvalues():
    chosen = surface(QUADRATIC)
    result = tune.tune(chosen, lane_from_settings("sgd", {}), START, 1000, "final_loss")
    optimal, _ = theory.gd_optimal(chosen.hessian_eigenvalues)
    assert optimal == pytest.approx(2 / (2 + 20))
    assert len(result.lr) == tune.LR_POINTS and result.second is None
    assert cells_apart(result.lr, result.best_lr, optimal, log=True) <= 1
    assert result.found and 0 < result.best_score < 1e-100


@pytest.mark.parametrize("grid", ["fine", "default"])
def test_heavy_ball_tunes_to_polyaks_optimum(grid):
    chosen = surface(QUADRATIC)
    lane = lane_from_settings("momentum", {})
    options = {"lr": np.geomspace(0.05, 0.3, 40), "second": np.linspace(0, 0.6, 31)} if grid == "fine" else {}
    result = tune.tune(chosen, lane, START, 300, "final_loss", **options)
    best_lr, best_beta, _ = theory.momentum_optimal(chosen.hessian_eigenvalues)
    lr_grid, beta_grid = np.meshgrid(result.lr, result.second)
    rate = theory.momentum_rate(lr_grid, beta_grid, chosen.hessian_eigenvalues)
    fastest = np.unravel_index(np.argmin(rate), rate.shape)  # the grid point theory says contracts fastest
    if grid == "fine":
        assert result.best_index == tuple(int(index) for index in fastest)
        assert cells_apart(result.lr, result.best_lr, best_lr, log=True) <= 1
        assert cells_apart(result.second, result.best_second, best_beta, log=False) <= 1
    else:  # 60 × 20: the learning rate and log(1 − β) evenly spaced
        assert result.score.shape == tune.JOINT_POINTS[::-1]
        # the tuned point contracts as fast as the fastest grid point (two may tie: the rate's valley is a V)
        assert rate[result.best_index] == pytest.approx(rate[fastest], rel=1e-9)
        assert cells_apart(result.lr, result.best_lr, best_lr, log=True) <= 1
        steps_in_log = np.log(1 - result.second)
        assert abs(math.log(1 - result.best_second) - math.log(1 - best_beta)) <= abs(steps_in_log[1] - steps_in_log[0])


@pytest.mark.parametrize("criterion", tune.CRITERIA)
def test_every_grid_point_scores_as_its_own_run(criterion):
    chosen = surface("rosenbrock")
    lane = lane_from_settings("adam", {"beta2": 0.99})
    result = tune.tune(chosen, lane, (-1.5, 2.0), 200, criterion, lr=np.geomspace(1e-3, 3, 12),
                       second=np.array([0.5, 0.9]), tolerance=1e-3)
    for row, beta in enumerate(result.second):
        for column, rate in enumerate(result.lr):
            single = lane.with_settings({"lr": float(rate), "beta1": float(beta)})
            expected = tune.current_score(result, chosen, single)
            assert result.score[row, column] == pytest.approx(expected, rel=1e-12, abs=1e-300)
            path = run(single.pipeline(), chosen.value_and_grad, np.array([-1.5, 2.0]), 200)
            if result.diverged[row, column]:
                continue
            assert result.auc[row, column] == pytest.approx(path.loss.mean() - chosen.f_star, rel=1e-12)
            assert result.final_loss[row, column] == pytest.approx(path.loss[-1] - chosen.f_star, rel=1e-12,
                                                                   abs=1e-300)
    assert result.settings()["beta1"] in (0.5, 0.9)


def test_loss_sum_survives_runs_that_diverge_and_are_dropped():
    chosen = surface("rosenbrock")
    lane = lane_from_settings("sgd", {})
    rates = np.geomspace(1e-4, 1.0, 64)  # most of them diverge: the engine drops them from its working arrays
    final = run(lane.pipeline({"lr": rates}), chosen.value_and_grad, np.broadcast_to([-1.5, 2.0], (64, 2)), 150,
                record=False, loss_sum=True)
    path = run(lane.pipeline({"lr": rates}), chosen.value_and_grad, np.broadcast_to([-1.5, 2.0], (64, 2)), 150)
    alive = final.diverged_at < 0
    assert 0 < alive.sum() < 40
    np.testing.assert_allclose(final.loss_sum[alive], path.loss[:, alive].sum(axis=0), rtol=1e-12)
    assert np.isnan(final.loss_sum[~alive]).all()


def test_divergent_rates_are_never_chosen_and_all_divergent_is_said():
    chosen = surface(QUADRATIC)
    lane = lane_from_settings("sgd", {})
    result = tune.tune(chosen, lane, START, 100)
    stable = result.lr < 2 / 20  # GD on λ_max = 20 diverges from lr = 2/λ_max on
    # just above 2/λ_max a run grows too slowly to leave the box in 100 steps; from 1.5× on it does
    assert not result.diverged[stable].any() and result.diverged[result.lr > 2 / 20 * 1.5].all()
    assert np.isinf(result.score[result.diverged]).all() and result.best_lr < 0.1
    hopeless = tune.tune(chosen, lane, START, 100, lr=np.geomspace(0.2, 10, 5))
    assert not hopeless.found and math.isnan(hopeless.robust[0])


def test_robust_range_is_the_contiguous_run_within_twice_the_best():
    rates = np.geomspace(1e-3, 1e1, 5)  # 1e-3, 1e-2, 0.1, 1, 10
    low, high, decades = tune.robust_range(rates, np.array([5.0, 1.5, 1.0, 1.9, 2.5]), 2)
    assert (low, high) == (pytest.approx(1e-2), pytest.approx(1.0)) and decades == pytest.approx(2.0)
    _, _, decades = tune.robust_range(rates, np.array([1.0, 9.0, 1.5, 1.0, np.inf]), 3)
    assert decades == pytest.approx(1.0)  # 0.1 … 1: the 1.0 at 1e-3 is cut off by 9.0


def test_adaptive_methods_are_more_robust_than_gradient_descent_on_rosenbrock():
    chosen = surface("rosenbrock")
    width = {name: tune.tune(chosen, lane_from_settings(name, {}), (-1.5, 2.0), 500).robust[2]
             for name in ("sgd", "adam", "rmsprop")}
    assert width["sgd"] < 0.2 < 1.0 < width["adam"] < width["rmsprop"]


def test_several_starts_are_reproducible_and_around_the_start():
    chosen = surface("himmelblau")
    points = tune.tuning_starts(chosen, (0.5, -0.5), 16, seed=3)
    x_min, x_max, y_min, y_max = chosen.view
    radius = tune.START_RADIUS * math.hypot(x_max - x_min, y_max - y_min)
    assert points.shape == (16, 2) and tuple(points[0]) == (0.5, -0.5)
    assert (np.hypot(*(points - points[0]).T) <= radius).all()
    assert len(np.unique(points, axis=0)) == 16
    lane = lane_from_settings("momentum", {})
    first = tune.tune(chosen, lane, (0.5, -0.5), 200, starts=16, seed=3)
    again = tune.tune(chosen, lane, (0.5, -0.5), 200, starts=16, seed=3)
    other = tune.tune(chosen, lane, (0.5, -0.5), 200, starts=16, seed=4)
    np.testing.assert_array_equal(first.score, again.score)
    assert first.best_index == again.best_index
    assert not np.array_equal(first.score, other.score)
    alone = tune.tune(chosen, lane, (0.5, -0.5), 200, starts=1)
    assert first.starts.shape == (16, 2) and alone.starts.shape == (1, 2)


def test_mini_batch_surfaces_tune_reproducibly():
    chosen = surface("linreg:batch=10")
    lane = lane_from_settings("sgd", {})
    first = tune.tune(chosen, lane, (0.0, 0.0), 100, lr=np.geomspace(1e-3, 1, 30))
    again = tune.tune(chosen, lane, (0.0, 0.0), 100, lr=np.geomspace(1e-3, 1, 30))
    np.testing.assert_array_equal(first.score, again.score)
    assert first.found


def test_a_surface_without_a_known_minimum_is_measured_from_the_lowest_loss_found():
    chosen = surface("expr:(x - 1)^2 + 3*(y + 2)^2 + 5")
    assert chosen.f_star is None
    result = tune.tune(chosen, lane_from_settings("sgd", {}), (0.0, 0.0), 300)
    assert not result.reference_known and result.reference == pytest.approx(5.0, abs=1e-9)
    assert result.found and (result.score[np.isfinite(result.score)] >= 0).all()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_of_the_registry_can_be_tuned(name):
    jointly = tune.tuned_setting(name)
    if jointly is not None:
        assert OPTIMIZERS[name].specs[jointly].kind == "float"
    result = tune.tune(surface(QUADRATIC), lane_from_settings(name, {}), START, 100)
    assert result.found and result.optimizer == name
    assert set(result.settings()) == {"lr"} | ({jointly} if jointly else set())
    lane = lane_from_settings(name, {}).with_settings(result.settings())
    assert lane.pipeline() is not None  # the chosen values are valid settings


@pytest.mark.parametrize("bad", [dict(criterion="fastest"), dict(steps=0), dict(steps=10**6), dict(starts=0),
                                 dict(starts=1000), dict(lr=np.array([0.1, -1.0]))])
def test_bad_requests_are_refused_with_a_reason(bad):
    options = {"criterion": "auc", "steps": 50, **bad}
    with pytest.raises(ValueError):
        tune.tune(surface(QUADRATIC), lane_from_settings("sgd", {}), START, options.pop("steps"),
                  options.pop("criterion"), **options)


@pytest.mark.parametrize("criterion", tune.CRITERIA)
def test_the_applied_setting_scores_exactly_what_the_tuning_ranked(criterion):
    # at the edge of stability a rounded winner could diverge (heavy ball on Rosenbrock: η = 0.0021826, β = 0.94544
    # converged, 0.00218, 0.945 diverged): the grids are round numbers and the winner is applied as it is
    chosen = surface("rosenbrock")
    lane = lane_from_settings("momentum", {})
    result = tune.tune(chosen, lane, (-1.5, 2.0), 500, criterion)
    applied = lane.with_settings(result.settings())
    assert applied.values()["lr"] == result.best_lr and applied.values()["momentum"] == result.best_second
    assert tune.current_score(result, chosen, applied) == result.best_score
    assert all(float(f"{rate:.3g}") == rate for rate in result.lr)
    assert all(float(f"{1 - beta:.3g}") == pytest.approx(1 - beta, abs=1e-12) for beta in result.second)


def test_never_reaching_the_tolerance_is_never_inside_the_robust_range():
    chosen = surface("rosenbrock")
    for name in ("adam", "momentum"):
        result = tune.tune(chosen, lane_from_settings(name, {}), (-1.5, 2.0), 500, "steps_to_tolerance")
        low, high, _ = result.robust
        inside = (result.lr >= low) & (result.lr <= high)
        assert (result.lr_curve()[inside] <= 500).all()
    sgd = tune.tune(chosen, lane_from_settings("sgd", {}), (-1.5, 2.0), 500, "steps_to_tolerance")
    assert not sgd.found and math.isnan(sgd.robust[0])  # SGD gets nowhere near in 500 steps


def test_flat_edge_and_isolated_optima_are_flagged():
    chosen = surface("rosenbrock")
    adagrad = tune.tune(chosen, lane_from_settings("adagrad", {}), (-1.5, 2.0), 500)
    assert adagrad.baseline == adagrad.lr_curve()[0]  # the smallest rate's area: a run that barely moves
    assert adagrad.baseline == pytest.approx(chosen.value(np.array([-1.5, 2.0])), rel=0.01)
    assert adagrad.flat and adagrad.robust[2] > 2  # wide because the criterion hardly moves: 4.9 against 12.4
    for name in ("momentum", "adam"):  # areas 0.63 and 1.5 against 5.9 and 12.0
        assert not tune.tune(chosen, lane_from_settings(name, {}), (-1.5, 2.0), 500).flat
    sgd = tune.tune(chosen, lane_from_settings("sgd", {}), (-1.5, 2.0), 500)
    assert sgd.edge == sgd.lr[sgd.best_index[0] + 1] and sgd.diverged[sgd.best_index[0] + 1]  # tuned to the cliff
    lucky = tune.tune(chosen, lane_from_settings("adam", {}), (-1.5, 2.0), 500, "final_loss")
    assert lucky.isolated and not lucky.flat


def test_mini_batch_grid_points_draw_the_lanes_own_batches():
    chosen = surface("linreg:batch=10")
    lane = lane_from_settings("momentum", {})
    for starts in (1, 4):
        result = tune.tune(chosen, lane, (-1.5, 2.0), 200, starts=starts, seed=2)
        applied = lane.with_settings(result.settings())
        assert tune.current_score(result, chosen, applied) == result.best_score  # the same batches, bit for bit
    deterministic = surface("rosenbrock").value_and_grad
    assert tune.same_batches(deterministic, 10) is deterministic  # nothing to align
