"""The optimizer engine: pure NumPy, vectorized over runs, two conventions (pytorch, textbook).

    >>> from optviz.engine import build, run
    >>> pipeline = build("adam", {"lr": 0.1}, tricks=[("clip_norm", {"max_norm": 1.0})])

Sign convention: every link produces a step u and the pipeline applies theta <- theta - u.
"""

from .core import CONVENTIONS, Link, Pipeline, StepContext
from .driver import DIVERGENCE_BOUND, Final, Trajectory, run
from .registry import OPTIMIZERS, SCHEDULES, TRICKS, build, describe, optimizer_entry, schedule_entry, trick_entry
from .spec import Spec, format_latex, format_plain

__all__ = [
    "CONVENTIONS",
    "DIVERGENCE_BOUND",
    "OPTIMIZERS",
    "SCHEDULES",
    "TRICKS",
    "Final",
    "Link",
    "Pipeline",
    "Spec",
    "StepContext",
    "Trajectory",
    "build",
    "describe",
    "format_latex",
    "format_plain",
    "optimizer_entry",
    "run",
    "schedule_entry",
    "trick_entry",
]
