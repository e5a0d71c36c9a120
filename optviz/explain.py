"""Why a run diverged or keeps bouncing, in words a learner can check: on a quadratic the stability condition that
failed; where f is undefined, the point; otherwise the rule that flagged it (see optviz.report.run_status)."""

from __future__ import annotations

from typing import Any

from optviz import theory
from optviz.engine.driver import Trajectory
from optviz.lane import Lane
from optviz.report import run_status
from optviz.surfaces import Surface


def divergence_reason(surface: Surface, lane: Lane, diverged_at: int) -> tuple[str, dict[str, Any]]:
    """A message key of the catalog and its fields, explaining the divergence at step `diverged_at`.

    On a quadratic with plain gradient descent: η·λ_max > 2; with heavy-ball momentum: η·λ_max > 2 + 2β.
    Elsewhere, or with adaptive methods, tricks or schedules, the generic message: the step and the rule
    (|θ| > 10⁶ or f not finite).
    """
    eigenvalues = surface.hessian_eigenvalues
    plain = theory.heavy_ball(lane)
    if eigenvalues and plain:
        lr, momentum = plain
        product = lr * max(eigenvalues)
        limit = theory.stability_product(momentum)
        if momentum == 0 and product > limit:
            return "diverge.gd_quadratic", {"step": diverged_at, "product": f"{product:.3g}",
                                            "lam": f"{max(eigenvalues):.3g}", "lr": f"{lr:.3g}"}
        if momentum > 0 and product > limit:
            return "diverge.momentum_quadratic", {"step": diverged_at, "product": f"{product:.3g}",
                                                  "limit": f"{limit:.3g}", "beta": f"{momentum:.3g}",
                                                  "lam": f"{max(eigenvalues):.3g}", "lr": f"{lr:.3g}"}
    return "diverge.generic", {"step": diverged_at}


def oscillation_reason(surface: Surface, lane: Lane) -> tuple[str, dict[str, Any]]:
    """Why a run neither converges nor diverges: on a quadratic, gradient descent with η·λ_max = 2 exactly (the
    stability boundary: the steepest coordinate flips sign at the same size every step); on a data surface with
    mini-batches, the batches' gradients (not zero at the minimum); otherwise the rule."""
    if surface.data is not None and not surface.data.full_batch:
        return "oscillate.minibatch", {"batch": surface.data.batch}
    eigenvalues = surface.hessian_eigenvalues
    plain = theory.heavy_ball(lane)
    if eigenvalues and plain and plain.momentum == 0:
        product = plain.lr * max(eigenvalues)
        if abs(product - theory.stability_product(0.0)) <= 1e-9:
            return "oscillate.gd_quadratic", {"lr": f"{plain.lr:.6g}", "lam": f"{max(eigenvalues):.6g}",
                                              "product": f"{product:.6g}"}
    return "oscillate.generic", {}


def run_explanation(surface: Surface, lane: Lane, trajectory: Trajectory) -> tuple[str, dict[str, Any]] | None:
    """The message (catalog key and fields) a page shows under the chart for a run that did not go well: f
    undefined at the start or where a step went, diverged, diverging, oscillating; None for the others."""
    status, fields = run_status(surface, trajectory)
    if status in ("status.undefined_start", "status.undefined"):
        return "diverge." + status.split(".", 1)[1], fields
    if status == "status.diverged":
        return divergence_reason(surface, lane, fields["step"])
    if status == "status.diverging":
        key, reason = divergence_reason(surface, lane, fields["step"])
        return ("diverge.growing", fields) if key == "diverge.generic" else (key, reason)
    if status == "status.oscillating":
        return oscillation_reason(surface, lane)
    return None
