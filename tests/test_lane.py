"""optviz.lane (one optimizer configuration) and the rules that live once: the heavy-ball test and its 2 + 2β limit."""

import numpy as np
import pytest

from optviz import theory
from optviz.engine.spec import BOOL, Spec, parse_boolean
from optviz.lane import Lane, convert, lane_from_settings, setting_spec, split_setting


def test_a_key_is_a_trick_setting_or_a_hyperparameter():
    assert split_setting("clip_norm.max_norm") == ("clip_norm", "max_norm")
    assert split_setting("lr") == (None, "lr")


def test_with_settings_writes_hyperparameters_and_switches_tricks_on():
    lane = lane_from_settings("adam", {"lr": "0.05", "l2": "0.01"})
    changed = lane.with_settings({"beta1": 0.5, "clip_norm.max_norm": 2.0, "l2.l2": 0.02})
    assert dict(changed.hyperparameters) == {"lr": 0.05, "beta1": 0.5}
    assert dict(changed.tricks) == {"l2": (("l2", 0.02),), "clip_norm": (("max_norm", 2.0),)}
    assert [name for name, _ in changed.tricks] == ["l2", "clip_norm"]  # gradient tricks keep their order
    assert lane.with_settings({}) == lane and hash(changed)  # hashable: pages cache on it
    arrays = lane.pipeline({"lr": np.array([0.1, 0.2])})
    np.testing.assert_array_equal(arrays.base_lr, [0.1, 0.2])


def test_the_spec_of_a_key():
    lane = Lane("momentum")
    assert lane.override_spec("momentum").name == "momentum"
    assert lane.override_spec("noise.std").name == "std"
    assert lane.override_spec("nesterov") is None  # the momentum entry has no nesterov switch
    assert lane.override_spec("noise") is None and lane.override_spec("fast.x") is None
    assert setting_spec("sgd", "clip_norm").name == "max_norm"  # a trick named alone: its main setting
    assert setting_spec("sgd", "schedule.total_steps", "cosine").name == "total_steps"
    assert setting_spec("sgd", "schedule.total_steps", None) is None
    assert setting_spec("lbfgs", "lr") is None


@pytest.mark.parametrize(("text", "flag"), [("true", True), (" False ", False), ("TRUE", True), ("yes", None),
                                            ("", None), ("1", None)])
def test_one_boolean_parser(text, flag):
    assert parse_boolean(text) is flag
    spec = Spec("x", "x", "x", "x", False, kind=BOOL)
    if flag is None:
        with pytest.raises(ValueError, match="must be true or false"):
            convert(spec, text, "owner")
        with pytest.raises(ValueError, match="must be true or false"):
            spec.validate(text, "owner")
    else:
        assert convert(spec, text, "owner") is flag and spec.validate(text, "owner") is flag


@pytest.mark.parametrize(("optimizer", "settings", "expected"), [
    ("sgd", {"lr": "0.1"}, (0.1, 0.0)),
    ("momentum", {"lr": "0.01"}, (0.01, 0.9)),
    ("momentum", {"lr": "0.01", "momentum": "0.5"}, (0.01, 0.5)),
    ("sgd", {"lr": "0.1", "momentum": "0.9", "nesterov": "true"}, None),
    ("momentum", {"lr": "0.1", "dampening": "0.1"}, None),
    ("sgd", {"lr": "0.1", "weight_decay": "0.01"}, None),
    ("sgd", {"lr": "0.1", "clip_norm": "1"}, None),
    ("sgd", {"lr": "0.1", "schedule": "cosine"}, None),
    ("nesterov", {"lr": "0.1"}, None),
    ("adam", {"lr": "0.1"}, None),
])
def test_the_quadratic_theory_applies_to_plain_gradient_descent_and_heavy_ball_only(optimizer, settings, expected):
    assert theory.heavy_ball(lane_from_settings(optimizer, settings)) == expected


def test_the_stability_limit_is_written_once():
    assert theory.stability_product(0.0) == 2.0 and theory.stability_product(0.9) == pytest.approx(3.8)
    np.testing.assert_allclose(theory.stability_lr(np.array([0.0, 0.5]), 4.0), [0.5, 0.75])
    # at the limit heavy ball stops converging: just inside converges, just outside does not
    limit = theory.stability_lr(0.5, 10.0)
    assert theory.momentum_converges(limit * 0.999, 0.5, [10.0]) and not theory.momentum_converges(limit * 1.001, 0.5,
                                                                                                    [10.0])
