"""The command line: round trips, the JSON and CSV shapes, negative numbers, and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optviz.cli import main
from optviz.runs import lane_from_settings, run_lane
from optviz.surfaces import surface

ROOT = Path(__file__).resolve().parent.parent


def cli(capsys, *arguments):
    status = main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list_json_has_every_kind(capsys):
    status, out, _ = cli(capsys, "list", "--format", "json")
    data = json.loads(out)
    assert status == 0
    assert {"surfaces", "optimizers", "tricks", "schedules"} <= set(data)
    rosenbrock = next(item for item in data["surfaces"] if item["name"] == "rosenbrock")
    assert rosenbrock["minima"] == [[1.0, 1.0]] and rosenbrock["parameters"] == {"a": 1.0, "b": 100.0}
    assert len(rosenbrock["view"]) == 4


def test_list_text(capsys):
    status, out, _ = cli(capsys, "list")
    assert status == 0 and "rosenbrock" in out and "adamw" in out and "warmup_cosine" in out


def test_run_json_round_trip(capsys):
    status, out, _ = cli(capsys, "run", "--surface", "quadratic:a=0.1,b=2", "--optimizer", "momentum",
                         "--set", "lr=0.6", "--set", "momentum=0.5", "--convention", "textbook",
                         "--start", "-5,-2", "--steps", "20")
    data = json.loads(out)
    assert status == 0
    assert set(data) == {"surface", "optimizer", "convention", "hyperparameters", "xy", "loss", "grad",
                         "diverged_at", "steps_to_tolerance"}
    assert len(data["xy"]) == 21 and data["xy"][0] == [-5.0, -2.0]
    assert f"{data['xy'][-1][0]:f}" == "0.007188"  # d2l.ai 12.6 prints x1: 0.007188
    assert data["hyperparameters"]["lr"] == 0.6 and data["hyperparameters"]["dampening"] == 0.0
    same = run_lane(surface("quadratic:a=0.1,b=2"),
                    lane_from_settings("momentum", {"lr": "0.6", "momentum": "0.5"}, "textbook"),
                    np.array([-5.0, -2.0]), 20)
    assert np.array_equal(np.array(data["xy"]), same.positions)
    assert data["loss"] == same.loss.tolist()


def test_run_stops_rows_at_the_last_finite_position(capsys):
    status, out, _ = cli(capsys, "run", "--surface", "quadratic:a=1,b=1", "--optimizer", "sgd", "--set", "lr=1.5",
                         "--start", "1,1", "--steps", "100")
    data = json.loads(out)
    # x_t = (1 - 3)^t: |x| passes 1e6 at t = 20
    assert status == 0 and data["diverged_at"] == 20 and len(data["xy"]) == 20
    assert all(np.isfinite(row).all() for row in data["xy"])


def test_run_csv(capsys):
    status, out, _ = cli(capsys, "run", "--surface", "rosenbrock", "--optimizer", "adam", "--set", "lr=0.05",
                         "--steps", "3", "--format", "csv", "--set", "schedule=cosine", "--set",
                         "schedule.total_steps=3", "--set", "clip_norm=1")
    lines = out.strip().splitlines()
    assert status == 0 and lines[0] == "step,x,y,loss,grad_x,grad_y" and len(lines) == 5
    assert [float(value) for value in lines[1].split(",")[1:3]] == [-1.5, 2.0]


def test_steps_zero_gives_the_start(capsys):
    status, out, _ = cli(capsys, "run", "--surface", "himmelblau", "--optimizer", "sgd", "--steps", "0")
    data = json.loads(out)
    assert status == 0 and data["xy"] == [[0.0, 0.0]] and data["loss"] == [170.0]


def test_sweep_json(capsys):
    status, out, _ = cli(capsys, "sweep", "--surface", "quadratic", "--optimizer", "momentum",
                         "--x", "lr=0.001:0.3:6:log", "--y", "momentum=0:0.9:4", "--steps", "60", "--start", "-4,3")
    data = json.loads(out)
    assert status == 0
    assert data["x"]["name"] == "lr" and len(data["x"]["values"]) == 6
    assert data["y"]["name"] == "momentum" and len(data["y"]["values"]) == 4
    for key in ("final_loss", "diverged", "steps_to_tolerance"):
        assert len(data[key]) == 4 and all(len(row) == 6 for row in data[key])
    assert any(any(row) for row in data["diverged"]) and not all(all(row) for row in data["diverged"])
    diverged_cell = next((i, j) for i, row in enumerate(data["diverged"]) for j, value in enumerate(row) if value)
    assert data["final_loss"][diverged_cell[0]][diverged_cell[1]] is None


def test_one_axis_sweep(capsys):
    status, out, _ = cli(capsys, "sweep", "--surface", "rosenbrock", "--optimizer", "adam", "--x", "x0=-2:2:5",
                         "--steps", "10")
    data = json.loads(out)
    assert status == 0 and "y" not in data and len(data["final_loss"]) == 5


@pytest.mark.parametrize(("arguments", "message"), [
    (["run", "--surface", "nope", "--optimizer", "sgd"], "unknown surface 'nope'"),
    (["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--set", "lr=-1"], "sgd: lr = -1 is out of range"),
    (["run", "--surface", "rosenbrock", "--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'"),
    (["run", "--surface", "expr:__import__('os')", "--optimizer", "sgd"], "is not allowed"),
    (["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--start", "1,2,3"], "two finite numbers"),
    (["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--start", "nan,1"], "two finite numbers"),
    (["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--steps", "-1"], "--steps -1 is out of range"),
    (["run", "--surface", "rosenbrock", "--optimizer", "sgd", "--set", "lr"], "should be KEY=VALUE"),
    (["sweep", "--surface", "quadratic", "--optimizer", "sgd", "--x", "lr=0:1"], "KEY=LO:HI:N"),
    (["sweep", "--surface", "quadratic", "--optimizer", "sgd", "--x", "lr=-1:1:3"], "lr = -1 is out of range"),
    (["bogus"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_status_two(capsys, arguments, message):
    status, out, err = cli(capsys, *arguments)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("optviz: error: ") and message in err


def test_the_real_process_exits_two_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "optviz", "run", "--surface", "rosenbrock", "--optimizer", "sgd",
                             "--set", "lr=-1"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "optviz: error: sgd: lr = -1 is out of range: allowed [0, inf)"


def test_negative_start_in_a_real_process():
    result = subprocess.run([sys.executable, "-m", "optviz", "run", "--surface", "quadratic", "--optimizer", "sgd",
                             "--start", "-5,-2", "--steps", "1", "--set", "lr=0.01"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["xy"][0] == [-5.0, -2.0]


def test_a_large_sweep_forks_and_agrees_with_threads():
    """The command line shares big sweeps among forked processes; the numbers are the threads' numbers."""
    from optviz.engine import driver
    from optviz.runs import Axis, sweep

    chosen, lane = surface("rosenbrock"), lane_from_settings("adam", {})
    x, y = Axis.make("lr", 1e-3, 0.1, 300, log=True), Axis.make("beta1", 0.0, 0.99, 250)
    forked = sweep(chosen, lane, x, y, (-1.5, 2.0), 20, processes=True)
    threaded = sweep(chosen, lane, x, y, (-1.5, 2.0), 20)
    assert 2 * driver.CHUNK_RUNS <= 300 * 250
    np.testing.assert_array_equal(forked.final_loss, threaded.final_loss)
    np.testing.assert_array_equal(forked.steps_to_tolerance, threaded.steps_to_tolerance)


def test_train_prints_per_epoch_metrics_and_matches_torch(capsys):
    arguments = ["train", "--dataset", "gauss", "--dataset-set", "size=200,noise=0.1", "--model",
                 "hidden=8x8,activation=tanh", "--optimizer", "adam", "--set", "lr=0.02",
                 "--epochs", "5", "--batch-size", "32", "--seed", "2"]
    status, out, _ = cli(capsys, *arguments)
    ours = json.loads(out)
    assert status == 0 and len(ours["train_loss"]) == 6 and ours["test_acc"] is not None
    assert {"train_loss", "val_loss", "train_acc", "val_acc", "test_loss", "test_acc"} <= set(ours)
    status, out, _ = cli(capsys, *arguments, "--engine", "torch")
    theirs = json.loads(out)
    np.testing.assert_allclose(ours["train_loss"], theirs["train_loss"], rtol=1e-5)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--dataset", "rings"], "unknown data set 'rings'"),
    (["--dataset", "xor", "--model", "hidden=999"], "hidden = (999,) is out of range"),
    (["--dataset", "xor", "--model", "colour=red"], "unknown setting 'colour'"),
    (["--dataset", "xor", "--dataset-set", "noise=2"], "noise = 2.0 is out of range"),
    (["--dataset", "xor", "--epochs", "0"], "epochs = 0 is out of range"),
])
def test_bad_training_input(capsys, arguments, message):
    base = {"--optimizer": "adam", "--epochs": "2"}
    for index in range(0, len(arguments), 2):
        base[arguments[index]] = arguments[index + 1]
    status, _, err = cli(capsys, "train", *[item for pair in base.items() for item in pair])
    assert status == 2 and message in err and err.count("\n") == 1


def test_train_on_the_digits_with_the_cnn(capsys):
    status, out, _ = cli(capsys, "train", "--dataset", "digits", "--dataset-set", "size=200", "--model",
                         "cnn=true,channels=4", "--optimizer", "adam", "--set", "lr=0.01", "--epochs", "2")
    data = json.loads(out)
    assert status == 0 and len(data["val_acc"]) == 3 and 0 <= data["test_acc"] <= 1


def test_tune_json_holds_the_grid_the_scores_and_tunes_best_setting(capsys):
    from optviz import tune

    status, out, _ = cli(capsys, "tune", "--surface", "rosenbrock", "--optimizer", "momentum", "--set",
                         "dampening=0.1", "--start", "-1.5,2", "--steps", "200", "--lr", "1e-5:0.01:12",
                         "--second", "0.5:0.9:3")
    data = json.loads(out)
    assert status == 0
    assert set(data) == {"surface", "optimizer", "convention", "hyperparameters", "criterion", "steps", "tolerance",
                         "seed", "starts", "reference", "lr", "second", "score", "diverged", "final_loss", "auc",
                         "steps_to_tolerance", "best", "robust", "baseline"}
    assert data["criterion"] == "auc" and data["steps"] == 200 and data["starts"] == [[-1.5, 2.0]]
    assert data["hyperparameters"]["dampening"] == 0.1 and data["reference"] == {"value": 0.0, "known": True}
    assert data["second"]["name"] == "momentum" and data["second"]["values"] == [0.5, 0.7, 0.9]
    assert len(data["lr"]) == 12 and data["lr"][0] == pytest.approx(1e-5) and data["lr"][-1] == pytest.approx(0.01)
    for key in ("score", "diverged", "final_loss", "auc", "steps_to_tolerance"):
        assert len(data[key]) == 3 and all(len(row) == 12 for row in data[key])
    cells = [(i, j) for i in range(3) for j in range(12)]
    assert any(data["diverged"][i][j] for i, j in cells) and not all(data["diverged"][i][j] for i, j in cells)
    for i, j in cells:  # a diverged point has no score: null beside the mask, never a number
        assert (data["score"][i][j] is None) == data["diverged"][i][j]
        assert (data["final_loss"][i][j] is None) == data["diverged"][i][j]
    expected = tune.tune(surface("rosenbrock"), lane_from_settings("momentum", {"dampening": "0.1"}), (-1.5, 2.0),
                         200, lr=tune.lr_grid("momentum", 1e-5, 0.01, 12), second=np.linspace(0.5, 0.9, 3))
    assert data["best"]["settings"] == expected.settings() and data["best"]["found"]
    assert data["best"]["score"] == expected.best_score
    assert data["best"]["index"] == list(expected.best_index)
    row, column = expected.best_index
    assert data["score"][row][column] == min(value for line in data["score"] for value in line if value is not None)
    assert data["robust"]["low"] <= data["best"]["lr"] <= data["robust"]["high"]
    assert data["robust"]["decades"] == pytest.approx(expected.robust[2])


def test_tune_default_grids_follow_the_registry(capsys):
    from optviz import tune

    status, out, _ = cli(capsys, "tune", "--surface", "rosenbrock", "--optimizer", "momentum", "--steps", "50")
    joint = json.loads(out)
    status_alone, out, _ = cli(capsys, "tune", "--surface", "rosenbrock", "--optimizer", "momentum", "--steps", "50",
                               "--no-second")
    alone = json.loads(out)
    assert status == status_alone == 0
    assert joint["second"]["name"] == "momentum"
    np.testing.assert_allclose(joint["second"]["values"], tune.second_grid("momentum"))
    np.testing.assert_allclose(joint["lr"], tune.lr_grid("momentum", joint=True))
    assert alone["second"] is None and set(alone["best"]["settings"]) == {"lr"}
    np.testing.assert_allclose(alone["lr"], tune.lr_grid("momentum", joint=False))
    assert len(alone["score"]) == tune.LR_POINTS and not isinstance(alone["score"][0], list)


def test_tune_gradient_descent_on_a_quadratic_finds_two_over_the_eigenvalue_sum(capsys):
    status, out, _ = cli(capsys, "tune", "--surface", "quadratic:a=1,b=10", "--optimizer", "sgd", "--start", "-4,3",
                         "--criterion", "final_loss", "--steps", "1000")
    data = json.loads(out)
    assert status == 0 and data["second"] is None
    rates = np.array(data["lr"])
    cell = np.log(rates[1] / rates[0])
    assert abs(np.log(data["best"]["lr"] / (2 / 22))) <= cell  # λ = 2 and 20: 2 / (λ_min + λ_max)
    assert data["best"]["settings"] == {"lr": float(f"{data['best']['lr']:.3g}")}
    assert all(data["diverged"][index] for index in np.flatnonzero(rates > 2 / 20 * 1.5))


def test_tune_text_summary(capsys):
    status, out, _ = cli(capsys, "tune", "--surface", "quadratic:a=1,b=10", "--optimizer", "sgd", "--start", "-4,3",
                         "--steps", "300", "--format", "text")
    lines = out.strip().splitlines()
    assert status == 0 and lines[0] == "sgd on quadratic:a=1,b=10 from (-4, 3), 1 start, 300 steps"
    assert lines[1] == "grid: 200 learning rates 1e-05 … 10 (log)"
    assert lines[3].startswith("best: lr = ") and "(auc " in lines[3]
    assert lines[4].startswith("robust: lr ") and lines[4].endswith(" decades)")
    assert lines[5].startswith("diverged: ") and lines[5].endswith(" of 200 grid points")
    status, out, _ = cli(capsys, "tune", "--surface", "quadratic", "--optimizer", "sgd", "--lr", "0.5:10:5",
                         "--format", "text")
    assert status == 0 and "every grid point diverged" in out and "diverged: 5 of 5" in out
    status, out, _ = cli(capsys, "tune", "--surface", "rosenbrock", "--optimizer", "adagrad", "--steps", "500",
                         "--format", "text")  # AdaGrad's best area is 40 % of the smallest rate's: a flat curve
    assert status == 0 and "flat: the best keeps 40% of the smallest rate's 12.4" in out


def test_tune_is_reproducible_from_its_seed(capsys):
    arguments = ["tune", "--surface", "himmelblau", "--optimizer", "nesterov", "--steps", "100", "--starts", "8",
                 "--lr", "1e-4:0.1:30", "--second", "0.1:0.9:4"]
    first = cli(capsys, *arguments, "--seed", "5")
    again = cli(capsys, *arguments, "--seed", "5")
    other = cli(capsys, *arguments, "--seed", "6")
    assert first[0] == again[0] == other[0] == 0
    assert first[1] == again[1]
    data, different = json.loads(first[1]), json.loads(other[1])
    assert len(data["starts"]) == 8 and data["starts"][0] == [0.0, 0.0] and data["seed"] == 5
    assert data["starts"][1:] != different["starts"][1:] and data["score"] != different["score"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'"),
    (["--lr", "1:0.1:5"], "--lr '1:0.1:5': learning-rate range 1 … 0.1: needs 0 < low < high"),
    (["--lr", "-1:0.1:5"], "needs 0 < low < high"),
    (["--lr", "0.1:1"], "--lr '0.1:1' should be LO:HI:N"),
    (["--lr", "0.001:1:1000"], "allowed [2, 400]"),
    (["--starts", "0"], "--starts 0 is out of range: allowed [1, 64]"),
    (["--steps", "0"], "--steps 0 is out of range: allowed [1, 5000]"),
    (["--criterion", "final"], "invalid choice: 'final'"),
    (["--second", "0:1.5:4"], "momentum = 1 is out of range"),
    (["--second", "0.9:0:4"], "needs LO < HI"),
    (["--second", "0:0.9:4", "--no-second"], "not allowed with argument"),
    (["--optimizer", "sgd", "--second", "0:0.9:4"], "sgd tunes its learning rate alone"),
    (["--tolerance", "0"], "--tolerance 0 should be a positive number"),
    (["--surface", "expr:__import__('os')"], "is not allowed"),
    (["--set", "momentum=2"], "momentum = 2"),
])
def test_tune_bad_input_is_one_line_and_status_two(capsys, arguments, message):
    base = {"--surface": "quadratic", "--optimizer": "momentum", "--steps": "20"}
    flags = []
    for index in range(0, len(arguments)):
        if arguments[index] == "--no-second":
            flags.append("--no-second")
        elif arguments[index].startswith("--"):
            base[arguments[index]] = arguments[index + 1]
    status, out, err = cli(capsys, "tune", *[item for pair in base.items() for item in pair], *flags)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("optviz: error: ") and message in err
