"""The one registry of optimizers, training tricks and schedules.

Each entry is registered once with its names in both languages, a short description, its hyperparameter specs
and a builder. Widgets, formula panels, validation and the command line are all generated from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import links as links_module
from . import optimizers as rules
from . import schedules as schedules_module
from .core import GRADIENT, STEP, Link, Pipeline, check_convention
from .spec import Spec, validate_all


@dataclass(frozen=True)
class Entry:
    """A registered optimizer, trick or schedule."""

    name: str
    kind: str  # "optimizer", "trick" or "schedule"
    label_en: str
    label_zh: str
    summary_en: str
    summary_zh: str
    specs: dict[str, Spec]
    builder: Callable[..., Any]

    def label(self, lang: str) -> str:
        """The display name in language `lang`."""
        return self.label_zh if lang == "zh" else self.label_en

    def summary(self, lang: str) -> str:
        """One or two sentences on what it does, in language `lang`."""
        return self.summary_zh if lang == "zh" else self.summary_en

    def defaults(self) -> dict[str, Any]:
        """Every hyperparameter at its default."""
        return {name: spec.default for name, spec in self.specs.items()}


def _with_default(spec: Spec, default: Any, **changes: Any) -> Spec:
    return dataclasses.replace(spec, default=default, **changes)


def _sgd_builder(fixed: dict[str, Any]) -> Callable[..., list[Link]]:
    def build(convention: str, **hp: Any) -> list[Link]:
        return [rules.SGD(convention, **{**fixed, **hp})]

    return build


def _adamw(convention: str, weight_decay: Any = 1e-2, **hp: Any) -> list[Link]:
    return [rules.Adam(convention, **hp), links_module.DecoupledWeightDecay(convention, weight_decay=weight_decay)]


_SGD = rules.SGD.specs
_ADAM = rules.Adam.specs
_ADAMW_SPECS = {key: spec for key, spec in _ADAM.items() if key != "weight_decay"}
_ADAMW_SPECS["weight_decay"] = _with_default(links_module.DecoupledWeightDecay.specs["weight_decay"], 1e-2)

OPTIMIZERS: dict[str, Entry] = {
    "sgd": Entry(
        "sgd", "optimizer", "SGD", "随机梯度下降（SGD）",
        "Steps straight down the gradient; torch.optim.SGD with every option (momentum, dampening, Nesterov).",
        "沿负梯度方向直接下降；即 torch.optim.SGD，可选动量、阻尼和 Nesterov。",
        dict(_SGD), _sgd_builder({}),
    ),
    "momentum": Entry(
        "momentum", "optimizer", "Momentum", "动量法（Momentum）",
        "Heavy ball: a velocity accumulates past gradients, so steps grow along consistent directions and "
        "oscillations across a valley cancel.",
        "重球法：速度累积过去的梯度，方向一致时步子越来越大，山谷两侧的来回振荡相互抵消。",
        {
            "lr": _SGD["lr"],
            "momentum": _with_default(_SGD["momentum"], 0.9),
            "dampening": _SGD["dampening"],
            "weight_decay": _SGD["weight_decay"],
        },
        _sgd_builder({"nesterov": False}),
    ),
    "nesterov": Entry(
        "nesterov", "optimizer", "Nesterov", "Nesterov 加速梯度",
        "Momentum that looks ahead: the step uses the gradient plus the momentum about to be added, which damps "
        "overshooting.",
        "“向前看”的动量法：更新时加上即将累积的动量，从而减少冲过头的现象。",
        {
            "lr": _SGD["lr"],
            "momentum": _with_default(_SGD["momentum"], 0.9, low=0.0, low_inclusive=False, ui_low=0.01),
            "weight_decay": _SGD["weight_decay"],
        },
        _sgd_builder({"nesterov": True}),
    ),
    "adagrad": Entry(
        "adagrad", "optimizer", "AdaGrad", "AdaGrad",
        "Divides each coordinate's step by the root of its summed squared gradients: steep coordinates slow "
        "down, and every step size shrinks over time.",
        "用累积梯度平方和的平方根去除每个坐标的步长：陡峭方向变慢，所有步长随时间不断变小。",
        dict(rules.Adagrad.specs), lambda convention, **hp: [rules.Adagrad(convention, **hp)],
    ),
    "rmsprop": Entry(
        "rmsprop", "optimizer", "RMSProp", "RMSProp",
        "AdaGrad with a leaky average: the step size adapts to recent gradients instead of dying out.",
        "带遗忘的 AdaGrad：用滑动平均代替累加，步长随近期梯度自适应，不会衰减到零。",
        dict(rules.RMSprop.specs), lambda convention, **hp: [rules.RMSprop(convention, **hp)],
    ),
    "adam": Entry(
        "adam", "optimizer", "Adam", "Adam",
        "Momentum on the gradient and RMSProp on its square, both bias-corrected: the default of deep learning.",
        "对梯度做动量、对梯度平方做 RMSProp，并做偏差修正：深度学习最常用的默认优化器。",
        dict(_ADAM), lambda convention, **hp: [rules.Adam(convention, **hp)],
    ),
    "adamw": Entry(
        "adamw", "optimizer", "AdamW", "AdamW",
        "Adam with decoupled weight decay: θ shrinks by η·λ each step outside the adaptive scaling, so decay "
        "acts equally on every weight.",
        "解耦权重衰减的 Adam：权重衰减不经过自适应缩放，每步直接把 θ 缩小 η·λ，对每个权重作用相同。",
        _ADAMW_SPECS, _adamw,
    ),
}

_TRICK_TEXT = {
    "clip_norm": ("Clip by norm", "按范数裁剪梯度",
                  "Rescales a gradient longer than c to length c: tames exploding gradients, keeps the direction.",
                  "把长度超过 c 的梯度缩放到 c：抑制梯度爆炸，保持方向不变。"),
    "clip_value": ("Clip by value", "按值裁剪梯度",
                   "Clamps each gradient coordinate to [−c, c].",
                   "把梯度的每个分量截断到 [−c, c]。"),
    "l2": ("L2 regularization", "L2 正则化",
           "Adds λ₂·θ to the gradient: the weights are pulled toward zero in proportion to their size.",
           "在梯度上加 λ₂·θ：权重按其大小成比例地被拉向零。"),
    "l1": ("L1 regularization", "L1 正则化",
           "Adds λ₁·sign(θ): a constant pull toward zero that drives small weights to exactly zero.",
           "在梯度上加 λ₁·sign(θ)：恒定的拉力把小权重推到恰好为零。"),
    "noise": ("Gradient noise", "梯度噪声",
              "Adds Gaussian noise to each gradient, as mini-batches do; it can shake a run off a saddle point.",
              "在梯度上加高斯噪声，模拟小批量训练的随机性，可帮助逃离鞍点。"),
    "decoupled_wd": ("Decoupled weight decay", "解耦权重衰减",
                     "Shrinks θ by η·λ each step, after the optimizer's rule (as AdamW does).",
                     "在优化器规则之后每步把 θ 缩小 η·λ（AdamW 的做法）。"),
}

TRICKS: dict[str, Entry] = {}
for _cls in (
    links_module.GradientNoise,
    links_module.L1,
    links_module.L2,
    links_module.ClipByGlobalNorm,
    links_module.ClipByValue,
    links_module.DecoupledWeightDecay,
):
    _en, _zh, _sum_en, _sum_zh = _TRICK_TEXT[_cls.name]
    TRICKS[_cls.name] = Entry(
        _cls.name, "trick", _en, _zh, _sum_en, _sum_zh, dict(_cls.specs),
        lambda convention, _cls=_cls, **hp: [_cls(convention, **hp)],
    )

_SCHEDULE_TEXT = {
    "constant": ("Constant", "常数", "The same learning rate at every step.", "每一步使用相同的学习率。"),
    "step": ("Step decay", "阶梯衰减", "Multiply by γ every k steps.", "每 k 步乘以 γ。"),
    "exponential": ("Exponential decay", "指数衰减", "Multiply by γ at every step (e.g. ×0.98).",
                    "每一步乘以 γ（例如 ×0.98）。"),
    "inverse_time": ("Inverse-time decay", "反时间衰减", "η/(1 + d·(t−1))ᵖ: the classic 1/t decay.",
                     "η/(1 + d·(t−1))ᵖ：经典的 1/t 衰减。"),
    "polynomial": ("Polynomial decay", "多项式衰减", "Down to zero at step T along (1 − t/T)ᵖ.",
                   "按 (1 − t/T)ᵖ 在第 T 步降到零。"),
    "cosine": ("Cosine annealing", "余弦退火", "Half a cosine from η down to r·η over T steps.",
               "在 T 步内沿半个余弦从 η 降到 r·η。"),
    "warmup_cosine": ("Warm-up + cosine", "预热 + 余弦", "Linear warm-up over W steps, then cosine annealing.",
                      "先用 W 步线性预热，再余弦退火。"),
}

SCHEDULES: dict[str, Entry] = {}
for _cls in (
    schedules_module.Constant,
    schedules_module.StepDecay,
    schedules_module.Exponential,
    schedules_module.InverseTime,
    schedules_module.Polynomial,
    schedules_module.Cosine,
    schedules_module.WarmupCosine,
):
    _en, _zh, _sum_en, _sum_zh = _SCHEDULE_TEXT[_cls.name]
    SCHEDULES[_cls.name] = Entry(_cls.name, "schedule", _en, _zh, _sum_en, _sum_zh, dict(_cls.specs), _cls)


def _lookup(table: dict[str, Entry], name: str, what: str) -> Entry:
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}: known are {', '.join(table)}")
    return table[name]


def optimizer_entry(name: str) -> Entry:
    """The registry entry of optimizer `name`; ValueError if unknown."""
    return _lookup(OPTIMIZERS, name, "optimizer")


def trick_entry(name: str) -> Entry:
    """The registry entry of training trick `name`; ValueError if unknown."""
    return _lookup(TRICKS, name, "trick")


def schedule_entry(name: str) -> Entry:
    """The registry entry of schedule `name`; ValueError if unknown."""
    return _lookup(SCHEDULES, name, "schedule")


def build(
    optimizer: str,
    hyperparameters: dict[str, Any] | None = None,
    convention: str = "pytorch",
    tricks: list[tuple[str, dict[str, Any]]] | tuple = (),
    schedule: tuple[str, dict[str, Any]] | None = None,
) -> Pipeline:
    """A ready pipeline: tricks acting on the gradient, the optimizer, tricks acting on the step, a schedule.

    Gradient tricks keep the order given; every value is validated against its spec.
    """
    check_convention(convention)
    entry = optimizer_entry(optimizer)
    hp = validate_all(entry.specs, dict(hyperparameters or {}), optimizer)
    optimizer_links = entry.builder(convention, **hp)
    before: list[Link] = []
    after: list[Link] = []
    for name, settings in tricks:
        trick = trick_entry(name)
        for link in trick.builder(convention, **dict(settings or {})):
            (before if link.stage == GRADIENT else after).append(link)
    assert all(link.stage in (GRADIENT, STEP) for link in before + after)
    schedule_object = None
    if schedule is not None:
        schedule_name, schedule_settings = schedule
        schedule_object = schedule_entry(schedule_name).builder(**dict(schedule_settings or {}))
    return Pipeline(before + optimizer_links + after, schedule_object)


def describe() -> dict[str, Any]:
    """The whole registry as plain data (for `python -m optviz list --format json` and the docs)."""

    def spec_data(spec: Spec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "kind": spec.kind,
            "default": spec.default,
            "allowed": spec.domain_text(),
            "label": {"en": spec.label_en, "zh": spec.label_zh},
            "help": {"en": spec.help_en, "zh": spec.help_zh},
            "log": spec.log,
            "ui_range": [spec.ui_low, spec.ui_high],
        }

    def entries(table: dict[str, Entry]) -> list[dict[str, Any]]:
        return [
            {
                "name": entry.name,
                "label": {"en": entry.label_en, "zh": entry.label_zh},
                "summary": {"en": entry.summary_en, "zh": entry.summary_zh},
                "hyperparameters": [spec_data(spec) for spec in entry.specs.values()],
            }
            for entry in table.values()
        ]

    return {"optimizers": entries(OPTIMIZERS), "tricks": entries(TRICKS), "schedules": entries(SCHEDULES)}


def optimizer_latex(name: str, convention: str = "pytorch", hyperparameters: dict[str, Any] | None = None,
                    live: bool = False) -> str:
    """The update rule of optimizer `name` as LaTeX, symbolic or (with `live`) with its values substituted."""
    return build(name, hyperparameters, convention).latex(live=live)


def trick_latex(name: str, convention: str = "pytorch", settings: dict[str, Any] | None = None,
                live: bool = False) -> str:
    """The rule of one training trick alone, as LaTeX."""
    trick = trick_entry(name)
    lines: list[str] = []
    for link in trick.builder(convention, **dict(settings or {})):
        lines.append(link.latex(live=live))
    return "".join(lines)


def schedule_latex(name: str, settings: dict[str, Any] | None = None, base_lr: Any = None) -> str:
    """eta_t = ... for schedule `name`; with `base_lr` the live values are substituted."""
    schedule = schedule_entry(name).builder(**dict(settings or {}))
    return schedule.latex_line(r"\eta", base_lr)


def schedule_curve(name: str, steps: int, base_lr: float = 1.0, settings: dict[str, Any] | None = None):
    """The learning rate of steps 1..steps under schedule `name`, as one array."""
    return schedule_entry(name).builder(**dict(settings or {})).curve(base_lr, steps)
