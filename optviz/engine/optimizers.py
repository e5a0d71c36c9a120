"""Optimizer rules: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, in two conventions.

``pytorch``: exactly the per-step loops of torch.optim (``_single_tensor_sgd`` and friends): momentum buffer
b = mu*b + (1 - tau)*g with b_1 = g, theta -= lr*b; epsilon outside the square root; Adam's epsilon added after
the bias correction.

``textbook``: the form of d2l.ai chapter 12 and the course notes: velocity v = gamma*v + eta*g, theta -= v;
AdaGrad and RMSProp with epsilon inside the square root; Adam with bias-corrected moments and epsilon outside.

Every rule receives the gradient as the step vector ``u`` and returns the step (learning rate included) that
the pipeline subtracts. All arithmetic is in place on preallocated buffers.
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


def _coupled_decay_line(rule: Link) -> list[str]:
    """The formula line of torch.optim's coupled weight decay, when the rule uses it."""
    return [r"g_t \leftarrow g_t + {{weight_decay}}\,\theta_{t-1}"] if rule.on["weight_decay"] else []


def _add_coupled_decay(u: np.ndarray, params: np.ndarray, decay: Any, scratch: np.ndarray) -> None:
    """u += decay * params, in place (torch.optim's weight_decay)."""
    np.multiply(params, decay, out=scratch)
    u += scratch


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
        # torch applies no dampening where momentum is 0: there the buffer is just the gradient.
        momentum, dampening = self.hp["momentum"], self.hp["dampening"]
        self.keep = 1.0 - np.where(np.asarray(momentum) == 0, 0.0, dampening) if self.on["dampening"] else 1.0

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {"_tmp": np.empty_like(params)}
        if self.on["momentum"]:
            key = "momentum_buffer" if self.convention == "pytorch" else "velocity"
            state[key] = np.zeros_like(params)
        return state

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        hp, tmp, lr = self.hp, state["_tmp"], ctx.lr
        if self.on["weight_decay"]:
            _add_coupled_decay(u, params, hp["weight_decay"], tmp)
        momentum = hp["momentum"]
        if not self.on["momentum"]:
            u *= lr
            return u
        keep = self.keep
        if self.convention == "pytorch":
            buffer = state["momentum_buffer"]
            if ctx.step == 1:
                np.copyto(buffer, u)
            else:
                buffer *= momentum
                if self.on["dampening"]:
                    np.multiply(u, keep, out=tmp)
                    buffer += tmp
                else:
                    buffer += u
            if self.hyperparameters["nesterov"]:
                np.multiply(buffer, momentum, out=tmp)
                u += tmp
                u *= lr
            else:
                np.multiply(buffer, lr, out=u)
            return u
        velocity = state["velocity"]
        velocity *= momentum
        np.multiply(u, lr * keep if self.on["dampening"] else lr, out=tmp)
        velocity += tmp
        if self.hyperparameters["nesterov"]:
            # Nesterov's look-ahead gradient, rewritten at the current point (Bengio et al., 2013).
            u *= lr
            np.multiply(velocity, momentum, out=tmp)
            u += tmp
        else:
            np.copyto(u, velocity)
        return u

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

    def init(self, params: np.ndarray) -> dict[str, Any]:
        initial = np.broadcast_to(self.hp["initial_accumulator_value"], params.shape)
        return {"sum_of_squares": np.array(initial, dtype=params.dtype), "_tmp": np.empty_like(params)}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        hp, tmp = self.hp, state["_tmp"]
        if self.on["weight_decay"]:
            _add_coupled_decay(u, params, hp["weight_decay"], tmp)
        lr = ctx.lr / (1 + (ctx.step - 1) * hp["lr_decay"]) if self.on["lr_decay"] else ctx.lr
        accumulator = state["sum_of_squares"]
        np.multiply(u, u, out=tmp)
        accumulator += tmp
        if self.convention == "pytorch":
            np.sqrt(accumulator, out=tmp)
            tmp += hp["eps"]
        else:
            np.add(accumulator, hp["eps"], out=tmp)
            np.sqrt(tmp, out=tmp)
        u /= tmp
        u *= lr
        return u

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

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {"square_avg": np.zeros_like(params), "_tmp": np.empty_like(params)}
        if self.hyperparameters["centered"]:
            state["grad_avg"] = np.zeros_like(params)
            state["_tmp2"] = np.empty_like(params)
        if self.on["momentum"]:
            state["momentum_buffer" if self.convention == "pytorch" else "velocity"] = np.zeros_like(params)
        return state

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        hp, tmp = self.hp, state["_tmp"]
        if self.on["weight_decay"]:
            _add_coupled_decay(u, params, hp["weight_decay"], tmp)
        alpha = hp["alpha"]
        square_avg = state["square_avg"]
        square_avg *= alpha
        np.multiply(u, u, out=tmp)
        tmp *= 1 - alpha
        square_avg += tmp
        if self.hyperparameters["centered"]:
            grad_avg, tmp2 = state["grad_avg"], state["_tmp2"]
            np.subtract(u, grad_avg, out=tmp2)
            tmp2 *= 1 - alpha
            grad_avg += tmp2
            np.multiply(grad_avg, grad_avg, out=tmp2)
            np.subtract(square_avg, tmp2, out=tmp)
        else:
            np.copyto(tmp, square_avg)
        if self.convention == "pytorch":
            np.sqrt(tmp, out=tmp)
            tmp += hp["eps"]
        else:
            tmp += hp["eps"]
            np.sqrt(tmp, out=tmp)
        momentum = hp["momentum"]
        if self.on["momentum"]:
            buffer = state["momentum_buffer" if self.convention == "pytorch" else "velocity"]
            buffer *= momentum
            u /= tmp
            if self.convention == "textbook":
                u *= ctx.lr
            buffer += u
            np.copyto(u, buffer)
            if self.convention == "pytorch":
                u *= ctx.lr
            return u
        u /= tmp
        u *= ctx.lr
        return u

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

    def init(self, params: np.ndarray) -> dict[str, Any]:
        state: dict[str, Any] = {
            "exp_avg": np.zeros_like(params),
            "exp_avg_sq": np.zeros_like(params),
            "_tmp": np.empty_like(params),
        }
        if self.hyperparameters["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(params)
        return state

    def derive(self) -> None:
        self.keep1 = 1 - self.hp["beta1"]
        self.keep2 = 1 - self.hp["beta2"]
        self.scalar_betas = not any(isinstance(self.hp[name], np.ndarray) for name in ("beta1", "beta2"))
        # plain attributes: the update reads them at every step
        self.beta1, self.beta2, self.eps = self.hp["beta1"], self.hp["beta2"], self.hp["eps"]
        self.decayed, self.amsgrad = self.on["weight_decay"], self.hyperparameters["amsgrad"]
        self.corrected, self.torch_form = self.hyperparameters["bias_correction"], self.convention == "pytorch"

    def _bias_corrections(self, state: dict, step: int) -> tuple[Any, Any]:
        """1 - beta1^t and 1 - beta2^t. For a batch of betas the powers are kept as running products:
        a power per run and step costs more than the whole rest of Adam's update."""
        if not self.hyperparameters["bias_correction"]:
            return 1.0, 1.0
        if self.scalar_betas:
            return 1 - self.hp["beta1"] ** step, 1 - self.hp["beta2"] ** step
        corrections = []
        for name in ("beta1", "beta2"):
            beta = self.hp[name]
            if isinstance(beta, np.ndarray):
                power = state.setdefault(f"_{name}_power", np.ones_like(beta))
                power *= beta
                corrections.append(1 - power)
            else:
                corrections.append(1 - beta**step)
        return corrections[0], corrections[1]

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        hp, tmp = self.hp, state["_tmp"]
        if self.decayed:
            _add_coupled_decay(u, params, hp["weight_decay"], tmp)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # m <- lerp(m, g, 1 - beta1), as torch writes it.
        np.subtract(u, exp_avg, out=tmp)
        tmp *= self.keep1
        exp_avg += tmp
        exp_avg_sq *= self.beta2
        np.multiply(u, u, out=tmp)
        tmp *= self.keep2
        exp_avg_sq += tmp
        second = exp_avg_sq
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second = state["max_exp_avg_sq"]
        corrected = self.corrected
        if self.scalar_betas and corrected:  # the common case, without the general path's Python overhead
            bias_correction1 = 1 - self.beta1 ** ctx.step
            bias_correction2 = 1 - self.beta2 ** ctx.step
        else:
            bias_correction1, bias_correction2 = self._bias_corrections(state, ctx.step)
        if self.torch_form:
            # torch: lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps). Multiplying through by sqrt(bc2) saves one pass
            # over memory and changes only the last bit: lr*sqrt(bc2)/bc1 * m / (sqrt(v) + eps*sqrt(bc2)).
            np.sqrt(second, out=tmp)
            root = math.sqrt(bias_correction2) if self.scalar_betas else np.sqrt(bias_correction2)
            tmp += self.eps * root if corrected else self.eps
            np.divide(exp_avg, tmp, out=u)
            u *= ctx.lr * root / bias_correction1 if corrected else ctx.lr
            return u
        # d2l: m_hat = m / (1 - beta1^t), s_hat = s / (1 - beta2^t), step = eta * m_hat / (sqrt(s_hat) + eps)
        np.divide(second, bias_correction2, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += hp["eps"]
        np.divide(exp_avg, bias_correction1, out=u)
        u /= tmp
        u *= ctx.lr
        return u

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
