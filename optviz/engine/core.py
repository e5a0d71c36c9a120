"""Links and the pipeline that chains them.

Layout: parameters are coordinate-major, shape (d, *B) for a batch B of runs, so that a hyperparameter array of
shape B broadcasts against them along contiguous memory (NumPy is ~4x slower broadcasting (K, 1) against
(K, 2) than (K,) against (2, K)), and the per-run norm is a sum over axis 0.

Sign convention (the only one in optviz): every link transforms a *step* ``u`` and the pipeline applies
``theta <- theta - u``. A link starts from the gradient (``u = g``), so a positive step goes downhill. The one
exception is decoupled weight decay, which scales theta in place just before the subtraction, as AdamW does.
Links of stage "gradient" act before the optimizer's rule (clipping, L1/L2, noise); the rule turns the
gradient into a step, learning rate included; links of stage "step" act after it (decoupled weight decay).

State arrays are owned by one run and updated in place: a pipeline step costs no allocation, which is what
lets 10^6 runs of Adam step in about 10 ns each (see bench/engine.py). Names starting with "_" in a state are
scratch space, not optimizer state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import Spec, fill_placeholders, format_latex, validate_all

CONVENTIONS = ("pytorch", "textbook")
GRADIENT = "gradient"
STEP = "step"
RULE = "rule"

def check_convention(convention: str) -> str:
    """Return `convention` if known, else raise ValueError listing the known ones."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention = {convention!r} is not known: allowed {', '.join(CONVENTIONS)}")
    return convention


def aligned(lines: list[str]) -> str:
    """Formula lines as one aligned LaTeX block."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


@dataclass(slots=True)
class StepContext:
    """What a link may know about the current step: its 1-based index and the learning rate in force."""

    step: int
    lr: Any


class Link:
    """A named, validated transform of the step vector. Subclasses set `name`, `stage`, `specs`."""

    name: str = ""
    stage: str = GRADIENT
    specs: dict[str, Spec] = {}

    def __init__(self, convention: str = "pytorch", **hyperparameters: Any) -> None:
        self.convention = check_convention(convention)
        self.hyperparameters = validate_all(self.specs, hyperparameters, self.name)
        self.on = {key: uses(value) for key, value in self.hyperparameters.items()}
        self.check()
        self.derive()

    def check(self) -> None:
        """Cross-parameter validation (e.g. nesterov needs momentum); raise ValueError."""

    def derive(self) -> None:
        """Precompute what the update needs from the hyperparameters (once, not at every step)."""

    def map_batch(self, function: Callable[[np.ndarray], np.ndarray]) -> Link:
        """A copy whose batch-shaped hyperparameters went through `function` (e.g. a slice of the runs)."""
        clone = copy.copy(self)
        clone.hyperparameters = {
            key: function(value) if isinstance(value, np.ndarray) else value
            for key, value in self.hyperparameters.items()
        }
        clone.derive()
        return clone

    def init(self, params: np.ndarray) -> dict[str, Any]:
        """Fresh state for params of shape (..., d)."""
        return {}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        """Transform the step `u` (may be modified in place) and return it."""
        raise NotImplementedError

    def latex_lines(self) -> list[str]:
        """The update rule of this link for its convention and options, with {{name}} placeholders."""
        raise NotImplementedError

    def shown(self, name: str, live: bool) -> str:
        """What a formula shows for hyperparameter `name`: its symbol, or with `live` its value."""
        return format_latex(self.hyperparameters[name]) if live else self.specs[name].symbol

    def latex(self, live: bool = False) -> str:
        """The update rule as LaTeX: symbols, or with `live` the hyperparameter values substituted. A name the link
        does not own (a step link's {{lr}}) is the optimizer's learning rate, η."""
        return aligned([fill_placeholders(line, lambda name: self.shown(name, live) if name in self.specs else r"\eta")
                        for line in self.latex_lines()])


class Pipeline:
    """Gradient links, one optimizer rule, step links, and an optional learning-rate schedule.

    ``step(params, grads, state)`` applies one update in place: u = links(grads); params -= u.
    """

    def __init__(self, links: list[Link], schedule: Any = None) -> None:
        rules = [index for index, link in enumerate(links) if link.stage == RULE]
        if len(rules) != 1:
            raise ValueError(f"a pipeline needs exactly one optimizer rule, got {len(rules)}")
        rule_index = rules[0]
        for index, link in enumerate(links):
            if link.stage == GRADIENT and index > rule_index:
                raise ValueError(f"{link.name} acts on the gradient and must come before the optimizer")
            if link.stage == STEP and index < rule_index:
                raise ValueError(f"{link.name} acts on the step and must come after the optimizer")
        self.links = list(links)
        self._updates = tuple(link.update for link in self.links)  # bound once: the step loop calls them
        self.rule = links[rule_index]
        self._lr = self.rule.hyperparameters["lr"]  # read at every step
        self.schedule = schedule
        self.convention = self.rule.convention

    @property
    def base_lr(self) -> Any:
        """The optimizer's learning rate before any schedule (float or batch array)."""
        return self.rule.hyperparameters["lr"]

    def lr_at(self, step: int) -> Any:
        """Learning rate used at 1-based step `step` (batch-shaped if lr is an array)."""
        if self.schedule is None:
            return self.base_lr
        return self.schedule.lr(self.base_lr, step - 1)

    def map_batch(self, function: Callable[[np.ndarray], np.ndarray]) -> Pipeline:
        """The same pipeline with `function` applied to every batch-shaped hyperparameter."""
        return Pipeline([link.map_batch(function) for link in self.links], self.schedule)

    def init(self, params: np.ndarray) -> dict[str, Any]:
        """Fresh state: one dict per link and the step counter."""
        params = np.asarray(params)
        return {"step": 0, "links": [link.init(params) for link in self.links], "_context": StepContext(0, 0.0)}

    def step(self, params: np.ndarray, grads: np.ndarray, state: dict[str, Any]) -> np.ndarray:
        """One update of `params` in place. `grads` is used as scratch space: it holds the step u afterwards.

        Consuming the gradient saves one pass over memory per step, which matters at 10^6 runs.
        """
        step = state["step"] = state["step"] + 1
        ctx = state["_context"]  # reused: one object less per step
        ctx.step = step
        ctx.lr = self._lr if self.schedule is None else self.schedule.lr(self._lr, step - 1)
        u = grads
        for update, link_state in zip(self._updates, state["links"]):  # noqa: B905 (init made them one per link)
            u = update(u, link_state, params, ctx)
        params -= u
        return u

    def named_state(self, state: dict[str, Any]) -> dict[str, np.ndarray]:
        """The optimizer's internal buffers by name (momentum_buffer, exp_avg, ...), scratch left out."""
        found = {}
        for link_state in state["links"]:
            for key, value in link_state.items():
                if not key.startswith("_") and isinstance(value, np.ndarray):
                    found[key] = value
        return found

    def latex(self, live: bool = False) -> str:
        """The whole update as one LaTeX block: schedule, gradient links, rule, step links, in order.

        With a schedule, the rule's learning rate is written eta_t and the schedule line defines it.
        """
        lines = [r"g_t = \nabla f(\theta_{t-1})"]
        if self.schedule is not None:
            lines.append(self.schedule.latex_line(self.rule.specs["lr"].symbol, self.base_lr if live else None))

        def shown(link: Link, name: str) -> str:
            if name == "lr" and self.schedule is not None:
                return r"\eta_t"
            return (link if name in link.specs else self.rule).shown(name, live)  # a step link's {{lr}}: the rule's

        for link in self.links:
            lines.extend(fill_placeholders(line, lambda name, link=link: shown(link, name))
                         for line in link.latex_lines())
        return aligned(lines)


def uses(value: Any) -> bool:
    """True when a hyperparameter is non-zero for at least one run."""
    return bool(np.any(np.asarray(value) != 0))
