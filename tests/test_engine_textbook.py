"""The textbook convention reproduces the printed results of d2l.ai chapter 12's 2D examples.

d2l runs 20 steps from (-5, -2) and prints 'epoch 20, x1: ..., x2: ...' with six decimals; eps = 1e-6.
"""

import numpy as np
import pytest

from optviz.engine import build, run

from .functions import quadratic

D2L_CASES = [
    # section, f = a·x1² + b·x2², optimizer, hyperparameters, printed (x1, x2)
    ("12.3 gradient descent", (1.0, 2.0), "sgd", {"lr": 0.1}, ("-0.057646", "-0.000073")),
    ("12.6 gd eta=0.4", (0.1, 2.0), "sgd", {"lr": 0.4}, ("-0.943467", "-0.000073")),
    ("12.6 gd eta=0.6", (0.1, 2.0), "sgd", {"lr": 0.6}, ("-0.387814", "-1673.365109")),
    ("12.6 momentum eta=0.6 beta=0.5", (0.1, 2.0), "momentum", {"lr": 0.6, "momentum": 0.5},
     ("0.007188", "0.002553")),
    ("12.6 momentum eta=0.6 beta=0.25", (0.1, 2.0), "momentum", {"lr": 0.6, "momentum": 0.25},
     ("-0.126340", "-0.186632")),
    ("12.7 adagrad eta=0.4", (0.1, 2.0), "adagrad", {"lr": 0.4, "eps": 1e-6}, ("-2.382563", "-0.158591")),
    ("12.7 adagrad eta=2", (0.1, 2.0), "adagrad", {"lr": 2.0, "eps": 1e-6}, ("-0.002295", "-0.000000")),
    ("12.8 rmsprop eta=0.4 gamma=0.9", (0.1, 2.0), "rmsprop", {"lr": 0.4, "alpha": 0.9, "eps": 1e-6},
     ("-0.010599", "0.000000")),
]


@pytest.mark.parametrize(("section", "coefficients", "name", "hyperparameters", "printed"), D2L_CASES,
                         ids=[case[0] for case in D2L_CASES])
def test_textbook_convention_reproduces_d2l(section, coefficients, name, hyperparameters, printed):
    result = run(build(name, hyperparameters, convention="textbook"), quadratic(*coefficients),
                 np.array([-5.0, -2.0]), 20)
    assert (f"{result.positions[-1, 0]:f}", f"{result.positions[-1, 1]:f}") == printed


def test_textbook_momentum_holds_the_learning_rate_in_the_velocity():
    """v = γv + ηg: with a schedule the two conventions part ways, without one they agree."""
    vg = quadratic(0.1, 2.0)
    start = np.array([-5.0, -2.0])
    constant = [run(build("momentum", {"lr": 0.3}, convention=c), vg, start, 30).positions
                for c in ("pytorch", "textbook")]
    np.testing.assert_allclose(constant[0], constant[1], rtol=1e-12, atol=1e-12)
    schedule = ("step", {"step_size": 5, "gamma": 0.5})
    scheduled = [run(build("momentum", {"lr": 0.3}, convention=c, schedule=schedule), vg, start, 30).positions
                 for c in ("pytorch", "textbook")]
    assert np.abs(scheduled[0] - scheduled[1]).max() > 1e-3
    velocity = run(build("momentum", {"lr": 0.3}, convention="textbook"), vg, start, 3, record_state=True)
    positions = velocity.positions
    np.testing.assert_allclose(velocity.state["velocity"][1:], positions[:-1] - positions[1:], rtol=1e-12)


def test_textbook_adagrad_and_rmsprop_put_eps_inside_the_root():
    vg = quadratic(0.1, 2.0)
    start = np.array([-5.0, -2.0])
    for name in ("adagrad", "rmsprop"):
        one = run(build(name, {"lr": 0.4, "eps": 0.5}, convention="textbook"), vg, start, 1).positions[1]
        grad = vg(start)[1]
        accumulated = grad**2 if name == "adagrad" else 0.01 * grad**2
        np.testing.assert_allclose(one, start - 0.4 * grad / np.sqrt(accumulated + 0.5), rtol=1e-14)
