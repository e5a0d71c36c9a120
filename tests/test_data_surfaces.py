"""Loss surfaces made of data (optviz/surfaces/data.py): linear and logistic regression by (mini-batch) gradient
descent, checked against NumPy recomputations, least squares, and the statistics of sampling."""

import json
import re

import numpy as np
import pytest

from optviz.engine import driver
from optviz.engine.driver import run
from optviz.runs import lane_from_settings, run_lane
from optviz.surfaces import surface

SGD = lane_from_settings("sgd", {"lr": 0.1})


def design(chosen):
    """The regression's design matrix [u, 1] and targets, read from the surface's own data."""
    data = chosen.data
    return np.stack([data.u, np.ones(data.n)], axis=1), data.y


def test_full_batch_gradient_descent_equals_numpy_recomputation():
    chosen = surface("linreg:n=80,noise=0.7,seed=3,x_mean=2")
    features, targets = design(chosen)
    lr, steps = 0.05, 300
    path = run_lane(chosen, lane_from_settings("sgd", {"lr": lr}), (-1.0, 2.0), steps)
    theta = np.array([-1.0, 2.0])
    expected = [theta.copy()]
    for _ in range(steps):
        gradient = 2.0 / len(targets) * features.T @ (features @ theta - targets)
        theta = theta - lr * gradient
        expected.append(theta.copy())
    np.testing.assert_allclose(path.positions, np.array(expected), rtol=0, atol=1e-12)
    losses = np.mean((np.array(expected) @ features.T - targets) ** 2, axis=1)
    np.testing.assert_allclose(path.loss, losses, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["linreg", "linreg:standardize=1,x_mean=4", "linreg:outliers=0.1,noise=1,n=300"])
def test_gradient_descent_converges_to_least_squares(name):
    chosen = surface(name)
    features, targets = design(chosen)
    least_squares, *_ = np.linalg.lstsq(features, targets, rcond=None)
    np.testing.assert_allclose(chosen.minima[0], least_squares, atol=1e-12)
    assert chosen.f_star == pytest.approx(np.mean((features @ least_squares - targets) ** 2), rel=1e-12)
    largest = max(chosen.hessian_eigenvalues)
    path = run_lane(chosen, lane_from_settings("sgd", {"lr": 1.0 / largest}), chosen.starts[0], 20000)
    np.testing.assert_allclose(path.positions[-1], least_squares, atol=1e-9)


def test_hessian_and_its_eigenvalues():
    chosen = surface("linreg:x_mean=3")
    features, _ = design(chosen)
    hessian = 2 * features.T @ features / len(features)
    np.testing.assert_allclose(chosen.data.hessian(np.zeros(2)), hessian, rtol=1e-12)
    np.testing.assert_allclose(sorted(chosen.hessian_eigenvalues), np.linalg.eigvalsh(hessian), rtol=1e-12)
    # the ill-conditioned design: condition number above 100 at x_mean = 3; standardizing makes the bowl round
    assert max(chosen.hessian_eigenvalues) / min(chosen.hessian_eigenvalues) > 100
    np.testing.assert_allclose(surface("linreg:x_mean=3,standardize=1").hessian_eigenvalues, (2.0, 2.0), rtol=1e-12)
    logistic = surface("logreg:l2=0.05")
    point = np.array([1.3, -0.4])
    step = 1e-6
    numeric = np.stack([(logistic.gradient(point + step * e) - logistic.gradient(point - step * e)) / (2 * step)
                        for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(logistic.data.hessian(point), numeric, rtol=1e-6, atol=1e-9)


def test_logistic_regression_minimum_and_the_separable_case():
    chosen = surface("logreg")
    assert np.linalg.norm(chosen.gradient(np.array(chosen.minima[0]))) < 1e-10
    separable = surface("logreg:spread=0.2")
    assert separable.minima == () and separable.f_star is None
    path = run_lane(separable, lane_from_settings("sgd", {"lr": 1.0}), (0.0, 0.0), 2000)
    assert path.positions[-1, 0] > 8 and np.all(np.diff(path.loss) <= 1e-15), "runs away along w, loss falling"
    bounded = surface("logreg:spread=0.2,l2=0.1")
    assert len(bounded.minima) == 1
    end = run_lane(bounded, lane_from_settings("sgd", {"lr": 1.0}), (0.0, 0.0), 2000).positions[-1]
    np.testing.assert_allclose(end, bounded.minima[0], atol=1e-8)


@pytest.mark.parametrize("name", ["linreg:batch=10", "linreg:batch=1,replace=1", "logreg:batch=7"])
def test_mini_batch_runs_are_reproducible_and_seeded(name):
    chosen = surface(name)
    first = run_lane(chosen, SGD, (-1.0, 2.0), 200)
    again = run_lane(surface(name), SGD, (-1.0, 2.0), 200)
    np.testing.assert_array_equal(first.positions, again.positions)
    other = run_lane(surface(name + ",batch_seed=1"), SGD, (-1.0, 2.0), 200)
    assert np.abs(other.positions[-1] - first.positions[-1]).max() > 1e-6


def test_mini_batch_path_equals_numpy_recomputation_from_its_batches():
    chosen = surface("linreg:batch=16,n=50")  # 50 = 3 × 16 + 2: the last batch of each epoch has 2 points
    features, targets = design(chosen)
    lr, steps = 0.05, 40
    path = run_lane(chosen, lane_from_settings("sgd", {"lr": lr}), (0.5, 0.5), steps)
    theta = np.array([0.5, 0.5])
    for step in range(steps):
        batch = chosen.data.batch_indices(step)
        assert len(batch) == (2 if step % 4 == 3 else 16)
        gradient = 2.0 / len(batch) * features[batch].T @ (features[batch] @ theta - targets[batch])
        np.testing.assert_allclose(path.grad[step], gradient, rtol=1e-12, atol=1e-13)
        theta = theta - lr * gradient
        np.testing.assert_allclose(path.positions[step + 1], theta, rtol=0, atol=1e-12)
    # the recorded loss is the loss over all the data, not the batch's
    np.testing.assert_allclose(path.loss[-1], np.mean((features @ theta - targets) ** 2), rtol=1e-12)


def test_every_epoch_without_replacement_visits_each_point_once():
    data = surface("linreg:n=37,batch=5").data
    per_epoch = 8  # ceil(37 / 5)
    for epoch in range(3):
        seen = np.concatenate([data.batch_indices(epoch * per_epoch + j, np.arange(4)) for j in range(per_epoch)],
                              axis=-1)
        assert all(sorted(row) == list(range(37)) for row in seen)
    orders = [np.concatenate([data.batch_indices(epoch * per_epoch + j) for j in range(per_epoch)])
              for epoch in range(2)]
    assert not np.array_equal(*orders), "every epoch is a fresh shuffle"
    assert list(data.examples_seen([0, 1, 7, 8, 9])) == [0, 5, 35, 37, 42]


def test_vectorized_runs_draw_their_own_batches():
    chosen = surface("linreg:batch=4")
    starts = np.tile([-1.0, 2.0], (6, 1))
    together = run_lane(chosen, SGD, starts, 50)
    ends = together.positions[-1]
    assert len({tuple(np.round(end, 12)) for end in ends}) == 6, "the same start, six different paths"
    alone = run_lane(chosen, SGD, starts[0], 50)
    np.testing.assert_array_equal(together.positions[:, 0], alone.positions)
    batches = chosen.data.batch_indices(0, np.arange(6))
    assert len({tuple(row) for row in batches}) == 6
    np.testing.assert_array_equal(batches[3], chosen.data.batch_indices(0, 3))


@pytest.mark.parametrize("name", ["linreg:batch=5", "logreg:batch=3,replace=1"])
def test_chunked_and_recorded_runs_agree(name, monkeypatch):
    """record=False cuts runs into chunks (and drops diverged ones): every run still draws its own batches."""
    chosen = surface(name)
    starts = np.random.default_rng(0).uniform(-3, 3, (2, 7, 2))
    rates = np.tile(np.geomspace(0.01, 0.3, 7), (2, 1))
    rates[1, 4] = 1e8  # this run diverges: the runs after it in its chunk must not change their batches
    pipeline = SGD.pipeline({"lr": rates})
    recorded = run(pipeline, chosen.value_and_grad, starts, 60)
    monkeypatch.setattr(driver, "CHUNK_RUNS", 3)
    final = run(SGD.pipeline({"lr": rates}), chosen.value_and_grad, starts, 60, record=False)
    assert final.diverged_at[1, 4] >= 0 and (final.diverged_at >= 0).sum() == 1
    np.testing.assert_array_equal(final.diverged_at, recorded.diverged_at)
    alive = final.diverged_at < 0
    np.testing.assert_allclose(final.position[alive], recorded.positions[-1][alive], rtol=0, atol=1e-13)
    np.testing.assert_allclose(final.loss[alive], recorded.loss[-1][alive], rtol=1e-13)


@pytest.mark.parametrize("name", ["linreg:batch=10", "linreg:batch=1,replace=1", "logreg:batch=10",
                                  "logreg:batch=1,replace=1,l2=0.1", "linreg:batch=7,outliers=0.2"])
def test_stochastic_gradients_are_unbiased(name):
    """The mean of many runs' batch gradients at one point equals the full-data gradient within sampling error."""
    chosen = surface(name)
    objective = chosen.value_and_grad
    runs = 20000
    point = np.broadcast_to(np.array([0.7, -0.3])[:, None], (2, runs)).copy()
    full = chosen.gradient(np.array([0.7, -0.3]))
    for step in (0, 3):
        _, gradients = objective(point, step=step, runs=np.arange(runs))
        mean = gradients.mean(axis=1)
        error = gradients.std(axis=1) / np.sqrt(runs)
        assert np.all(np.abs(mean - full) < 5 * error + 1e-12), (mean, full, error)
        assert np.all(gradients.std(axis=1) > 0), "the batch gradients do vary"


def test_full_batch_surfaces_are_deterministic_functions():
    for name in ("linreg", "linreg:batch=100", "linreg:batch=500", "logreg:batch=0"):
        chosen = surface(name)
        assert not getattr(chosen.value_and_grad, "stochastic", True)
        assert chosen.data.full_batch
    assert surface("linreg").hessian_eigenvalues is not None
    assert surface("linreg:batch=10").hessian_eigenvalues is None, "no quadratic theory for a stochastic gradient"


def test_predictions_are_the_fitted_line_and_the_sigmoid():
    line = surface("linreg:standardize=1")
    data = line.data
    w, b = line.minima[0]
    np.testing.assert_allclose(data.predict(w, b, data.x), design(line)[0] @ np.array([w, b]), rtol=1e-12)
    logistic = surface("logreg")
    w, b = logistic.minima[0]
    probability = logistic.data.predict(np.array([w, 0.0]), np.array([b, 0.0]), np.array([-10.0, 0.0, 10.0]))
    assert probability.shape == (2, 3)
    np.testing.assert_allclose(probability[1], 0.5)
    assert probability[0, 0] < 0.01 < 0.99 < probability[0, 2]


@pytest.mark.parametrize(("text", "message"), [
    ("linreg:batch=-1", "surface linreg: batch = -1 is out of range"),
    ("linreg:batch=2.5", "batch = 2.5 is not allowed: must be an integer"),
    ("linreg:n=1", "surface linreg: n = 1 is out of range"),
    ("linreg:replace=2", "replace = 2 is out of range"),
    ("linreg:outliers=0.9", "outliers = 0.9 is out of range"),
    ("logreg:spread=0", "spread = 0 is out of range"),
    ("logreg:w=1", "unknown hyperparameter 'w'"),
])
def test_bad_settings_are_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        surface(text)


def test_command_line_run_gives_data_and_batches_to_recompute_the_path(capsys):
    from optviz.cli import main

    status = main(["run", "--surface", "linreg:n=100,noise=0.5,seed=0,batch=10", "--optimizer", "sgd",
                   "--set", "lr=0.05", "--start", "-1,2", "--steps", "25"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    x, y = np.array(result["data"]["x"]), np.array(result["data"]["y"])
    assert len(x) == 100 and result["data"]["batch"] == 10 and result["data"]["loss_over"] == "all data"
    assert result["data"]["shift"] == 0 and result["data"]["scale"] == 1
    batches = result["batches"]
    assert len(batches) == 25 and all(len(batch) == 10 for batch in batches)
    theta = np.array(result["xy"][0])
    for step, batch in enumerate(batches):
        residual = theta[0] * x[batch] + theta[1] - y[batch]
        theta = theta - 0.05 * np.array([2 * np.mean(residual * x[batch]), 2 * np.mean(residual)])
        np.testing.assert_allclose(result["xy"][step + 1], theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["epochs"][-1], 2.5)
    status = main(["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--steps", "2"])
    plain = json.loads(capsys.readouterr().out)
    assert status == 0 and "data" not in plain and "batches" not in plain


def test_interleaved_callers_get_their_own_batches():
    """The objective remembers the last epoch's shuffle: callers taking turns (threads, chunks) must still get the
    batches of their own runs, as a fresh surface computes them."""
    chosen = surface("linreg:batch=8,n=40")
    point = np.array([0.3, -0.2])
    first, second = np.arange(3), np.arange(3, 7)
    calls = [(first, 0), (second, 0), (first, 1), (second, 6), (first, 6), (first, 0)]
    for runs, step in calls:
        params = np.broadcast_to(point[:, None], (2, len(runs))).copy()
        _, gradient = chosen.value_and_grad(params, step=step, runs=runs)
        _, fresh = surface("linreg:batch=8,n=40").value_and_grad(params, step=step, runs=runs)
        np.testing.assert_array_equal(gradient, fresh)
        indices = chosen.data.batch_indices(step, runs)
        order = chosen.data.epoch_order(step // 5, runs)
        np.testing.assert_array_equal(indices, order[:, (step % 5) * 8:(step % 5) * 8 + 8])


def test_the_stability_limit_the_lesson_states():
    chosen = surface("linreg:x_mean=2")
    limit = 2 / max(chosen.hessian_eigenvalues)
    assert f"η < 2/λ_max = {limit:.3g}" in chosen.lesson("en") and f"{limit:.3g}" in chosen.lesson("zh")
    below = run_lane(chosen, lane_from_settings("sgd", {"lr": 0.99 * limit}), chosen.starts[0], 3000)
    above = run_lane(chosen, lane_from_settings("sgd", {"lr": 1.01 * limit}), chosen.starts[0], 3000)
    assert below.diverged_at < 0 and below.loss[-1] - chosen.f_star < 1e-6
    assert above.diverged_at > 0


def test_a_forked_sweep_draws_the_same_batches_as_one_process():
    """A large sweep's chunks go to forked processes: each chunk's runs must still draw their own batches."""
    from optviz.runs import Axis, sweep

    chosen = surface("linreg:batch=5")
    lane = lane_from_settings("momentum", {"lr": 0.05, "momentum": 0.5})
    axes = (Axis.make("lr", 0.01, 0.3, 91, log=True), Axis.make("momentum", 0.0, 0.9, 91))  # 8 281 runs
    here = sweep(chosen, lane, *axes, (-1.0, 2.0), 40, threads=1)
    forked = sweep(chosen, lane, *axes, (-1.0, 2.0), 40, processes=True)
    np.testing.assert_array_equal(forked.final_position, here.final_position)
    row = run_lane(chosen, lane_from_settings("momentum", {"lr": float(axes[0].values[37]),
                                                           "momentum": float(axes[1].values[0])}), (-1.0, 2.0), 40)
    assert not np.allclose(row.positions[-1], here.final_position[0, 37]), "cell 37 is run 37, not run 0"
