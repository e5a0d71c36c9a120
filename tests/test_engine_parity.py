"""The pytorch convention against torch.optim in float64, step for step, every optimizer × option."""

import numpy as np
import pytest
import torch

from optviz.engine import build, run

from .functions import START, torch_value, value_and_grad

STEPS = 300
TOLERANCE = 1e-10

# (engine optimizer, engine hyperparameters, torch class, torch keyword arguments)
OPTIMIZER_CASES = [
    ("sgd", {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    ("sgd", {"lr": 0.1, "weight_decay": 0.05}, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.05}),
    ("sgd", {"lr": 0.05, "momentum": 0.9}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.4}, torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.9, "dampening": 0.4}),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}, torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("momentum", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.3}, torch.optim.Adagrad, {"lr": 0.3}),
    ("adagrad", {"lr": 0.3, "lr_decay": 0.01}, torch.optim.Adagrad, {"lr": 0.3, "lr_decay": 0.01}),
    ("adagrad", {"lr": 0.3, "initial_accumulator_value": 0.5, "weight_decay": 0.02}, torch.optim.Adagrad,
     {"lr": 0.3, "initial_accumulator_value": 0.5, "weight_decay": 0.02}),
    ("adagrad", {"lr": 0.3, "eps": 1e-3}, torch.optim.Adagrad, {"lr": 0.3, "eps": 1e-3}),
    ("rmsprop", {"lr": 0.01}, torch.optim.RMSprop, {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 0.1}, torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 0.1}),
    ("rmsprop", {"lr": 0.01, "centered": True}, torch.optim.RMSprop, {"lr": 0.01, "centered": True}),
    ("rmsprop", {"lr": 0.005, "momentum": 0.7}, torch.optim.RMSprop, {"lr": 0.005, "momentum": 0.7}),
    ("rmsprop", {"lr": 0.005, "momentum": 0.5, "centered": True, "weight_decay": 0.01}, torch.optim.RMSprop,
     {"lr": 0.005, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("adam", {"lr": 0.05}, torch.optim.Adam, {"lr": 0.05}),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, torch.optim.Adam,
     {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("adam", {"lr": 0.05, "amsgrad": True}, torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
    ("adam", {"lr": 0.05, "weight_decay": 0.02}, torch.optim.Adam, {"lr": 0.05, "weight_decay": 0.02}),
    ("adamw", {"lr": 0.05}, torch.optim.AdamW, {"lr": 0.05}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}, torch.optim.AdamW,
     {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
]


def torch_path(optimizer_class, options, steps=STEPS, scheduler_factory=None, before_step=None):
    """Positions and learning rates of torch.optim on the same problem, start first."""
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([params], foreach=False, **options)
    scheduler = scheduler_factory(optimizer) if scheduler_factory else None
    positions, rates = [params.detach().clone().numpy()], []
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        torch_value(params).backward()
        if before_step is not None:
            before_step(params, optimizer, step)
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        positions.append(params.detach().clone().numpy())
    return np.array(positions), np.array(rates)


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


@pytest.mark.parametrize(("name", "hyperparameters", "torch_class", "torch_options"), OPTIMIZER_CASES,
                         ids=[f"{case[0]}-{'-'.join(case[1])}" for case in OPTIMIZER_CASES])
def test_optimizer_matches_torch_step_for_step(name, hyperparameters, torch_class, torch_options):
    ours = run(build(name, hyperparameters), value_and_grad, START, STEPS)
    assert_fair(lambda: build(name, hyperparameters), ours.positions)
    theirs, _ = torch_path(torch_class, torch_options)
    assert ours.diverged_at == -1
    # the problem is non-trivial: every optimizer really moved
    assert np.abs(theirs[-1] - theirs[0]).max() > 0.1
    assert relative_error(ours.positions, theirs) <= TOLERANCE


SCHEDULE_CASES = [
    ("step", {"step_size": 40, "gamma": 0.5},
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=40, gamma=0.5)),
    ("exponential", {"gamma": 0.98}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.98)),
    ("cosine", {"total_steps": STEPS, "min_factor": 0.1},
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS, eta_min=0.1 * 0.05)),
    ("polynomial", {"total_steps": 200, "power": 2.0},
     lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=200, power=2.0)),
    ("warmup_cosine", {"warmup_steps": 30, "total_steps": STEPS, "start_factor": 0.2, "min_factor": 0.05},
     lambda o: torch.optim.lr_scheduler.SequentialLR(
         o,
         [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=30),
          torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 30, eta_min=0.05 * 0.05)],
         milestones=[30],
     )),
]


@pytest.mark.parametrize(("schedule", "settings", "factory"), SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
@pytest.mark.parametrize(("name", "torch_class", "options"), [
    ("momentum", torch.optim.SGD, {"momentum": 0.9}),
    ("adam", torch.optim.Adam, {}),
])
def test_schedule_matches_torch_lr_scheduler(schedule, settings, factory, name, torch_class, options):
    pipeline = build(name, {"lr": 0.05}, schedule=(schedule, settings))
    ours = run(pipeline, value_and_grad, START, STEPS)
    theirs, rates = torch_path(torch_class, {"lr": 0.05, **options}, scheduler_factory=factory)
    np.testing.assert_allclose(ours.lr, rates, rtol=1e-12, atol=1e-15)
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_cosine_stays_at_its_floor_after_total_steps():
    curve = build("sgd", {"lr": 2.0}, schedule=("cosine", {"total_steps": 10, "min_factor": 0.25}))
    assert [curve.lr_at(t) for t in (11, 12, 500)] == [0.5, 0.5, 0.5]


def test_clip_by_norm_matches_clip_grad_norm():
    def clip(params, optimizer, step):
        torch.nn.utils.clip_grad_norm_([params], max_norm=0.5)

    ours = run(build("sgd", {"lr": 0.1, "momentum": 0.9}, tricks=[("clip_norm", {"max_norm": 0.5})]),
               value_and_grad, START, STEPS)
    theirs, _ = torch_path(torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}, before_step=clip)
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_clip_by_value_matches_clip_grad_value():
    def clip(params, optimizer, step):
        torch.nn.utils.clip_grad_value_([params], clip_value=0.3)

    ours = run(build("adam", {"lr": 0.05}, tricks=[("clip_value", {"clip_value": 0.3})]),
               value_and_grad, START, STEPS)
    theirs, _ = torch_path(torch.optim.Adam, {"lr": 0.05}, before_step=clip)
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_l2_and_l1_match_penalties_in_the_loss():
    def penalties(params, optimizer, step):
        params.grad += 0.03 * params.detach() + 0.02 * torch.sign(params.detach())

    ours = run(build("rmsprop", {"lr": 0.01}, tricks=[("l1", {"l1": 0.02}), ("l2", {"l2": 0.03})]),
               value_and_grad, START, STEPS)
    theirs, _ = torch_path(torch.optim.RMSprop, {"lr": 0.01}, before_step=penalties)
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_decoupled_weight_decay_on_adam_is_adamw():
    ours = run(build("adam", {"lr": 0.05}, tricks=[("decoupled_wd", {"weight_decay": 0.1})]),
               value_and_grad, START, STEPS)
    theirs, _ = torch_path(torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1})
    assert relative_error(ours.positions, theirs) <= TOLERANCE


def test_gradient_noise_is_seeded_gaussian_added_to_the_gradient():
    generator = np.random.default_rng(7)

    def noisy(params, optimizer, step):
        params.grad += torch.from_numpy(0.2 / (1 + step) ** 0.55 * generator.standard_normal(4))

    ours = run(build("sgd", {"lr": 0.05}, tricks=[("noise", {"std": 0.2, "decay": 0.55, "seed": 7})]),
               value_and_grad, START, STEPS)
    theirs, _ = torch_path(torch.optim.SGD, {"lr": 0.05}, before_step=noisy)
    assert relative_error(ours.positions, theirs) <= TOLERANCE
    again = run(build("sgd", {"lr": 0.05}, tricks=[("noise", {"std": 0.2, "decay": 0.55, "seed": 7})]),
                value_and_grad, START, STEPS)
    np.testing.assert_array_equal(ours.positions, again.positions)
