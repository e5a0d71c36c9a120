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
