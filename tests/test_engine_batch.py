"""K runs as one call: the same numbers as one by one (every row of tests/cases.py); divergence stops one run only;
chunks and threads."""

import numpy as np
import pytest

from optviz.engine import build, run
from optviz.engine import driver as driver_module
from optviz.lane import Lane

from .cases import CASES, case_id
from .functions import START, quadratic, value_and_grad

FACTORS = np.array([0.5, 0.75, 1.0])  # keep every setting inside its domain (a momentum of 0.9 stays below 1)


def batch_keys(lane):
    """The number settings a row moves (its hyperparameters and its tricks' settings), each to be batched."""
    keys = [name for name, _ in lane.hyperparameters]
    keys += [f"{trick}.{name}" for trick, settings in lane.tricks for name, _ in settings]
    return [key for key in keys if lane.override_spec(key).kind == "float"]


ROWS = [lane for lane in CASES if "noise" not in dict(lane.tricks)]  # noise draws per batch, not per run


@pytest.mark.parametrize("convention", ["pytorch", "textbook"])
@pytest.mark.parametrize("row", ROWS, ids=[case_id(lane) for lane in ROWS])
def test_a_setting_array_equals_runs_one_by_one(row, convention):
    """Every number setting of every row of the shared table, as an array over 3 runs: the same numbers as the
    runs one by one (with per-run gradient clipping in the chain, so that norms are checked per run too)."""
    lane = Lane(row.optimizer, row.hyperparameters, convention, row.tricks, row.schedule)
    if "clip_norm" not in dict(lane.tricks):
        lane = lane.with_settings({"clip_norm.max_norm": 2.0})
    starts = np.stack([START, START * 0.5, -START])
    keys = batch_keys(row)
    assert keys, "a row moves at least its learning rate"
    for key in keys:
        values = FACTORS * dict(lane.settings())[key]
        batched = run(lane.pipeline({key: values}), value_and_grad, starts, 100)
        for index, value in enumerate(values):
            single = run(lane.pipeline({key: value}), value_and_grad, starts[index], 100)
            np.testing.assert_array_equal(batched.positions[:, index], single.positions, err_msg=key)
            np.testing.assert_array_equal(batched.lr[:, index], single.lr, err_msg=key)


def test_clipping_norm_is_per_run():
    starts = np.array([[100.0, 0.0], [0.1, 0.0]])
    result = run(build("sgd", {"lr": 0.1}, tricks=[("clip_norm", {"max_norm": 1.0})]), quadratic(1, 1), starts, 1)
    step = result.positions[0] - result.positions[1]
    np.testing.assert_allclose(np.linalg.norm(step, axis=-1), [0.1 * 1.0 / (1 + 1e-6 / 200), 0.1 * 0.2])


def test_divergence_stops_one_run_and_the_others_go_on():
    lrs = np.array([0.1, 1.2, 0.4])  # on x² + y², GD diverges when lr > 1 (|1 - 2·lr| > 1)
    result = run(build("sgd", {"lr": lrs}), quadratic(1, 1), np.tile([3.0, -2.0], (3, 1)), 200)
    assert result.diverged_at[0] == -1 and result.diverged_at[2] == -1
    k = result.diverged_at[1]
    # |x_t| = 3·1.4^t first exceeds 1e6 at t = 38
    assert k == 38
    assert np.all(np.isfinite(result.positions[:k, 1])) and np.all(np.isnan(result.positions[k:, 1]))
    assert np.all(np.isfinite(result.positions[:, [0, 2]]))
    assert result.loss[-1, 0] < 1e-12


def test_non_finite_loss_counts_as_divergence():
    def log_barrier(params):
        x = params[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            return -np.log(x) + 3 * x, np.stack([-1 / x + 3, 0 * x])

    # from x = 2 the gradient is 2.5: lr = 1 jumps to x = -0.5, where log is undefined
    result = run(build("sgd", {"lr": np.array([1.0, 0.01])}), log_barrier, np.array([[2.0, 0.0], [2.0, 0.0]]), 10)
    assert result.diverged_at[0] == 1 and result.diverged_at[1] == -1


def test_start_outside_the_box_diverges_at_step_zero():
    result = run(build("adam", {"lr": 0.1}), quadratic(1, 1), np.array([[1e7, 0.0], [1.0, 1.0]]), 5)
    assert list(result.diverged_at) == [0, -1]


def test_steps_zero_gives_the_start_only():
    result = run(build("adam"), value_and_grad, START, 0)
    assert result.positions.shape == (1, 4) and result.lr.shape == (0,)
    np.testing.assert_array_equal(result.positions[0], START)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_bad_step_counts_are_refused(bad):
    with pytest.raises(ValueError, match="steps"):
        run(build("sgd"), value_and_grad, START, bad)


@pytest.mark.parametrize("threads", [1, 2])
def test_final_mode_in_chunks_and_threads_equals_the_full_record(monkeypatch, threads):
    monkeypatch.setattr(driver_module, "CHUNK_RUNS", 64)
    monkeypatch.setattr(driver_module, "PARALLEL_CHUNK_RUNS", 64)
    generator = np.random.default_rng(1)
    grid_shape = (13, 23)  # 299 runs: several chunks, the last one short
    starts = generator.uniform(-3, 3, size=(*grid_shape, 2))
    lrs = np.geomspace(1e-3, 2.0, grid_shape[1])[None, :] * np.ones(grid_shape)
    betas = np.linspace(0.0, 0.99, grid_shape[0])[:, None]
    pipeline = build("momentum", {"lr": lrs, "momentum": betas})
    full = run(pipeline, quadratic(1, 0.3), starts, 60, tolerance=1e-6, f_star=0.0)
    final = run(pipeline, quadratic(1, 0.3), starts, 60, record=False, tolerance=1e-6, f_star=0.0, threads=threads)
    np.testing.assert_array_equal(final.position, full.positions[-1])
    np.testing.assert_array_equal(final.loss, full.loss[-1])
    np.testing.assert_array_equal(final.diverged_at, full.diverged_at)
    np.testing.assert_array_equal(final.steps_to_tolerance, full.steps_to_tolerance)
    assert (full.diverged_at > 0).any() and (full.diverged_at < 0).any()
    assert (full.steps_to_tolerance > 0).any()


def test_steps_to_tolerance_uses_the_gradient_norm_without_f_star():
    result = run(build("sgd", {"lr": 0.25}), quadratic(1, 1), np.array([1.0, 0.0]), 10, tolerance=0.1)
    # x_t = 0.5^t, ||grad|| = 2·0.5^t < 0.1 first at t = 5
    assert result.steps_to_tolerance == 5


def test_recorded_state_follows_the_optimizer():
    result = run(build("adam", {"lr": 0.1}), quadratic(1, 1), np.array([1.0, -1.0]), 3, record_state=True)
    assert set(result.state) == {"exp_avg", "exp_avg_sq"}
    np.testing.assert_array_equal(result.state["exp_avg"][0], [0.0, 0.0])
    np.testing.assert_allclose(result.state["exp_avg"][1], 0.1 * result.grad[0])
    np.testing.assert_allclose(result.state["exp_avg_sq"][1], 0.001 * result.grad[0] ** 2)


def test_the_start_array_is_left_alone():
    start = START.copy()
    run(build("adam", {"lr": 0.1}), value_and_grad, start, 10)
    run(build("adam", {"lr": 0.1}), value_and_grad, start, 10, record=False)
    np.testing.assert_array_equal(start, START)
