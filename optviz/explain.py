"""Why a run diverged, in words a learner can check: on a quadratic the stability condition that failed."""

from __future__ import annotations

from typing import Any

from optviz.runs import Lane
from optviz.surfaces import Surface


def divergence_reason(surface: Surface, lane: Lane, diverged_at: int) -> tuple[str, dict[str, Any]]:
    """A message key of the catalog and its fields, explaining the divergence at step `diverged_at`.

    On a quadratic with plain gradient descent: η·λ_max > 2; with heavy-ball momentum: η·λ_max > 2 + 2β.
    Elsewhere, or with adaptive methods, tricks or schedules, the generic message: the step and the rule
    (|θ| > 10⁶ or f not finite).
    """
    settings = dict(lane.hyperparameters)
    eigenvalues = surface.hessian_eigenvalues
    simple = lane.optimizer in ("sgd", "momentum") and not lane.tricks and lane.schedule is None
    simple = simple and not settings.get("nesterov") and not settings.get("weight_decay") and \
        not settings.get("dampening")
    if eigenvalues and simple:
        from optviz.engine import OPTIMIZERS

        values = {**OPTIMIZERS[lane.optimizer].defaults(), **settings}
        lr, momentum = float(values["lr"]), float(values.get("momentum", 0.0))
        product = lr * max(eigenvalues)
        if momentum == 0 and product > 2:
            return "diverge.gd_quadratic", {"step": diverged_at, "product": f"{product:.3g}",
                                            "lam": f"{max(eigenvalues):.3g}", "lr": f"{lr:.3g}"}
        if momentum > 0 and product > 2 + 2 * momentum:
            return "diverge.momentum_quadratic", {"step": diverged_at, "product": f"{product:.3g}",
                                                  "limit": f"{2 + 2 * momentum:.3g}", "beta": f"{momentum:.3g}",
                                                  "lam": f"{max(eigenvalues):.3g}", "lr": f"{lr:.3g}"}
    return "diverge.generic", {"step": diverged_at}
