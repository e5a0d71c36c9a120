"""Learning-rate schedules: lr at step t as a function of the optimizer's base learning rate.

A schedule is indexed by n = t - 1, the number of steps already taken, as torch.optim.lr_scheduler's
``last_epoch`` is when it is stepped once per optimizer step. Every schedule here stays in [0, lr]: factors are
validated so that no setting can make the learning rate negative or larger than its base value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .spec import INT, Spec, fill_placeholders, format_latex, validate_all

GAMMA = Spec(
    "gamma", "decay factor γ", "衰减因子 γ", r"\gamma", 0.98, low=0.0, high=1.0, low_inclusive=False,
    ui_low=0.5, ui_high=1.0,
    help_en="Multiplies the learning rate at each decay (0.98: 2 % smaller each time).",
    help_zh="每次衰减时学习率乘以的因子（0.98 即每次减小 2%）。",
)
TOTAL_STEPS = Spec(
    "total_steps", "schedule length T", "调度总步数 T", "T", 100, kind=INT, low=1, high=10**7, ui_low=1, ui_high=5000,
    help_en="Number of steps over which the learning rate goes down to its final value.",
    help_zh="学习率降到最终值所用的步数。",
)
MIN_FACTOR = Spec(
    "min_factor", "final fraction of lr", "最终学习率比例", "r", 0.0, low=0.0, high=1.0, ui_low=0.0, ui_high=1.0,
    help_en="The learning rate ends at r·η (0: decays to zero).",
    help_zh="学习率最终降到 r·η（0 表示降到零）。",
)


class Schedule:
    """A named learning-rate schedule with validated settings."""

    name = ""
    specs: dict[str, Spec] = {}

    def __init__(self, **settings: Any) -> None:
        self.settings = validate_all(self.specs, settings, f"schedule {self.name}")
        for key, value in self.settings.items():
            if isinstance(value, np.ndarray):
                raise ValueError(f"schedule {self.name}: {key} must be one number, not an array")
        self.check()

    def check(self) -> None:
        """Cross-setting validation; raise ValueError."""

    def factor(self, n: Any) -> Any:
        """lr_t / lr for n = t - 1 steps taken (n may be an integer array)."""
        raise NotImplementedError

    def lr(self, base_lr: Any, n: int) -> Any:
        """The learning rate for the step after n steps taken."""
        return base_lr * self.factor(n)

    def curve(self, base_lr: float, steps: int) -> np.ndarray:
        """lr for steps 1..steps, as one array (for plotting the whole schedule)."""
        return base_lr * np.asarray(self.factor(np.arange(steps)), dtype=np.float64) * np.ones(steps)

    def formula(self) -> str:
        """The right-hand side of eta_t = ..., with {{name}} placeholders."""
        raise NotImplementedError

    def latex_line(self, lr_symbol: str, base_lr: Any = None) -> str:
        """'eta_t = ...' as LaTeX; with `base_lr` given, the live values are substituted."""
        def shown(name: str) -> str:
            if name == "lr":
                return lr_symbol if base_lr is None else format_latex(base_lr)
            return self.specs[name].symbol if base_lr is None else format_latex(self.settings[name])

        return r"\eta_t = " + fill_placeholders(self.formula(), shown)


class Constant(Schedule):
    """The same learning rate at every step."""

    name = "constant"
    specs = {}

    def factor(self, n: Any) -> Any:
        return np.ones_like(np.asarray(n, dtype=np.float64)) if np.ndim(n) else 1.0

    def formula(self) -> str:
        return "{{lr}}"


class StepDecay(Schedule):
    """lr * gamma^floor(n / k): a drop every k steps (torch StepLR)."""

    name = "step"
    specs = {
        "step_size": Spec(
            "step_size", "steps between drops k", "每隔多少步衰减 k", "k", 30, kind=INT, low=1, high=10**7,
            ui_low=1, ui_high=1000,
            help_en="The learning rate is multiplied by γ once every k steps.",
            help_zh="每经过 k 步，学习率乘以一次 γ。",
        ),
        "gamma": Spec(
            "gamma", "decay factor γ", "衰减因子 γ", r"\gamma", 0.1, low=0.0, high=1.0, low_inclusive=False,
            ui_low=0.01, ui_high=1.0,
            help_en="Multiplies the learning rate at each drop (0.1: ten times smaller).",
            help_zh="每次衰减时学习率乘以的因子（0.1 即缩小十倍）。",
        ),
    }

    def factor(self, n: Any) -> Any:
        return self.settings["gamma"] ** (np.asarray(n) // self.settings["step_size"])

    def formula(self) -> str:
        return r"{{lr}}\,{{gamma}}^{\lfloor (t-1)/{{step_size}} \rfloor}"


class Exponential(Schedule):
    """lr * gamma^n: a constant fraction off at every step (torch ExponentialLR; '×0.98 per epoch')."""

    name = "exponential"
    specs = {"gamma": GAMMA}

    def factor(self, n: Any) -> Any:
        return self.settings["gamma"] ** np.asarray(n, dtype=np.float64)

    def formula(self) -> str:
        return r"{{lr}}\,{{gamma}}^{\,t-1}"


class InverseTime(Schedule):
    """lr / (1 + d*n)^p: the classic 1/t decay (p = 1) or 1/sqrt(t) (p = 0.5)."""

    name = "inverse_time"
    specs = {
        "decay_rate": Spec(
            "decay_rate", "decay rate d", "衰减速率 d", "d", 0.01, low=0.0, ui_low=0.0, ui_high=1.0,
            help_en="How fast the learning rate falls: it halves (p = 1) after 1/d steps.",
            help_zh="学习率下降的快慢：p = 1 时经过 1/d 步减半。",
        ),
        "power": Spec(
            "power", "power p", "幂次 p", "p", 1.0, low=0.0, low_inclusive=False, high=10.0, ui_low=0.1, ui_high=2.0,
            help_en="p = 1 gives 1/t decay, p = 0.5 gives 1/√t decay.",
            help_zh="p = 1 为 1/t 衰减，p = 0.5 为 1/√t 衰减。",
        ),
    }

    def factor(self, n: Any) -> Any:
        return (1.0 + self.settings["decay_rate"] * np.asarray(n, dtype=np.float64)) ** -self.settings["power"]

    def formula(self) -> str:
        return r"\frac{ {{lr}} }{(1 + {{decay_rate}}\,(t-1))^{ {{power}} }}"


class Polynomial(Schedule):
    """lr * (1 - min(n, T)/T)^p: reaches zero after T steps (torch PolynomialLR)."""

    name = "polynomial"
    specs = {
        "total_steps": TOTAL_STEPS,
        "power": Spec(
            "power", "power p", "幂次 p", "p", 1.0, low=0.0, low_inclusive=False, high=10.0, ui_low=0.1, ui_high=5.0,
            help_en="p = 1 is a straight line down to zero; larger p drops faster at first.",
            help_zh="p = 1 为线性降到零；p 越大前期下降越快。",
        ),
    }

    def factor(self, n: Any) -> Any:
        total = self.settings["total_steps"]
        return (1.0 - np.minimum(np.asarray(n, dtype=np.float64), total) / total) ** self.settings["power"]

    def formula(self) -> str:
        return r"{{lr}}\left(1 - \frac{\min(t-1, {{total_steps}})}{ {{total_steps}} }\right)^{ {{power}} }"


class Cosine(Schedule):
    """Cosine annealing from lr to r*lr over T steps, then constant (torch CosineAnnealingLR up to T)."""

    name = "cosine"
    specs = {"total_steps": TOTAL_STEPS, "min_factor": MIN_FACTOR}

    def factor(self, n: Any) -> Any:
        total, low = self.settings["total_steps"], self.settings["min_factor"]
        progress = np.minimum(np.asarray(n, dtype=np.float64), total) / total
        return low + (1.0 - low) * (1.0 + np.cos(np.pi * progress)) / 2.0

    def formula(self) -> str:
        return (
            r"{{lr}}\left[{{min_factor}} + \tfrac{1 - {{min_factor}}}{2}"
            r"\left(1 + \cos\frac{\pi \min(t-1, {{total_steps}})}{ {{total_steps}} }\right)\right]"
        )


class WarmupCosine(Schedule):
    """Linear warm-up from s*lr to lr over W steps, then cosine down to r*lr at step T."""

    name = "warmup_cosine"
    specs = {
        "warmup_steps": Spec(
            "warmup_steps", "warm-up steps W", "预热步数 W", "W", 10, kind=INT, low=0, high=10**7,
            ui_low=0, ui_high=1000,
            help_en="Steps over which the learning rate climbs linearly to its base value.",
            help_zh="学习率线性升到基准值所用的步数。",
        ),
        "total_steps": TOTAL_STEPS,
        "start_factor": Spec(
            "start_factor", "starting fraction s", "起始比例 s", "s", 0.1, low=0.0, high=1.0, low_inclusive=False,
            ui_low=0.01, ui_high=1.0,
            help_en="The first step uses s·η.",
            help_zh="第一步使用 s·η。",
        ),
        "min_factor": MIN_FACTOR,
    }

    def check(self) -> None:
        if self.settings["warmup_steps"] >= self.settings["total_steps"]:
            raise ValueError(
                f"schedule warmup_cosine: warmup_steps = {self.settings['warmup_steps']} must be smaller than "
                f"total_steps = {self.settings['total_steps']}"
            )

    def factor(self, n: Any) -> Any:
        warmup, total = self.settings["warmup_steps"], self.settings["total_steps"]
        start, low = self.settings["start_factor"], self.settings["min_factor"]
        n = np.asarray(n, dtype=np.float64)
        rising = start + (1.0 - start) * n / warmup if warmup > 0 else np.ones_like(n)
        progress = np.clip((n - warmup) / (total - warmup), 0.0, 1.0)
        falling = low + (1.0 - low) * (1.0 + np.cos(np.pi * progress)) / 2.0
        return np.where(n < warmup, rising, falling)

    def formula(self) -> str:
        return (
            r"\begin{cases} {{lr}}\left({{start_factor}} + (1-{{start_factor}})\frac{t-1}{ {{warmup_steps}} }\right)"
            r" & t-1 < {{warmup_steps}} \\ {{lr}}\left[{{min_factor}} + \tfrac{1-{{min_factor}}}{2}\left(1 + "
            r"\cos\frac{\pi\,(t-1-{{warmup_steps}})}{ {{total_steps}} - {{warmup_steps}} }\right)\right]"
            r" & t-1 \ge {{warmup_steps}} \end{cases}"  # a condition, not a word: no language to translate
        )
