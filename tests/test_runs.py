"""Runs, sweeps and basins on surfaces; the momentum sweep against Distill's theory; lanes from settings."""

import numpy as np
import pytest

from optviz import theory
from optviz.lane import Lane, lane_from_settings
from optviz.runs import Axis, basins, run_lane, sweep
from optviz.surfaces import surface


def test_run_lane_records_everything():
    chosen = surface("rosenbrock")
    lanes = [lane_from_settings("adam", {"lr": "0.05"}), lane_from_settings("momentum", {"lr": "0.001"})]
    paths = [run_lane(chosen, lane, np.array([[-1.5, 2.0], [0.0, -0.5]]), 300) for lane in lanes]
    for path in paths:
        assert path.positions.shape == (301, 2, 2) and path.loss.shape == (301, 2) and path.lr.shape == (300, 2)
        np.testing.assert_allclose(path.loss, chosen.value(path.positions), rtol=1e-12)
        np.testing.assert_allclose(path.grad, chosen.gradient(path.positions), rtol=1e-12)
    inspected = run_lane(chosen, lanes[0], np.array([-1.5, 2.0]), 5, record_state=True)
    assert set(inspected.state) == {"exp_avg", "exp_avg_sq"}


def test_steps_to_tolerance_on_a_quadratic():
    path = run_lane(surface("quadratic:a=1,b=1"), lane_from_settings("sgd", {"lr": "0.25"}),
                    np.array([1.0, 0.0]), 50, tolerance=1e-6)
    # x_t = 0.5^t, f = 0.25^t < 1e-6 first at t = 10
    assert path.steps_to_tolerance == 10


@pytest.mark.parametrize(("x", "y"), [
    (Axis.make("lr", 1e-3, 0.3, 7, log=True), Axis.make("momentum", 0.0, 0.95, 5)),
    (Axis.make("beta1", 0.0, 0.99, 6), None),
    (Axis.make("x0", -2.0, 2.0, 5), Axis.make("y0", -1.0, 3.0, 4)),
    (Axis.make("clip_norm.max_norm", 0.1, 10, 4, log=True), Axis.make("lr", 1e-3, 1e-1, 3, log=True)),
])
def test_sweep_equals_runs_one_by_one(x, y):
    chosen = surface("rosenbrock")
    optimizer = "momentum" if y is not None and y.name == "momentum" else "adam"
    lane = lane_from_settings(optimizer, {"lr": "0.001"} if optimizer == "momentum" else {"clip_norm": "5"})
    start = (-1.5, 2.0)
    result = sweep(chosen, lane, x, y, start, 80)
    shape = (len(y.values), len(x.values)) if y is not None else (len(x.values),)
    assert result.final_loss.shape == shape
    for index in np.ndindex(*shape):
        values = {x.name: x.values[index[-1]]}
        if y is not None:
            values[y.name] = y.values[index[0]]
        point = np.array([values.pop("x0", start[0]), values.pop("y0", start[1])])
        single = run_lane(chosen, Lane(lane.optimizer, lane.hyperparameters, lane.convention, lane.tricks),
                          point, 0)  # start check only
        assert single.positions[0].tolist() == point.tolist()
        one = run_one(chosen, lane, values, point, 80)
        if one.diverged_at >= 0:
            assert result.diverged[index]
        else:
            assert result.final_loss[index] == one.loss[-1]
            assert result.steps_to_tolerance[index] == one.steps_to_tolerance


def run_one(chosen, lane, values, point, steps):
    from optviz.engine import run

    return run(lane.pipeline(values), chosen.value_and_grad, point, steps, tolerance=1e-6, f_star=chosen.f_star)


def test_heavy_ball_sweep_agrees_with_theory():
    """On f = ½(λ₁u² + λ₂v²), heavy ball converges iff 0 ≤ β < 1 and 0 < αλ < 2 + 2β (Distill)."""
    for name in ("quadratic:a=0.5,b=5", "rotated_quadratic:l1=1,l2=30,angle=25", "booth"):
        chosen = surface(name)
        eigenvalues = chosen.hessian_eigenvalues
        x = Axis.make("lr", 1e-3, 4.0 / max(eigenvalues), 60, log=True)
        y = Axis.make("momentum", 0.0, 0.98, 40)
        result = sweep(chosen, lane_from_settings("momentum", {}), x, y, chosen.starts[0], 1500, tolerance=1e-8)
        grid_lr, grid_momentum = np.meshgrid(x.values, y.values)
        rate = theory.momentum_rate(grid_lr, grid_momentum, eigenvalues)
        clear = np.abs(rate - 1) > 1e-2
        predicted = theory.momentum_converges(grid_lr, grid_momentum, eigenvalues)
        assert np.array_equal(predicted[clear], (rate < 1)[clear])
        converged = result.steps_to_tolerance >= 0
        # fast enough to reach 1e-8 within 1500 steps where theory says rate^1500 is tiny
        quick = rate < 0.98
        assert np.all(converged[quick & clear])
        assert np.all(result.diverged[(rate > 1.01)])
        assert not np.any(result.diverged[predicted & clear])


def test_optimal_heavy_ball_is_the_fastest_cell():
    chosen = surface("quadratic:a=0.5,b=10")
    eigenvalues = chosen.hessian_eigenvalues
    best_lr, best_momentum, _ = theory.momentum_optimal(eigenvalues)
    x = Axis.make("lr", best_lr / 3, best_lr * 3, 41, log=True)
    y = Axis.make("momentum", 0.0, 0.95, 39)
    result = sweep(chosen, lane_from_settings("momentum", {}), x, y, (-4.0, 3.0), 400, tolerance=1e-10)
    steps = np.where(result.steps_to_tolerance >= 0, result.steps_to_tolerance, 10**9)
    row, column = np.unravel_index(np.argmin(steps), steps.shape)
    assert abs(np.log(x.values[column] / best_lr)) <= np.log(x.values[1] / x.values[0]) * 1.01 + 1e-12
    assert abs(y.values[row] - best_momentum) <= (y.values[1] - y.values[0]) * 1.01


def test_gradient_descent_theory():
    eigenvalues = (1.0, 10.0)
    assert theory.gd_rate(0.1, eigenvalues) == pytest.approx(0.9)
    assert theory.gd_converges(np.array([0.05, 0.19, 0.21]), eigenvalues).tolist() == [True, True, False]
    lr, rate = theory.gd_optimal(eigenvalues)
    assert lr == pytest.approx(2 / 11) and rate == pytest.approx(9 / 11)
    path = run_lane(surface("quadratic:a=0.5,b=5"), lane_from_settings("sgd", {"lr": str(lr)}),
                    np.array([1.0, 1.0]), 40)
    measured = (path.loss[40] / path.loss[20]) ** (1 / 40)  # loss shrinks by rate² per step
    assert measured == pytest.approx(rate, rel=1e-3)


def test_basins_of_himmelblau():
    chosen = surface("himmelblau")
    found = basins(chosen, lane_from_settings("sgd", {"lr": "0.01"}), np.linspace(-5, 5, 41), np.linspace(-5, 5, 41),
                   400)
    assert found.labels.shape == (41, 41)
    assert set(np.unique(found.labels)) <= {-2, -1, 0, 1, 2, 3}
    assert set(np.unique(found.labels)) >= {0, 1, 2, 3}
    # a start next to a minimum ends in it
    assert found.labels[np.argmin(np.abs(found.y_values - 2.0)), np.argmin(np.abs(found.x_values - 3.0))] == 0


def test_basins_of_a_typed_function_are_found_without_known_minima():
    chosen = surface("expr:(x^2 - 4)^2 + y^2")
    found = basins(chosen, lane_from_settings("sgd", {"lr": "0.01"}), np.linspace(-3, 3, 21), np.linspace(-1, 1, 5),
                   600)
    assert len(found.minima) == 2
    np.testing.assert_allclose(np.sort(np.abs(found.minima[:, 0])), [2.0, 2.0], atol=0.2)
    assert (found.labels[:, :9] == found.labels[0, 0]).all() and (found.labels[:, -9:] == found.labels[0, -1]).all()


@pytest.mark.parametrize(("settings", "message"), [
    ({"lr": "fast"}, "sgd: lr = 'fast' is not a number"),
    ({"nesterov": "yes"}, "nesterov = 'yes' is not allowed: must be true or false"),
    ({"warp": "1"}, "unknown setting 'warp' for sgd"),
    ({"schedule": "cyclic"}, "unknown schedule 'cyclic'"),
    ({"schedule.total_steps": "10"}, "schedule settings were given without schedule=NAME"),
    ({"schedule": "cosine", "schedule.gamma": "0.5"}, "schedule cosine: unknown setting 'gamma'"),
    ({"clip_norm": "-1"}, "clip_norm: max_norm = -1 is out of range"),
    ({"noise.seed": "1.5"}, "noise: seed = 1.5 is not allowed: must be an integer"),
])
def test_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        lane_from_settings("sgd", settings)


def test_settings_round_trip():
    settings = {"lr": "0.1", "momentum": "0.8", "nesterov": "true", "clip_norm": "2", "noise.std": "0.3",
                "noise.seed": "7", "schedule": "step", "schedule.step_size": "10"}
    lane = lane_from_settings("sgd", settings)
    assert lane_from_settings("sgd", {key: str(value) for key, value in lane.settings().items()}) == lane
    assert hash(lane) == hash(lane_from_settings("sgd", settings))
    pipeline = lane.pipeline()
    assert [link.name for link in pipeline.links] == ["clip_norm", "noise", "sgd"] or \
        [link.name for link in pipeline.links] == ["noise", "clip_norm", "sgd"]
    assert pipeline.lr_at(11) == pytest.approx(0.01)


@pytest.mark.parametrize("text", ["lr", "lr=1:2", "lr=a:b:3", "lr=0:1:0", "lr=0:1:3:lin", "lr=0:1:5:log",
                                  "lr=1:inf:3", "lr=0:1:100000"])
def test_bad_axes(text):
    with pytest.raises(ValueError):
        Axis.parse(text)


def test_bad_sweeps():
    chosen, lane = surface("quadratic"), lane_from_settings("sgd", {})
    with pytest.raises(ValueError, match="cannot sweep 'nesterov'"):
        sweep(chosen, lane, Axis.make("nesterov", 0, 1, 2), None, (1, 1), 5)
    with pytest.raises(ValueError, match="cannot sweep 'beta9'"):
        sweep(chosen, lane, Axis.make("beta9", 0, 1, 2), None, (1, 1), 5)
    with pytest.raises(ValueError, match="must differ"):
        sweep(chosen, lane, Axis.make("lr", 0, 1, 2), Axis.make("lr", 0, 1, 2), (1, 1), 5)


def test_a_steps_axis_reads_the_loss_after_each_step_count():
    chosen = surface("quadratic:a=1,b=10")
    lane = lane_from_settings("momentum", {})
    result = sweep(chosen, lane, Axis.make("lr", 1e-3, 0.2, 5, log=True), Axis.make("steps", 10, 100, 4), (-4, 3), 0)
    assert result.final_loss.shape == (4, 5) and result.y.values.tolist() == [10, 40, 70, 100]
    for row, count in enumerate(result.y.values.astype(int)):
        for column, lr in enumerate(result.x.values):
            one = run_one(chosen, lane, {"lr": lr}, np.array([-4.0, 3.0]), count)
            if one.diverged_at >= 0:
                assert result.diverged[row, column] and np.isnan(result.final_loss[row, column])
            else:
                assert result.final_loss[row, column] == one.loss[-1]
                assert result.steps_to_tolerance[row, column] == one.steps_to_tolerance
    across = sweep(chosen, lane, Axis.make("steps", 10, 100, 4), Axis.make("momentum", 0.0, 0.9, 3), (-4, 3), 0)
    assert across.final_loss.shape == (3, 4) and across.x.name == "steps"
