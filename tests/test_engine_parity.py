"""The pytorch convention against its references in float64, step for step: every row of the shared table
(tests/cases.py), each reference built by the registry (torch.optim, torch's clipping, lr_scheduler)."""

import numpy as np
import pytest
import torch

from optviz.engine import build, run
from optviz.nets.train import torch_optimizer

from .cases import CASES, STEPS, case_id
from .functions import START, torch_value, value_and_grad

TOLERANCE = 1e-10


def reference_path(lane, steps=STEPS):
    """Positions and learning rates of the registry's reference for `lane` (torch.optim, the tricks' hooks, the
    lr_scheduler, assembled as the networks' torch path assembles them) on the same problem, start first."""
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    reference = torch_optimizer(lane, [params])
    positions, rates = [params.detach().clone().numpy()], []
    for _ in range(steps):
        reference.optimizer.zero_grad()
        torch_value(params).backward()
        rates.append(reference.optimizer.param_groups[0]["lr"])
        reference.step()
        positions.append(params.detach().clone().numpy())
    return np.array(positions), np.array(rates)


def torch_path(optimizer_class, options, steps=STEPS):
    """Positions of a torch.optim optimizer built by hand on the same problem, start first."""
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([params], foreach=False, **options)
    positions = [params.detach().clone().numpy()]
    for _ in range(steps):
        optimizer.zero_grad()
        torch_value(params).backward()
        optimizer.step()
        positions.append(params.detach().clone().numpy())
    return np.array(positions)


def relative_error(ours, theirs):
    return np.abs(ours - theirs).max() / np.abs(theirs).max()


def perturbed(value_and_grad_function, size=1e-13, seed=0):
    """The same problem with a relative 1e-13 noise on the gradient: rounding noise, made visible."""
    generator = np.random.default_rng(seed)

    def noisy(params):
        value, grad = value_and_grad_function(params)
        return value, grad * (1 + size * generator.standard_normal(grad.shape))

    return noisy


def assert_fair(pipeline_factory, reference):
    """A case is fair when rounding-level noise in the gradient moves the path by less than the tolerance."""
    shaken = run(pipeline_factory(), perturbed(value_and_grad), START, STEPS)
    assert relative_error(shaken.positions, reference) <= TOLERANCE / 10, "not a fair case: the path is chaotic"


@pytest.mark.parametrize("lane", CASES, ids=[case_id(lane) for lane in CASES])
def test_every_case_matches_its_reference_step_for_step(lane):
    ours = run(lane.pipeline(), value_and_grad, START, STEPS)
    assert_fair(lane.pipeline, ours.positions)
    theirs, rates = reference_path(lane)
    assert ours.diverged_at == -1
    # the problem is non-trivial: every optimizer really moved
    assert np.abs(theirs[-1] - theirs[0]).max() > 0.1
    assert relative_error(ours.positions, theirs) <= TOLERANCE
    np.testing.assert_allclose(ours.lr, rates, rtol=1e-12, atol=1e-15)


def test_cosine_stays_at_its_floor_after_total_steps():
    curve = build("sgd", {"lr": 2.0}, schedule=("cosine", {"total_steps": 10, "min_factor": 0.25}))
    assert [curve.lr_at(t) for t in (11, 12, 500)] == [0.5, 0.5, 0.5]


def test_decoupled_weight_decay_on_adam_is_adamw():
    ours = run(build("adam", {"lr": 0.05}, tricks=[("decoupled_wd", {"weight_decay": 0.1})]),
               value_and_grad, START, STEPS)
    theirs = torch_path(torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1})
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_gradient_noise_is_seeded():
    ours = run(build("sgd", {"lr": 0.05}, tricks=[("noise", {"std": 0.2, "decay": 0.55, "seed": 7})]),
               value_and_grad, START, STEPS)
    again = run(build("sgd", {"lr": 0.05}, tricks=[("noise", {"std": 0.2, "decay": 0.55, "seed": 7})]),
                value_and_grad, START, STEPS)
    np.testing.assert_array_equal(ours.positions, again.positions)
    other = run(build("sgd", {"lr": 0.05}, tricks=[("noise", {"std": 0.2, "decay": 0.55, "seed": 8})]),
                value_and_grad, START, STEPS)
    assert np.abs(other.positions - ours.positions).max() > 1e-3


NETWORK_ROWS = [lane for lane in CASES if lane.tricks or lane.schedule is not None]


@pytest.fixture(scope="module")
def small_network():
    from optviz.nets.data import split
    from optviz.nets.models import MLPSpec
    from optviz.nets.models import build as build_model

    spec = MLPSpec(2, 2, (8, 8), "tanh", "xavier", "batch", 0.1, False)
    return split("spiral", 200, 0.1, seed=2), spec, build_model(spec, 5, torch.float64)


@pytest.mark.parametrize("lane", NETWORK_ROWS, ids=[case_id(lane) for lane in NETWORK_ROWS])
def test_the_networks_torch_path_mirrors_every_trick_and_schedule(small_network, lane):
    """The same references drive the networks page's "check against torch.optim": a network with BatchNorm and
    dropout, mini-batches, float64: every step's loss agrees."""
    from optviz.nets.steps import torch_reference_problem
    from optviz.nets.train import TrainConfig, train

    data, spec, initial = small_network
    assert torch_reference_problem(lane) is None
    config = TrainConfig(epochs=3, batch_size=25, dtype="float64", seed=1)  # 5 batches an epoch: 15 steps
    ours = np.array(train(data, spec, lane, config, "optviz", initial).step_loss)
    theirs = np.array(train(data, spec, lane, config, "torch", initial).step_loss)
    assert len(ours) == len(theirs) == 15
    assert np.abs(ours - theirs).max() / np.abs(theirs).max() <= TOLERANCE
