"""The one registry of optimizers, training tricks and schedules: adding one is one entry here.

An entry carries everything about it: its names and summary in both languages; its hyperparameter specs (label,
help, default, range, symbol); a builder of its engine links (the rule, whose class writes the LaTeX of both
conventions); for an optimizer, where the pages start it (PageDefaults); and how to build its reference
implementation (Reference), which the parity tests, the networks' torch path and the benches use. Widgets,
formula panels, validation and the command line are all generated from here; tests/cases.py holds the parity
cases, and a test fails when an entry has none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from . import links as links_module
from . import optimizers as rules
from . import schedules as schedules_module
from .core import GRADIENT, STEP, Link, Pipeline, check_convention
from .spec import Spec, validate_all


def _no_limit(values: dict[str, Any]) -> str | None:
    return None


@dataclass(frozen=True)
class Reference:
    """How to build the implementation an entry is checked against, step for step in float64.

    `build` is called with the torch module as its first argument (the engine itself never imports torch):
    an optimizer's  build(torch, parameters, hyperparameters) -> a torch.optim optimizer;
    a trick's       build(torch, parameters, settings) -> Hook: what to do around each optimizer step;
    a schedule's    build(torch, optimizer, settings) -> an lr_scheduler, stepped after each optimizer step.
    `limits(values)` names why the reference cannot mirror these values (a key the pages translate), or None.
    """

    name: str  # what it is, for people: "torch.optim.SGD"
    build: Callable[..., Any]
    limits: Callable[[dict[str, Any]], str | None] = _no_limit


class Hook(NamedTuple):
    """A trick's reference: before(step, lr) runs after backward and before optimizer.step(), after(step, lr)
    right after it (step counts from 1; lr is the learning rate of that step). Either may be None."""

    before: Callable[[int, float], None] | None = None
    after: Callable[[int, float], None] | None = None


@dataclass(frozen=True)
class PageDefaults:
    """Where an optimizer starts on the pages. torch's default learning rates suit neither the 2D surfaces nor
    the small networks, so each page has its own; `primary` are the knobs a lane card shows at once (the rest sit
    under "More settings"), `second_axis` the landscape's default y axis beside the learning rate, `tune_with` the
    setting tuned jointly with the learning rate (optviz.tune: a momentum-type optimizer's β; None: the rate alone)."""

    playground_lr: float
    network_lr: float
    primary: tuple[str, ...] = ("lr",)
    second_axis: str = "lr"
    tune_with: str | None = None


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
    reference: Reference | None = None
    page: PageDefaults | None = None  # optimizers only

    def label(self, lang: str) -> str:
        """The display name in language `lang`."""
        return self.label_zh if lang == "zh" else self.label_en

    def summary(self, lang: str) -> str:
        """One or two sentences on what it does, in language `lang`."""
        return self.summary_zh if lang == "zh" else self.summary_en

    def defaults(self) -> dict[str, Any]:
        """Every hyperparameter at its default."""
        return {name: spec.default for name, spec in self.specs.items()}

    def reference_problem(self, values: dict[str, Any] | None = None) -> str | None:
        """Why the reference cannot mirror these values ('reference' when there is none at all), or None."""
        if self.reference is None:
            return "reference"
        return self.reference.limits(validate_all(self.specs, dict(values or {}), self.name))

    def build_reference(self, torch: Any, target: Any, values: dict[str, Any] | None = None) -> Any:
        """The reference implementation for these values, defaults filled in (see Reference: `target` is the list
        of parameters, or for a schedule the optimizer). ValueError when there is none for them."""
        checked = validate_all(self.specs, dict(values or {}), self.name)
        problem = self.reference_problem(checked)
        if problem is not None:
            where = "it has none" if self.reference is None else f"{self.reference.name}: {problem}"
            raise ValueError(f"{self.kind} {self.name} has no reference implementation for these settings ({where})")
        return self.reference.build(torch, target, checked)


# ------------------------------------------------------------------ references (torch is passed in, never imported)


def _torch_sgd(nesterov: bool | None) -> Callable[..., Any]:
    def build(torch: Any, parameters: list, hp: dict[str, Any]) -> Any:
        return torch.optim.SGD(parameters, lr=hp["lr"], momentum=hp["momentum"], dampening=hp.get("dampening", 0.0),
                               nesterov=hp["nesterov"] if nesterov is None else nesterov,
                               weight_decay=hp["weight_decay"], foreach=False)

    return build


def _torch_adagrad(torch: Any, parameters: list, hp: dict[str, Any]) -> Any:
    return torch.optim.Adagrad(parameters, lr=hp["lr"], lr_decay=hp["lr_decay"], weight_decay=hp["weight_decay"],
                               initial_accumulator_value=hp["initial_accumulator_value"], eps=hp["eps"],
                               foreach=False)


def _torch_rmsprop(torch: Any, parameters: list, hp: dict[str, Any]) -> Any:
    return torch.optim.RMSprop(parameters, lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"],
                               weight_decay=hp["weight_decay"], momentum=hp["momentum"], centered=hp["centered"],
                               foreach=False)


def _torch_adam(decoupled: bool) -> Callable[..., Any]:
    def build(torch: Any, parameters: list, hp: dict[str, Any]) -> Any:
        kind = torch.optim.AdamW if decoupled else torch.optim.Adam
        return kind(parameters, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                    weight_decay=hp["weight_decay"], amsgrad=hp["amsgrad"], foreach=False)

    return build


def _adam_limits(hp: dict[str, Any]) -> str | None:
    return None if hp["bias_correction"] else "bias_correction"


def _torch_clip_norm(torch: Any, parameters: list, settings: dict[str, Any]) -> Hook:
    return Hook(before=lambda step, lr: torch.nn.utils.clip_grad_norm_(parameters, max_norm=settings["max_norm"]))


def _torch_clip_value(torch: Any, parameters: list, settings: dict[str, Any]) -> Hook:
    return Hook(before=lambda step, lr: torch.nn.utils.clip_grad_value_(parameters, settings["clip_value"]))


def _torch_penalty(name: str) -> Callable[..., Hook]:
    def build(torch: Any, parameters: list, settings: dict[str, Any]) -> Hook:
        def before(step: int, lr: float) -> None:
            for parameter in parameters:
                direction = parameter.detach() if name == "l2" else torch.sign(parameter.detach())
                parameter.grad.add_(direction, alpha=settings[name])

        return Hook(before=before)

    return build


def _torch_noise(torch: Any, parameters: list, settings: dict[str, Any]) -> Hook:
    """Seeded Gaussian noise over the parameters taken as one flat vector, in order (as the engine sees them)."""
    generator = np.random.default_rng(settings["seed"])

    def before(step: int, lr: float) -> None:
        scale = settings["std"] / (1.0 + step) ** settings["decay"] if settings["decay"] else settings["std"]
        noise = scale * generator.standard_normal(sum(parameter.numel() for parameter in parameters))
        offset = 0
        for parameter in parameters:
            count = parameter.numel()
            parameter.grad.add_(torch.from_numpy(noise[offset:offset + count]).reshape(parameter.shape)
                                .to(parameter.dtype))
            offset += count

    return Hook(before=before)


def _torch_decoupled_decay(torch: Any, parameters: list, settings: dict[str, Any]) -> Hook:
    """θ ← θ − u − η·λ·θ_{t−1}: the optimizer's step, then the decay of the weights it started from."""
    saved: list = []

    def before(step: int, lr: float) -> None:
        saved[:] = [parameter.detach().clone() for parameter in parameters]

    def after(step: int, lr: float) -> None:
        with torch.no_grad():
            for parameter, start in zip(parameters, saved, strict=True):
                parameter.add_(start, alpha=-lr * settings["weight_decay"])

    return Hook(before, after)


def _torch_scheduler(make: Callable[..., Any]) -> Callable[..., Any]:
    def build(torch: Any, optimizer: Any, settings: dict[str, Any]) -> Any:
        return make(torch.optim.lr_scheduler, optimizer, settings, optimizer.param_groups[0]["lr"])

    return build


def _warmup_cosine(schedulers: Any, optimizer: Any, lr: float, warmup: int, total: int, start: float,
                   floor: float) -> Any:
    """LinearLR over the warm-up, CosineAnnealingLR down to the floor at `total`, then held there with ConstantLR
    (torch's cosine alone would rise again after T_max)."""
    parts, milestones = [], []
    if warmup > 0:
        parts.append(schedulers.LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=warmup))
        milestones.append(warmup)
    parts.append(schedulers.CosineAnnealingLR(optimizer, T_max=total - warmup, eta_min=floor * lr))
    parts.append(schedulers.ConstantLR(optimizer, factor=floor, total_iters=2**62))
    return schedulers.SequentialLR(optimizer, parts, milestones=[*milestones, total])


def _optimizer(name: str, label_en: str, label_zh: str, summary_en: str, summary_zh: str, specs: dict[str, Spec],
               builder: Callable[..., list[Link]], reference: Reference, page: PageDefaults) -> Entry:
    return Entry(name, "optimizer", label_en, label_zh, summary_en, summary_zh, specs, builder, reference, page)


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
    "sgd": _optimizer(
        "sgd", "SGD", "随机梯度下降（SGD）",
        "Steps straight down the gradient; torch.optim.SGD with every option (momentum, dampening, Nesterov).",
        "沿负梯度方向直接下降；即 torch.optim.SGD，可选动量、阻尼和 Nesterov。",
        dict(_SGD), _sgd_builder({}),
        Reference("torch.optim.SGD", _torch_sgd(None)),
        PageDefaults(playground_lr=0.001, network_lr=0.1, primary=("lr",), second_axis="momentum"),
    ),
    "momentum": _optimizer(
        "momentum", "Momentum", "动量法（Momentum）",
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
        Reference("torch.optim.SGD(momentum)", _torch_sgd(False)),
        PageDefaults(playground_lr=0.001, network_lr=0.05, primary=("lr", "momentum"), second_axis="momentum",
                     tune_with="momentum"),
    ),
    "nesterov": _optimizer(
        "nesterov", "Nesterov", "Nesterov 加速梯度",
        "Momentum that looks ahead: the step uses the gradient plus the momentum about to be added, which damps "
        "overshooting.",
        "“向前看”的动量法：更新时加上即将累积的动量，从而减少冲过头的现象。",
        {
            "lr": _SGD["lr"],
            "momentum": _with_default(_SGD["momentum"], 0.9, low=0.0, low_inclusive=False, ui_low=0.01),
            "weight_decay": _SGD["weight_decay"],
        },
        _sgd_builder({"nesterov": True}),
        Reference("torch.optim.SGD(nesterov=True)", _torch_sgd(True)),
        PageDefaults(playground_lr=0.001, network_lr=0.05, primary=("lr", "momentum"), second_axis="momentum",
                     tune_with="momentum"),
    ),
    "adagrad": _optimizer(
        "adagrad", "AdaGrad", "AdaGrad",
        "Divides each coordinate's step by the root of its summed squared gradients: steep coordinates slow "
        "down, and every step size shrinks over time.",
        "用累积梯度平方和的平方根去除每个坐标的步长：陡峭方向变慢，所有步长随时间不断变小。",
        dict(rules.Adagrad.specs), lambda convention, **hp: [rules.Adagrad(convention, **hp)],
        Reference("torch.optim.Adagrad", _torch_adagrad),
        PageDefaults(playground_lr=0.5, network_lr=0.1, primary=("lr",), second_axis="lr_decay"),
    ),
    "rmsprop": _optimizer(
        "rmsprop", "RMSProp", "RMSProp",
        "AdaGrad with a leaky average: the step size adapts to recent gradients instead of dying out.",
        "带遗忘的 AdaGrad：用滑动平均代替累加，步长随近期梯度自适应，不会衰减到零。",
        dict(rules.RMSprop.specs), lambda convention, **hp: [rules.RMSprop(convention, **hp)],
        Reference("torch.optim.RMSprop", _torch_rmsprop),
        PageDefaults(playground_lr=0.01, network_lr=0.01, primary=("lr", "alpha"), second_axis="alpha"),
    ),
    "adam": _optimizer(
        "adam", "Adam", "Adam",
        "Momentum on the gradient and RMSProp on its square, both bias-corrected: the default of deep learning.",
        "对梯度做动量、对梯度平方做 RMSProp，并做偏差修正：深度学习最常用的默认优化器。",
        dict(_ADAM), lambda convention, **hp: [rules.Adam(convention, **hp)],
        Reference("torch.optim.Adam", _torch_adam(decoupled=False), _adam_limits),
        PageDefaults(playground_lr=0.05, network_lr=0.01, primary=("lr", "beta1"), second_axis="beta1",
                     tune_with="beta1"),
    ),
    "adamw": _optimizer(
        "adamw", "AdamW", "AdamW",
        "Adam with decoupled weight decay: θ shrinks by η·λ each step outside the adaptive scaling, so decay "
        "acts equally on every weight.",
        "解耦权重衰减的 Adam：权重衰减不经过自适应缩放，每步直接把 θ 缩小 η·λ，对每个权重作用相同。",
        _ADAMW_SPECS, _adamw,
        Reference("torch.optim.AdamW", _torch_adam(decoupled=True), _adam_limits),
        PageDefaults(playground_lr=0.05, network_lr=0.01, primary=("lr", "beta1", "weight_decay"),
                     second_axis="beta1", tune_with="beta1"),
    ),
}

def _trick(link: type[Link], label_en: str, label_zh: str, summary_en: str, summary_zh: str,
           reference: Reference) -> tuple[str, Entry]:
    def builder(convention: str, **settings: Any) -> list[Link]:
        return [link(convention, **settings)]

    return link.name, Entry(link.name, "trick", label_en, label_zh, summary_en, summary_zh, dict(link.specs), builder,
                            reference)


TRICKS: dict[str, Entry] = dict([
    _trick(links_module.GradientNoise, "Gradient noise", "梯度噪声",
           "Adds Gaussian noise to each gradient, as mini-batches do; it can shake a run off a saddle point.",
           "在梯度上加高斯噪声，模拟小批量训练的随机性，可帮助逃离鞍点。",
           Reference("grad += σ_t·ξ, ξ from numpy's default_rng(seed)", _torch_noise)),
    _trick(links_module.L1, "L1 regularization", "L1 正则化",
           "Adds λ₁·sign(θ): a constant pull toward zero that drives small weights to exactly zero.",
           "在梯度上加 λ₁·sign(θ)：恒定的拉力把小权重推到恰好为零。",
           Reference("grad += λ₁·sign(θ) (the subgradient of λ₁·‖θ‖₁)", _torch_penalty("l1"))),
    _trick(links_module.L2, "L2 regularization", "L2 正则化",
           "Adds λ₂·θ to the gradient: the weights are pulled toward zero in proportion to their size.",
           "在梯度上加 λ₂·θ：权重按其大小成比例地被拉向零。",
           Reference("grad += λ₂·θ (the gradient of λ₂/2·‖θ‖²)", _torch_penalty("l2"))),
    _trick(links_module.ClipByGlobalNorm, "Clip by norm", "按范数裁剪梯度",
           "Rescales a gradient longer than c to length c: tames exploding gradients, keeps the direction.",
           "把长度超过 c 的梯度缩放到 c：抑制梯度爆炸，保持方向不变。",
           Reference("torch.nn.utils.clip_grad_norm_", _torch_clip_norm)),
    _trick(links_module.ClipByValue, "Clip by value", "按值裁剪梯度",
           "Clamps each gradient coordinate to [−c, c].",
           "把梯度的每个分量截断到 [−c, c]。",
           Reference("torch.nn.utils.clip_grad_value_", _torch_clip_value)),
    _trick(links_module.DecoupledWeightDecay, "Decoupled weight decay", "解耦权重衰减",
           "Shrinks θ by η·λ each step, after the optimizer's rule (as AdamW does).",
           "在优化器规则之后每步把 θ 缩小 η·λ（AdamW 的做法）。",
           Reference("θ −= η·λ·θ_{t−1} beside torch.optim's step (torch.optim.AdamW's decay)", _torch_decoupled_decay)),
])


def _schedule(schedule: type, label_en: str, label_zh: str, summary_en: str, summary_zh: str,
              reference: Reference) -> tuple[str, Entry]:
    return schedule.name, Entry(schedule.name, "schedule", label_en, label_zh, summary_en, summary_zh,
                                dict(schedule.specs), schedule, reference)


SCHEDULES: dict[str, Entry] = dict([
    _schedule(schedules_module.Constant, "Constant", "常数",
              "The same learning rate at every step.", "每一步使用相同的学习率。",
              Reference("LambdaLR(1)", _torch_scheduler(lambda s, o, _, lr: s.LambdaLR(o, lambda n: 1.0)))),
    _schedule(schedules_module.StepDecay, "Step decay", "阶梯衰减",
              "Multiply by γ every k steps.", "每 k 步乘以 γ。",
              Reference("StepLR", _torch_scheduler(
                  lambda s, o, hp, lr: s.StepLR(o, step_size=hp["step_size"], gamma=hp["gamma"])))),
    _schedule(schedules_module.Exponential, "Exponential decay", "指数衰减",
              "Multiply by γ at every step (e.g. ×0.98).", "每一步乘以 γ（例如 ×0.98）。",
              Reference("ExponentialLR", _torch_scheduler(lambda s, o, hp, lr: s.ExponentialLR(o, gamma=hp["gamma"])))),
    _schedule(schedules_module.InverseTime, "Inverse-time decay", "反时间衰减",
              "η/(1 + d·(t−1))ᵖ: the classic 1/t decay.", "η/(1 + d·(t−1))ᵖ：经典的 1/t 衰减。",
              Reference("LambdaLR((1 + d·n)^-p)", _torch_scheduler(lambda s, o, hp, lr: s.LambdaLR(
                  o, lambda n: (1.0 + hp["decay_rate"] * n) ** -hp["power"])))),
    _schedule(schedules_module.Polynomial, "Polynomial decay", "多项式衰减",
              "Down to zero at step T along (1 − t/T)ᵖ.", "按 (1 − t/T)ᵖ 在第 T 步降到零。",
              Reference("PolynomialLR", _torch_scheduler(
                  lambda s, o, hp, lr: s.PolynomialLR(o, total_iters=hp["total_steps"], power=hp["power"])))),
    _schedule(schedules_module.Cosine, "Cosine annealing", "余弦退火",
              "Half a cosine from η down to r·η over T steps.", "在 T 步内沿半个余弦从 η 降到 r·η。",
              Reference("CosineAnnealingLR, then ConstantLR", _torch_scheduler(lambda s, o, hp, lr: _warmup_cosine(
                  s, o, lr, 0, hp["total_steps"], 1.0, hp["min_factor"])))),
    _schedule(schedules_module.WarmupCosine, "Warm-up + cosine", "预热 + 余弦",
              "Linear warm-up over W steps, then cosine annealing.", "先用 W 步线性预热，再余弦退火。",
              Reference("LinearLR, CosineAnnealingLR, then ConstantLR", _torch_scheduler(
                  lambda s, o, hp, lr: _warmup_cosine(s, o, lr, hp["warmup_steps"], hp["total_steps"],
                                                      hp["start_factor"], hp["min_factor"])))),
])


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
                "reference": None if entry.reference is None else entry.reference.name,
                **({} if entry.page is None else {"page_defaults": dataclasses.asdict(entry.page)}),
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
