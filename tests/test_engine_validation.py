"""Bad hyperparameters raise ValueError naming the parameter, the value and the allowed range."""

import numpy as np
import pytest

from optviz.engine import build

BAD = [
    (("sgd", {"lr": -1}), r"sgd: lr = -1 is out of range: allowed \[0, inf\)"),
    (("adam", {"beta1": 1.0}), r"adam: beta1 = 1 is out of range: allowed \[0, 1\)"),
    (("adam", {"beta2": -0.1}), r"adam: beta2 = -0.1 is out of range: allowed \[0, 1\)"),
    (("adam", {"eps": 0}), r"adam: eps = 0 is out of range: allowed \(0, inf\)"),
    (("rmsprop", {"eps": -1e-8}), r"rmsprop: eps = -1e-08 is out of range"),
    (("rmsprop", {"alpha": 1.5}), r"rmsprop: alpha = 1.5 is out of range: allowed \[0, 1\)"),
    (("sgd", {"momentum": 1.0}), r"sgd: momentum = 1 is out of range"),
    (("sgd", {"dampening": 2}), r"sgd: dampening = 2 is out of range: allowed \[0, 1\]"),
    (("sgd", {"nesterov": True}), r"nesterov = true needs momentum > 0 and dampening = 0"),
    (("sgd", {"nesterov": "maybe"}), r"sgd: nesterov = 'maybe' is not allowed: must be true or false"),
    (("adagrad", {"lr_decay": -0.1}), r"adagrad: lr_decay = -0.1 is out of range"),
    (("adagrad", {"initial_accumulator_value": -1}), r"initial_accumulator_value = -1 is out of range"),
    (("sgd", {"lr": "fast"}), r"sgd: lr = 'fast' is not a number"),
    (("sgd", {"lr": float("nan")}), r"sgd: lr = nan is not finite"),
    (("sgd", {"lr": float("inf")}), r"sgd: lr = inf is not finite"),
    (("sgd", {"lr": np.array([0.1, -0.2])}), r"sgd: lr = -0.2 is out of range"),
    (("sgd", {"learning_rate": 0.1}), r"sgd: unknown hyperparameter 'learning_rate': known are lr, momentum"),
    (("lbfgs", {}), r"unknown optimizer 'lbfgs': known are sgd, momentum, nesterov"),
    (("nesterov", {"momentum": 0.0}), r"nesterov: momentum = 0 is out of range: allowed \(0, 1\)"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_hyperparameters_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        build(*arguments)


BAD_TRICKS = [
    ([("clip_norm", {"max_norm": 0})], r"clip_norm: max_norm = 0 is out of range: allowed \(0, inf\)"),
    ([("clip_value", {"clip_value": -1})], r"clip_value: clip_value = -1 is out of range"),
    ([("noise", {"std": -0.1})], r"noise: std = -0.1 is out of range"),
    ([("noise", {"seed": 1.5})], r"noise: seed = 1.5 is not allowed: must be an integer"),
    ([("l1", {"l1": -1})], r"l1: l1 = -1 is out of range"),
    ([("dropout", {})], r"unknown trick 'dropout'"),
]


@pytest.mark.parametrize(("tricks", "message"), BAD_TRICKS, ids=[m[:30] for _, m in BAD_TRICKS])
def test_bad_tricks_are_named(tricks, message):
    with pytest.raises(ValueError, match=message):
        build("sgd", {"lr": 0.1}, tricks=tricks)


BAD_SCHEDULES = [
    (("step", {"step_size": 0}), r"schedule step: step_size = 0 is out of range: allowed \[1, 10000000\]"),
    (("step", {"gamma": 0}), r"schedule step: gamma = 0 is out of range: allowed \(0, 1\]"),
    (("exponential", {"gamma": 1.5}), r"schedule exponential: gamma = 1.5 is out of range"),
    (("cosine", {"total_steps": 0}), r"schedule cosine: total_steps = 0 is out of range"),
    (("cosine", {"min_factor": -0.5}), r"schedule cosine: min_factor = -0.5 is out of range: allowed \[0, 1\]"),
    (("warmup_cosine", {"warmup_steps": 100, "total_steps": 100}), r"warmup_steps = 100 must be smaller"),
    (("inverse_time", {"power": 0}), r"power = 0 is out of range"),
    (("exponential", {"gamma": np.array([0.9, 0.99])}), r"gamma must be one number"),
    (("cyclic", {}), r"unknown schedule 'cyclic'"),
]


@pytest.mark.parametrize(("schedule", "message"), BAD_SCHEDULES, ids=[m[:30] for _, m in BAD_SCHEDULES])
def test_bad_schedules_are_named(schedule, message):
    with pytest.raises(ValueError, match=message):
        build("sgd", {"lr": 0.1}, schedule=schedule)


def test_unknown_convention():
    with pytest.raises(ValueError, match="convention = 'keras' is not known: allowed pytorch, textbook"):
        build("sgd", convention="keras")


@pytest.mark.parametrize("name", ["step", "exponential", "inverse_time", "polynomial", "cosine", "warmup_cosine"])
def test_no_schedule_ever_leaves_zero_to_lr(name):
    pipeline = build("sgd", {"lr": 0.3}, schedule=(name, {}))
    rates = np.array([pipeline.lr_at(t) for t in range(1, 2001)])
    assert np.all(rates >= 0) and np.all(rates <= 0.3 + 1e-15)
