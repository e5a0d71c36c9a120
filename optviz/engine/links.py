"""Training tricks as links of a pipeline: clipping, L1/L2, decoupled weight decay, gradient noise.

Norms are per run: for params of shape (d, *B) the norm is taken over the coordinate axis 0 only, so that one
run's blow-up never clips another run of the same batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import GRADIENT, STEP, Link, StepContext
from .spec import INT, Spec


class ClipByGlobalNorm(Link):
    """Rescale the gradient so that its norm is at most c (torch.nn.utils.clip_grad_norm_, its 1e-6 included)."""

    name = "clip_norm"
    stage = GRADIENT
    specs = {
        "max_norm": Spec(
            "max_norm", "max gradient norm", "梯度范数上限", "c", 1.0, low=0.0, low_inclusive=False,
            ui_low=0.01, ui_high=100.0, log=True,
            help_en="If ‖g‖ > c, the gradient is scaled down to norm c; its direction is kept.",
            help_zh="若 ‖g‖ > c，把梯度缩放到范数为 c，方向不变。",
        )
    }

    def init(self, params: np.ndarray) -> dict[str, Any]:
        return {"_tmp": np.empty_like(params)}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        np.multiply(u, u, out=state["_tmp"])
        norm = np.sqrt(state["_tmp"].sum(axis=0))
        u *= np.minimum(self.hyperparameters["max_norm"] / (norm + 1e-6), 1.0)
        return u

    def latex_lines(self) -> list[str]:
        return [r"g_t \leftarrow g_t \cdot \min\!\left(1, \frac{ {{max_norm}} }{\lVert g_t \rVert + 10^{-6}}\right)"]


class ClipByValue(Link):
    """Clamp every gradient coordinate to [-c, c] (torch.nn.utils.clip_grad_value_)."""

    name = "clip_value"
    stage = GRADIENT
    specs = {
        "clip_value": Spec(
            "clip_value", "max gradient value", "梯度取值上限", "c", 1.0, low=0.0, low_inclusive=False,
            ui_low=0.01, ui_high=100.0, log=True,
            help_en="Each coordinate of the gradient is clamped to [−c, c]; this can change its direction.",
            help_zh="梯度的每个分量截断到 [−c, c]；这可能改变梯度方向。",
        )
    }

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        limit = self.hyperparameters["clip_value"]
        np.clip(u, -limit, limit, out=u)
        return u

    def latex_lines(self) -> list[str]:
        return [r"g_t \leftarrow \operatorname{clip}(g_t, -{{clip_value}}, {{clip_value}})"]


class L2(Link):
    """Coupled L2 regularization: the gradient of lambda/2 * ||theta||^2 is added to the gradient."""

    name = "l2"
    stage = GRADIENT
    specs = {
        "l2": Spec(
            "l2", "L2 strength", "L2 正则强度", r"\lambda_2", 1e-3, low=0.0, ui_low=0.0, ui_high=0.1,
            help_en="Adds λ₂·θ to the gradient: the penalty λ₂/2·‖θ‖² on the loss.",
            help_zh="在梯度上加 λ₂·θ，即在损失上加惩罚 λ₂/2·‖θ‖²。",
        )
    }

    def init(self, params: np.ndarray) -> dict[str, Any]:
        return {"_tmp": np.empty_like(params)}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        np.multiply(params, self.hyperparameters["l2"], out=state["_tmp"])
        u += state["_tmp"]
        return u

    def latex_lines(self) -> list[str]:
        return [r"g_t \leftarrow g_t + {{l2}}\,\theta_{t-1}"]


class L1(Link):
    """L1 regularization: the subgradient lambda * sign(theta) of lambda * ||theta||_1 is added."""

    name = "l1"
    stage = GRADIENT
    specs = {
        "l1": Spec(
            "l1", "L1 strength", "L1 正则强度", r"\lambda_1", 1e-3, low=0.0, ui_low=0.0, ui_high=0.1,
            help_en="Adds λ₁·sign(θ) to the gradient (penalty λ₁·‖θ‖₁): pushes small weights to exactly zero.",
            help_zh="在梯度上加 λ₁·sign(θ)（惩罚 λ₁·‖θ‖₁），把小权重推向零，产生稀疏解。",
        )
    }

    def init(self, params: np.ndarray) -> dict[str, Any]:
        return {"_tmp": np.empty_like(params)}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        np.sign(params, out=state["_tmp"])
        state["_tmp"] *= self.hyperparameters["l1"]
        u += state["_tmp"]
        return u

    def latex_lines(self) -> list[str]:
        return [r"g_t \leftarrow g_t + {{l1}}\,\operatorname{sign}(\theta_{t-1})"]


class GradientNoise(Link):
    """Gaussian noise on the gradient, sigma_t = sigma / (1 + t)^gamma, to imitate mini-batch noise."""

    name = "noise"
    stage = GRADIENT
    specs = {
        "std": Spec(
            "std", "noise std", "噪声标准差", r"\sigma", 0.1, low=0.0, ui_low=0.0, ui_high=10.0,
            help_en="Standard deviation of the Gaussian noise added to each gradient coordinate.",
            help_zh="加在每个梯度分量上的高斯噪声的标准差。",
        ),
        "decay": Spec(
            "decay", "noise decay exponent", "噪声衰减指数", r"\gamma_\sigma", 0.0, low=0.0, ui_low=0.0, ui_high=1.0,
            help_en="The noise shrinks as σ/(1+t)^γ; 0.55 is the value of Neelakantan et al. (2015).",
            help_zh="噪声按 σ/(1+t)^γ 衰减；Neelakantan 等（2015）取 0.55。",
        ),
        "seed": Spec(
            "seed", "noise seed", "噪声随机种子", "s", 0, kind=INT, low=0, high=2**32 - 1, ui_low=0, ui_high=9999,
            help_en="The same seed gives the same noise, so runs can be repeated exactly.",
            help_zh="相同种子产生相同噪声，保证结果可复现。",
        ),
    }

    def init(self, params: np.ndarray) -> dict[str, Any]:
        return {"_rng": np.random.default_rng(self.hyperparameters["seed"]), "_tmp": np.empty_like(params)}

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        noise = state["_tmp"]
        if noise.dtype == np.float64:
            state["_rng"].standard_normal(out=noise)
        else:  # float32 networks: the same float64 draws as at float64, rounded (the generator fills float64 only)
            noise[...] = state["_rng"].standard_normal(noise.shape)
        scale = self.hyperparameters["std"]
        if np.any(np.asarray(self.hyperparameters["decay"]) != 0):
            scale = scale / (1.0 + ctx.step) ** self.hyperparameters["decay"]
        noise *= scale
        u += noise
        return u

    def latex_lines(self) -> list[str]:
        noise = r"\,\xi_t,\ \ \xi_t \sim \mathcal{N}(0, I)"
        if np.any(np.asarray(self.hyperparameters["decay"]) != 0):
            return [r"g_t \leftarrow g_t + \frac{ {{std}} }{(1+t)^{ {{decay}} }}" + noise]
        return [r"g_t \leftarrow g_t + {{std}}" + noise]


class DecoupledWeightDecay(Link):
    """Weight decay applied to the parameters, not the gradient: theta -= lr * lambda * theta (AdamW)."""

    name = "decoupled_wd"
    stage = STEP
    specs = {
        "weight_decay": Spec(
            "weight_decay", "decoupled weight decay", "解耦权重衰减", r"\lambda_w", 1e-2, low=0.0,
            ui_low=0.0, ui_high=0.5,
            help_en="Shrinks θ by the factor (1 − η·λ) each step, outside the adaptive rule (Loshchilov & Hutter).",
            help_zh="每步把 θ 乘以 (1 − η·λ)，不经过自适应缩放（Loshchilov 与 Hutter 提出的解耦形式）。",
        )
    }

    def derive(self) -> None:
        self.weight_decay = self.hyperparameters["weight_decay"]

    def update(self, u: np.ndarray, state: dict, params: np.ndarray, ctx: StepContext) -> np.ndarray:
        # The one link that touches θ itself: θ ← θ(1 − ηλ) before the rule's step is subtracted, exactly the
        # operation of torch.optim.AdamW (param.mul_(1 - lr * weight_decay)), one pass instead of two.
        params *= 1 - ctx.lr * self.weight_decay
        return u

    def latex_lines(self) -> list[str]:
        return [r"\theta_t \leftarrow \theta_t - {{lr}}\,{{weight_decay}}\,\theta_{t-1}"]
