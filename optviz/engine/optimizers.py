"""Optimizer rules: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, in two conventions.

``pytorch``: exactly the per-step loops of torch.optim (``_single_tensor_sgd`` and friends): momentum buffer
b = mu*b + (1 - tau)*g with b_1 = g, theta -= lr*b; epsilon outside the square root; Adam's epsilon added after
the bias correction.

``textbook``: the form of d2l.ai chapter 12 and the course notes: velocity v = gamma*v + eta*g, theta -= v;
AdaGrad and RMSProp with epsilon inside the square root; Adam with bias-corrected moments and epsilon outside.

Every rule receives the gradient ``g`` (the pipeline's step vector, after the gradient tricks) and returns the step
(learning rate included) that the pipeline subtracts, written into the same array. The rules are written with the
building blocks below (coupled decay, accumulate, lerp, EMA of squares, root denominator, bias corrections), each a
line of the formula; a convention changes which blocks a rule uses, never what a block does. All arithmetic is in
place on preallocated buffers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import RULE, Link, StepContext
from .spec import BOOL, Spec


def lr_spec(default: float) -> Spec:
    """The learning rate, with torch.optim's default for the optimizer at hand."""
    return Spec(
        "lr", "learning rate", "学习率", r"\eta", default, low=0.0, ui_low=1e-5, ui_high=10.0, log=True,
        help_en="Step size: how far each update moves along the (transformed) gradient.",
        help_zh="步长：每次更新沿（变换后的）梯度方向前进多远。",
    )


def weight_decay_spec(default: float = 0.0) -> Spec:
    """Coupled L2 weight decay as torch.optim's `weight_decay`: lambda*theta is added to the gradient."""
    return Spec(
        "weight_decay", "weight decay (L2)", "权重衰减（L2）", r"\lambda", default, low=0.0, ui_low=0.0, ui_high=0.1,
        help_en="Adds λ·θ to the gradient (L2 penalty λ/2·‖θ‖² on the loss); pulls weights toward zero.",
        help_zh="在梯度上加 λ·θ（相当于在损失上加 L2 惩罚 λ/2·‖θ‖²），把权重拉向零。",
    )


def eps_spec(default: float) -> Spec:
    """The small constant that keeps a division by a root away from zero."""
    return Spec(
        "eps", "epsilon", "ε（数值稳定项）", r"\epsilon", default, low=0.0, low_inclusive=False,
        ui_low=1e-12, ui_high=1.0, log=True,
        help_en="Small constant added to the denominator so that the step stays finite where the gradient is ~0.",
        help_zh="加在分母上的小常数，梯度接近 0 时避免除以零。",
    )


MOMENTUM = Spec(
    "momentum", "momentum", "动量系数", r"\mu", 0.0, low=0.0, high=1.0, high_inclusive=False, ui_low=0.0, ui_high=0.999,
    help_en="Fraction of the previous velocity kept each step; 0 is plain gradient descent.",
    help_zh="每一步保留上一步速度的比例；0 即普通梯度下降。",
)
DAMPENING = Spec(
    "dampening", "dampening", "阻尼", r"\tau", 0.0, low=0.0, high=1.0, ui_low=0.0, ui_high=1.0,
    help_en="Scales the new gradient's share in the momentum buffer by (1 − τ).",
    help_zh="把新梯度进入动量缓冲区的份额乘以 (1 − τ)。",
)
NESTEROV = Spec(
    "nesterov", "Nesterov", "Nesterov 加速", r"\text{nesterov}", False, kind=BOOL,
    help_en="Look ahead: step along the gradient plus the momentum it is about to add.",
    help_zh="向前看一步：沿梯度加上即将累积的动量方向更新。",
)
LR_DECAY = Spec(
    "lr_decay", "learning-rate decay", "学习率衰减", r"\kappa", 0.0, low=0.0, ui_low=0.0, ui_high=0.1,
    help_en="AdaGrad's own decay: the step t uses η / (1 + (t − 1)·κ).",
    help_zh="AdaGrad 自带的衰减：第 t 步使用 η / (1 + (t − 1)·κ)。",
)
INITIAL_ACCUMULATOR = Spec(
    "initial_accumulator_value", "initial accumulator", "累加器初值", r"s_0", 0.0, low=0.0, ui_low=0.0, ui_high=1.0,
    help_en="Starting value of the sum of squared gradients; > 0 makes the first steps smaller.",
    help_zh="梯度平方和的初始值；大于 0 时最初几步更小。",
)
ALPHA = Spec(
    "alpha", "smoothing constant", "平滑常数", r"\alpha", 0.99, low=0.0, high=1.0, high_inclusive=False,
    ui_low=0.0, ui_high=0.999,
    help_en="Decay of the running average of squared gradients (RMSProp's ρ or γ in other texts).",
    help_zh="梯度平方滑动平均的衰减率（其他教材中记作 ρ 或 γ）。",
)
CENTERED = Spec(
    "centered", "centered", "中心化", r"\text{centered}", False, kind=BOOL,
    help_en="Divide by an estimate of the gradient's variance instead of its raw second moment.",
    help_zh="用梯度方差的估计代替二阶原点矩作为分母。",
)
BETA1 = Spec(
    "beta1", "β₁ (first moment)", "β₁（一阶矩衰减率）", r"\beta_1", 0.9, low=0.0, high=1.0, high_inclusive=False,
    ui_low=0.0, ui_high=0.999,
    help_en="Decay of the running mean of gradients (Adam's momentum).",
    help_zh="梯度滑动平均（Adam 的动量）的衰减率。",
)
BETA2 = Spec(
    "beta2", "β₂ (second moment)", "β₂（二阶矩衰减率）", r"\beta_2", 0.999, low=0.0, high=1.0, high_inclusive=False,
    ui_low=0.0, ui_high=0.9999,
    help_en="Decay of the running mean of squared gradients, which sets each coordinate's step size.",
    help_zh="梯度平方滑动平均的衰减率，决定每个坐标的步长。",
)
AMSGRAD = Spec(
    "amsgrad", "AMSGrad", "AMSGrad", r"\text{amsgrad}", False, kind=BOOL,
    help_en="Use the largest second moment seen so far, so that step sizes never grow.",
    help_zh="使用迄今为止最大的二阶矩，使步长永不增大。",
)
BIAS_CORRECTION = Spec(
    "bias_correction", "bias correction", "偏差修正", r"\text{bias\_correction}", True, kind=BOOL,
    help_en="Divide the moments by 1 − βᵗ so that the first steps are not biased toward zero.",
    help_zh="把矩估计除以 1 − βᵗ，消除最初几步偏向零的偏差。",
)


# ------------------------------------------------------------------ the building blocks of the update rules
# Each writes in place into preallocated arrays (`tmp` is scratch of the parameters' shape) and is named as the
# formulas name it, so that a rule reads like its lines of LaTeX.


def add_coupled_decay(g: np.ndarray, params: np.ndarray, weight_decay: Any, tmp: np.ndarray) -> None:
    """g ← g + λ·θ: torch.optim's coupled weight decay (the gradient of λ/2·‖θ‖²)."""
    np.multiply(params, weight_decay, out=tmp)
    g += tmp


def accumulate(buffer: np.ndarray, value: np.ndarray, decay: Any, tmp: np.ndarray, scale: Any = None) -> None:
    """buffer ← decay·buffer + scale·value (scale None: 1): a momentum buffer, a velocity."""
    buffer *= decay
    if scale is None:
        buffer += value
    else:
        np.multiply(value, scale, out=tmp)
        buffer += tmp


def lerp(average: np.ndarray, value: np.ndarray, weight: Any, tmp: np.ndarray) -> None:
    """average ← average + weight·(value − average) = (1 − weight)·average + weight·value (torch's lerp_)."""
    np.subtract(value, average, out=tmp)
    tmp *= weight
    average += tmp


def ema_of_squares(average: np.ndarray, g: np.ndarray, decay: Any, weight: Any, tmp: np.ndarray) -> None:
    """average ← decay·average + weight·g⊙g: a running second moment (weight = 1 − decay)."""
    average *= decay
    np.multiply(g, g, out=tmp)
    tmp *= weight
    average += tmp


def add_square(total: np.ndarray, g: np.ndarray, tmp: np.ndarray) -> None:
    """total ← total + g⊙g: AdaGrad's sum of squared gradients."""
    np.multiply(g, g, out=tmp)
    total += tmp


def root_denominator(second: np.ndarray, eps: Any, textbook: bool, out: np.ndarray) -> np.ndarray:
    """√s + ε (PyTorch) or √(s + ε) (d2l's textbook form), into `out`."""
    if textbook:
        np.add(second, eps, out=out)
        np.sqrt(out, out=out)
    else:
        np.sqrt(second, out=out)
        out += eps
    return out


def bias_corrections(state: dict, beta1: Any, beta2: Any) -> tuple[Any, Any]:
    """(1 − β₁ᵗ, 1 − β₂ᵗ) at step t, from the powers β₁ᵗ, β₂ᵗ kept in the state (1 at the start): one multiplication
    per step for a scalar β and for a batch of βs alike (a power per run and step would cost more than the rest of
    Adam), so that a run of a batch computes exactly what it computes alone."""
    power1, power2 = state["_beta1_power"], state["_beta2_power"]
    if isinstance(power1, np.ndarray):
        power1 *= beta1
    else:
        power1 = state["_beta1_power"] = power1 * beta1
    if isinstance(power2, np.ndarray):
        power2 *= beta2
    else:
        power2 = state["_beta2_power"] = power2 * beta2
    return 1 - power1, 1 - power2


def _coupled_decay_line(rule: Link) -> list[str]:
    """The formula line of torch.optim's coupled weight decay, when the rule uses it."""
    return [r"g_t \leftarrow g_t + {{weight_decay}}\,\theta_{t-1}"] if rule.on["weight_decay"] else []


def _buffer_name(convention: str) -> str:
    """A momentum buffer b (PyTorch, holds no learning rate) or a velocity v (textbook, holds it)."""
    return "momentum_buffer" if convention == "pytorch" else "velocity"


# ------------------------------------------------------------------ the rules


class SGD(Link):
    """Stochastic gradient descent with optional momentum, dampening and Nesterov."""

    name = "sgd"
    stage = RULE
    specs = {
        "lr": lr_spec(1e-3),
        "momentum": MOMENTUM,
        "dampening": DAMPENING,
        "nesterov": NESTEROV,
        "weight_decay": weight_decay_spec(),
    }

    def check(self) -> None:
        hp = self.hyperparameters
        if hp["nesterov"] and (not np.all(np.asarray(hp["momentum"]) > 0) or self.on["dampening"]):
            raise ValueError("sgd: nesterov = true needs momentum > 0 and dampening = 0")

    def derive(self) -> None:
        hp = self.hyperparameters
        self.momentum, self.weight_decay, self.nesterov = hp["momentum"], hp["weight_decay"], hp["nesterov"]
        # 1 − τ, the new gradient's share in the buffer; torch applies no dampening where momentum is 0.
        self.one_minus_dampening = (1.0 - np.where(np.asarray(self.momentum) == 0, 0.0, hp["dampening"])
                                    if self.on["dampening"] else None)

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {"_tmp": np.empty_like(params)}
        if self.on["momentum"]:
            state[_buffer_name(self.convention)] = np.zeros_like(params)
        return state

    def update(self, g: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        tmp, lr, momentum = state["_tmp"], ctx.lr, self.momentum
        if self.on["weight_decay"]:
            add_coupled_decay(g, params, self.weight_decay, tmp)
        if not self.on["momentum"]:  # θ ← θ − η·g
            g *= lr
            return g
        if self.convention == "pytorch":
            buffer = state["momentum_buffer"]
            if ctx.step == 1:  # b₁ = g₁
                np.copyto(buffer, g)
            else:  # b ← μ·b + (1 − τ)·g
                accumulate(buffer, g, momentum, tmp, self.one_minus_dampening)
            if self.nesterov:  # θ ← θ − η·(g + μ·b)
                np.multiply(buffer, momentum, out=tmp)
                g += tmp
                g *= lr
            else:  # θ ← θ − η·b
                np.multiply(buffer, lr, out=g)
            return g
        velocity = state["velocity"]  # v ← μ·v + η·(1 − τ)·g
        damped = lr if self.one_minus_dampening is None else lr * self.one_minus_dampening
        accumulate(velocity, g, momentum, tmp, damped)
        if self.nesterov:
            # θ ← θ − (μ·v + η·g): Nesterov's look-ahead gradient, rewritten at the current point (Bengio et al. 2013)
            g *= lr
            np.multiply(velocity, momentum, out=tmp)
            g += tmp
        else:  # θ ← θ − v
            np.copyto(g, velocity)
        return g

    def latex_lines(self) -> list[str]:
        hp = self.hyperparameters
        lines = _coupled_decay_line(self)
        if not self.on["momentum"]:
            return [*lines, r"\theta_t = \theta_{t-1} - {{lr}}\, g_t"]
        damp = r"(1 - {{dampening}})\," if self.on["dampening"] else ""
        if self.convention == "pytorch":
            lines.append(r"b_t = {{momentum}}\, b_{t-1} + " + damp + r"g_t \quad (b_1 = g_1)")
            if hp["nesterov"]:
                lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\,(g_t + {{momentum}}\, b_t)")
            else:
                lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\, b_t")
            return lines
        lines.append(r"v_t = {{momentum}}\, v_{t-1} + {{lr}}\, " + damp + r"g_t \quad (v_0 = 0)")
        if hp["nesterov"]:
            lines.append(r"\theta_t = \theta_{t-1} - ({{momentum}}\, v_t + {{lr}}\, g_t)")
        else:
            lines.append(r"\theta_t = \theta_{t-1} - v_t")
        return lines


class Adagrad(Link):
    """AdaGrad: per-coordinate steps shrink with the accumulated squared gradients."""

    name = "adagrad"
    stage = RULE
    specs = {
        "lr": lr_spec(1e-2),
        "lr_decay": LR_DECAY,
        "weight_decay": weight_decay_spec(),
        "initial_accumulator_value": INITIAL_ACCUMULATOR,
        "eps": eps_spec(1e-10),
    }

    def derive(self) -> None:
        hp = self.hyperparameters
        self.lr_decay, self.weight_decay, self.eps = hp["lr_decay"], hp["weight_decay"], hp["eps"]

    def init(self, params: np.ndarray) -> dict[str, Any]:
        initial = np.broadcast_to(self.hyperparameters["initial_accumulator_value"], params.shape)
        return {"sum_of_squares": np.array(initial, dtype=params.dtype), "_tmp": np.empty_like(params)}

    def update(self, g: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        tmp = state["_tmp"]
        if self.on["weight_decay"]:
            add_coupled_decay(g, params, self.weight_decay, tmp)
        lr = ctx.lr / (1 + (ctx.step - 1) * self.lr_decay) if self.on["lr_decay"] else ctx.lr  # η / (1 + (t−1)κ)
        add_square(state["sum_of_squares"], g, tmp)  # s ← s + g⊙g
        g /= root_denominator(state["sum_of_squares"], self.eps, self.convention == "textbook", tmp)
        g *= lr
        return g

    def latex_lines(self) -> list[str]:
        lines = _coupled_decay_line(self)
        lines.append(r"s_t = s_{t-1} + g_t \odot g_t \quad (s_0 = {{initial_accumulator_value}})")
        rate = r"\frac{ {{lr}} }{1 + (t-1)\,{{lr_decay}} }" if self.on["lr_decay"] else "{{lr}}"
        if self.convention == "pytorch":
            lines.append(r"\theta_t = \theta_{t-1} - " + rate + r"\,\frac{g_t}{\sqrt{s_t} + {{eps}} }")
        else:
            lines.append(r"\theta_t = \theta_{t-1} - " + rate + r"\,\frac{g_t}{\sqrt{s_t + {{eps}} }}")
        return lines


class RMSprop(Link):
    """RMSProp: divide by a running root-mean-square of the gradients; optional momentum and centering."""

    name = "rmsprop"
    stage = RULE
    specs = {
        "lr": lr_spec(1e-2),
        "alpha": ALPHA,
        "eps": eps_spec(1e-8),
        "weight_decay": weight_decay_spec(),
        "momentum": MOMENTUM,
        "centered": CENTERED,
    }

    def derive(self) -> None:
        hp = self.hyperparameters
        self.alpha, self.one_minus_alpha, self.eps = hp["alpha"], 1 - hp["alpha"], hp["eps"]
        self.momentum, self.weight_decay, self.centered = hp["momentum"], hp["weight_decay"], hp["centered"]

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {"square_avg": np.zeros_like(params), "_tmp": np.empty_like(params)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(params)
            state["_tmp2"] = np.empty_like(params)
        if self.on["momentum"]:
            state[_buffer_name(self.convention)] = np.zeros_like(params)
        return state

    def update(self, g: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        tmp = state["_tmp"]
        if self.on["weight_decay"]:
            add_coupled_decay(g, params, self.weight_decay, tmp)
        square_avg = state["square_avg"]
        ema_of_squares(square_avg, g, self.alpha, self.one_minus_alpha, tmp)  # s ← α·s + (1 − α)·g⊙g
        second = square_avg
        if self.centered:  # ḡ ← α·ḡ + (1 − α)·g; the variance s − ḡ⊙ḡ instead of s
            grad_avg, tmp2 = state["grad_avg"], state["_tmp2"]
            lerp(grad_avg, g, self.one_minus_alpha, tmp2)
            np.multiply(grad_avg, grad_avg, out=tmp2)
            second = np.subtract(square_avg, tmp2, out=tmp2)
        g /= root_denominator(second, self.eps, self.convention == "textbook", tmp)
        if not self.on["momentum"]:  # θ ← θ − η·g/denominator
            g *= ctx.lr
            return g
        buffer = state[_buffer_name(self.convention)]
        if self.convention == "pytorch":  # b ← μ·b + g/denominator; θ ← θ − η·b
            accumulate(buffer, g, self.momentum, tmp)
            np.multiply(buffer, ctx.lr, out=g)
        else:  # v ← μ·v + η·g/denominator; θ ← θ − v
            accumulate(buffer, g, self.momentum, tmp, ctx.lr)
            np.copyto(g, buffer)
        return g

    def latex_lines(self) -> list[str]:
        hp = self.hyperparameters
        lines = _coupled_decay_line(self)
        lines.append(r"s_t = {{alpha}}\, s_{t-1} + (1 - {{alpha}})\, g_t \odot g_t")
        second = "s_t"
        if hp["centered"]:
            lines.append(r"\bar g_t = {{alpha}}\, \bar g_{t-1} + (1 - {{alpha}})\, g_t")
            second = r"s_t - \bar g_t \odot \bar g_t"
        if self.convention == "pytorch":
            denominator = r"\sqrt{" + second + r"} + {{eps}}"
        else:
            denominator = r"\sqrt{" + second + r" + {{eps}} }"
        if self.on["momentum"]:
            if self.convention == "pytorch":
                lines.append(r"b_t = {{momentum}}\, b_{t-1} + \frac{g_t}{" + denominator + "}")
                lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\, b_t")
            else:
                lines.append(r"v_t = {{momentum}}\, v_{t-1} + {{lr}}\,\frac{g_t}{" + denominator + "}")
                lines.append(r"\theta_t = \theta_{t-1} - v_t")
            return lines
        lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\,\frac{g_t}{" + denominator + "}")
        return lines


class Adam(Link):
    """Adam: bias-corrected running means of the gradient and its square; optional AMSGrad."""

    name = "adam"
    stage = RULE
    specs = {
        "lr": lr_spec(1e-3),
        "beta1": BETA1,
        "beta2": BETA2,
        "eps": eps_spec(1e-8),
        "weight_decay": weight_decay_spec(),
        "amsgrad": AMSGRAD,
        "bias_correction": BIAS_CORRECTION,
    }

    def derive(self) -> None:
        # plain attributes: the update reads them at every step
        hp = self.hyperparameters
        self.beta1, self.beta2, self.eps, self.weight_decay = hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
        self.one_minus_beta1, self.one_minus_beta2 = 1 - self.beta1, 1 - self.beta2
        self.amsgrad, self.corrected = hp["amsgrad"], hp["bias_correction"]
        self.scalar_betas = not any(isinstance(beta, np.ndarray) for beta in (self.beta1, self.beta2))
        self.decayed, self.textbook = self.on["weight_decay"], self.convention == "textbook"

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {
            "exp_avg": np.zeros_like(params),
            "exp_avg_sq": np.zeros_like(params),
            "_tmp": np.empty_like(params),
            # β₁ᵗ and β₂ᵗ, for the bias corrections: a float, or one per run for a batch of βs
            "_beta1_power": np.ones_like(self.beta1) if isinstance(self.beta1, np.ndarray) else 1.0,
            "_beta2_power": np.ones_like(self.beta2) if isinstance(self.beta2, np.ndarray) else 1.0,
        }
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(params)
        return state

    def update(self, g: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        tmp = state["_tmp"]
        if self.decayed:
            add_coupled_decay(g, params, self.weight_decay, tmp)
        exp_avg, second = state["exp_avg"], state["exp_avg_sq"]
        lerp(exp_avg, g, self.one_minus_beta1, tmp)  # m ← β₁·m + (1 − β₁)·g, as torch's lerp_
        ema_of_squares(second, g, self.beta2, self.one_minus_beta2, tmp)  # v ← β₂·v + (1 − β₂)·g⊙g
        if self.amsgrad:  # v_max ← max(v_max, v)
            second = np.maximum(state["max_exp_avg_sq"], second, out=state["max_exp_avg_sq"])
        if self.corrected:  # 1 − β₁ᵗ, 1 − β₂ᵗ
            correction1, correction2 = bias_corrections(state, self.beta1, self.beta2)
        else:
            correction1 = correction2 = 1.0
        if not self.textbook:
            # torch: η/(1 − β₁ᵗ)·m / (√v/√(1 − β₂ᵗ) + ε). Multiplied through by √(1 − β₂ᵗ) it costs one pass over
            # memory less and differs only in the last bit: η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m / (√v + ε·√(1 − β₂ᵗ)).
            root = math.sqrt(correction2) if self.scalar_betas else np.sqrt(correction2)
            denominator = root_denominator(second, self.eps * root, False, tmp)
            np.divide(exp_avg, denominator, out=g)
            g *= ctx.lr * root / correction1
            return g
        # d2l: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − η·m̂/(√v̂ + ε)
        np.divide(second, correction2, out=tmp)
        denominator = root_denominator(tmp, self.eps, False, tmp)
        np.divide(exp_avg, correction1, out=g)
        g /= denominator
        g *= ctx.lr
        return g

    def latex_lines(self) -> list[str]:
        hp = self.hyperparameters
        lines = _coupled_decay_line(self)
        lines.append(r"m_t = {{beta1}}\, m_{t-1} + (1 - {{beta1}})\, g_t")
        lines.append(r"v_t = {{beta2}}\, v_{t-1} + (1 - {{beta2}})\, g_t \odot g_t")
        second = "v_t"
        if hp["amsgrad"]:
            lines.append(r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t)")
            second = r"v^{\max}_t"
        if hp["bias_correction"]:
            lines.append(
                r"\hat m_t = \frac{m_t}{1 - {{beta1}}^t},\quad \hat v_t = \frac{" + second + r"}{1 - {{beta2}}^t}"
            )
            lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\,\frac{\hat m_t}{\sqrt{\hat v_t} + {{eps}} }")
        else:
            lines.append(r"\theta_t = \theta_{t-1} - {{lr}}\,\frac{m_t}{\sqrt{" + second + r"} + {{eps}} }")
        return lines
