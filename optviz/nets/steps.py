"""How an epoch splits into optimizer steps, what a training costs, and where two runs part: plain NumPy (no torch),
so that pages can forecast and compare before importing torch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from optviz.engine import optimizer_entry, schedule_entry, trick_entry

if TYPE_CHECKING:
    from optviz.lane import Lane


def batch_bounds(count: int, batch: int, merge_single: bool = False) -> list[tuple[int, int]]:
    """(begin, end) of each mini-batch of one epoch over `count` samples in batches of `batch` (0: one batch).

    With `merge_single`, a last mini-batch that would hold one sample joins the batch before it (BatchNorm cannot
    normalize a single sample); every sample is still seen once per epoch."""
    size = batch or count
    bounds = [(begin, min(begin + size, count)) for begin in range(0, count, size)]
    if merge_single and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], count)]
    return bounds


def first_difference(values: np.ndarray, reference: np.ndarray, tolerance: float = 1e-6) -> int | None:
    """The first index (0-based) where |values − reference| exceeds `tolerance` (NaN against a number counts);
    the shorter length when one stops early and they agree until then; None when they agree throughout."""
    values, reference = np.asarray(values, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    length = min(len(values), len(reference))
    difference = np.abs(values[:length] - reference[:length])
    apart = ~(difference <= tolerance) & ~(np.isnan(values[:length]) & np.isnan(reference[:length]))
    found = np.flatnonzero(apart)
    if len(found):
        return int(found[0])
    return None if len(values) == len(reference) else length


# Time per optimizer step and per sample-weight of forward and backward work, measured on this project's machine
# (2 cores, one torch thread): 2 000 points of a spiral, 6 x 64 tanh units, Adam. A step costs ~0.9 ms whatever
# its size (Python and dispatch), a full batch of 1 200 points ~19 ms per epoch. BatchNorm made steps ~1.5x slower.
STEP_SECONDS = 0.9e-3
SAMPLE_WEIGHT_SECONDS = 5e-10


def estimated_seconds(train_count: int, evaluated_count: int, batch: int, epochs: int, weights: int,
                      batch_norm: bool = False) -> float:
    """A rough forecast of one training's time: each step's fixed cost plus its forward and backward work, and
    each epoch's evaluation of the training and validation sets (about a third of a step's work per sample)."""
    steps_per_epoch = -(-train_count // (batch or train_count)) if train_count else 0
    step = STEP_SECONDS + SAMPLE_WEIGHT_SECONDS * min(batch or train_count, train_count) * weights
    evaluation = SAMPLE_WEIGHT_SECONDS * evaluated_count * weights / 3
    return epochs * (steps_per_epoch * step + evaluation) * (1.5 if batch_norm else 1.0)


TORCH_LIMITS = ("convention", "tricks", "bias_correction")


def torch_reference_problem(lane: Lane) -> str | None:
    """Why torch.optim cannot mirror `lane`, as one of TORCH_LIMITS (pages translate it), or None if it can.

    The registry says it: each entry's reference and its limits (an optimizer's, e.g. Adam without bias
    correction; a trick or schedule without a reference is 'tricks')."""
    if lane.convention != "pytorch":
        return "convention"
    extras = [(trick_entry(name), settings) for name, settings in lane.tricks]
    if lane.schedule is not None:
        extras.append((schedule_entry(lane.schedule[0]), lane.schedule[1]))
    if any(entry.reference_problem(dict(settings)) is not None for entry, settings in extras):
        return "tricks"
    return optimizer_entry(lane.optimizer).reference_problem(dict(lane.hyperparameters))
