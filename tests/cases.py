"""The one table of test cases for the registry (like optax's alias_test.py): every optimizer, trick and schedule.

A row is a Lane in the PyTorch convention. tests/test_engine_parity.py runs each row through the engine and
through the reference the registry builds for it (its optimizer's torch.optim class, its tricks' hooks, its
schedule's lr_scheduler) and compares them step for step in float64; tests/test_engine_batch.py runs each row as a
batch of several settings in both conventions. tests/test_registry.py fails when a registered name has no row, or
when one of its settings is never moved off its default in any row (unless its reference cannot mirror that).

Adding an optimizer: its registry entry (optviz/engine/registry.py) and a row here.
"""

from __future__ import annotations

from typing import Any

from optviz.lane import Lane


def case(optimizer: str, *, tricks: dict[str, dict[str, Any]] | None = None,
         schedule: tuple[str, dict[str, Any]] | None = None, **hyperparameters: Any) -> Lane:
    """A row: an optimizer with its hyperparameters, optionally tricks (in order) and a schedule."""
    return Lane(
        optimizer,
        tuple(sorted(hyperparameters.items())),
        "pytorch",
        tuple((name, tuple(sorted(settings.items()))) for name, settings in (tricks or {}).items()),
        None if schedule is None else (schedule[0], tuple(sorted(schedule[1].items()))),
    )


def case_id(lane: Lane) -> str:
    """A readable test id: adam-lr=0.05-amsgrad=True+clip_norm(max_norm=0.5)+cosine(total_steps=300)."""

    def pairs(settings) -> str:
        return ",".join(f"{key}={value}" for key, value in settings)

    text = "-".join([lane.optimizer, *(f"{key}={value}" for key, value in lane.hyperparameters)])
    for name, settings in lane.tricks:
        text += f"+{name}({pairs(settings)})"
    if lane.schedule is not None:
        text += f"+{lane.schedule[0]}({pairs(lane.schedule[1])})"
    return text


STEPS = 300  # the parity runs' length; schedules below reach their end within it

CASES: list[Lane] = [
    # ---------------------------------------------------------------- optimizers
    case("sgd", lr=0.1),
    case("sgd", lr=0.1, weight_decay=0.05),
    case("sgd", lr=0.05, momentum=0.9),
    case("sgd", lr=0.05, momentum=0.9, dampening=0.4),
    case("sgd", lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
    case("momentum", lr=0.05),
    case("momentum", lr=0.05, momentum=0.7, dampening=0.2, weight_decay=0.01),
    case("nesterov", lr=0.05),
    case("nesterov", lr=0.05, momentum=0.6, weight_decay=0.02),
    case("adagrad", lr=0.3),
    case("adagrad", lr=0.3, lr_decay=0.01),
    case("adagrad", lr=0.3, initial_accumulator_value=0.5, weight_decay=0.02),
    case("adagrad", lr=0.3, eps=1e-3),
    case("rmsprop", lr=0.01),
    case("rmsprop", lr=0.01, alpha=0.9, eps=0.1),
    case("rmsprop", lr=0.01, centered=True),
    case("rmsprop", lr=0.005, momentum=0.7),
    case("rmsprop", lr=0.005, momentum=0.5, centered=True, weight_decay=0.01),
    case("adam", lr=0.05),
    case("adam", lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6),
    case("adam", lr=0.05, amsgrad=True),
    case("adam", lr=0.05, weight_decay=0.02),
    case("adamw", lr=0.05),
    case("adamw", lr=0.05, weight_decay=0.1, amsgrad=True),
    case("adamw", lr=0.02, beta1=0.7, beta2=0.95, eps=1e-4),
    # ---------------------------------------------------------------- tricks
    case("sgd", lr=0.1, momentum=0.9, tricks={"clip_norm": {"max_norm": 0.5}}),
    case("adam", lr=0.05, tricks={"clip_value": {"clip_value": 0.3}}),
    case("rmsprop", lr=0.01, tricks={"l1": {"l1": 0.02}, "l2": {"l2": 0.03}}),
    case("sgd", lr=0.05, tricks={"noise": {"std": 0.2, "decay": 0.55, "seed": 7}}),
    case("adam", lr=0.05, tricks={"decoupled_wd": {"weight_decay": 0.1}}),
    case("sgd", lr=0.05, momentum=0.9, weight_decay=0.01, tricks={"decoupled_wd": {"weight_decay": 0.05}}),
    case("adagrad", lr=0.3, tricks={"noise": {"std": 0.05}, "clip_norm": {"max_norm": 1.0}, "l2": {"l2": 0.01}}),
    # ---------------------------------------------------------------- schedules
    case("momentum", lr=0.05, schedule=("constant", {})),
    case("momentum", lr=0.05, schedule=("step", {"step_size": 40, "gamma": 0.5})),
    case("adam", lr=0.05, schedule=("step", {"step_size": 40, "gamma": 0.5})),
    case("momentum", lr=0.05, schedule=("exponential", {"gamma": 0.99})),
    case("momentum", lr=0.05, schedule=("inverse_time", {"decay_rate": 0.05, "power": 0.5})),
    case("momentum", lr=0.05, schedule=("polynomial", {"total_steps": 200, "power": 2.0})),
    case("momentum", lr=0.05, schedule=("cosine", {"total_steps": STEPS, "min_factor": 0.1})),
    case("adam", lr=0.05, schedule=("cosine", {"total_steps": 120, "min_factor": 0.2})),
    case("momentum", lr=0.05, schedule=("warmup_cosine", {"warmup_steps": 30, "total_steps": STEPS,
                                                          "start_factor": 0.2, "min_factor": 0.05})),
    case("adam", lr=0.05, schedule=("warmup_cosine", {"warmup_steps": 0, "total_steps": 100})),
]
