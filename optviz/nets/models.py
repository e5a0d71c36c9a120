"""An MLP builder: depth, width, activation, initialization, BatchNorm or LayerNorm, dropout, residual blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
INITS = ("uniform", "normal", "lecun", "xavier", "he")
NORMS = ("none", "batch", "layer")


@dataclass(frozen=True)
class MLPSpec:
    """What the network is: hidden widths (1-6 layers of 1-64), activation, init, normalization, dropout, residual."""

    inputs: int
    outputs: int
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    init: str = "xavier"
    norm: str = "none"
    dropout: float = 0.0
    residual: bool = False

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not 1 <= len(self.hidden) <= 30 or any(not 1 <= width <= 256 for width in self.hidden):
            raise ValueError(f"hidden = {self.hidden} is out of range: 1-30 layers of 1-256 units")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation = {self.activation!r} is not known: allowed {', '.join(ACTIVATIONS)}")
        if self.init not in INITS:
            raise ValueError(f"init = {self.init!r} is not known: allowed {', '.join(INITS)}")
        if self.norm not in NORMS:
            raise ValueError(f"norm = {self.norm!r} is not known: allowed {', '.join(NORMS)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout = {self.dropout} is out of range: allowed [0, 1)")


class Block(nn.Module):
    """Linear → norm → activation → dropout, with the input added back when `residual` and widths agree."""

    def __init__(self, width_in: int, width_out: int, spec: MLPSpec) -> None:
        super().__init__()
        self.linear = nn.Linear(width_in, width_out)
        self.norm = {"none": nn.Identity, "batch": lambda: nn.BatchNorm1d(width_out),
                     "layer": lambda: nn.LayerNorm(width_out)}[spec.norm]()
        self.activation = ACTIVATIONS[spec.activation]()
        self.dropout = nn.Dropout(spec.dropout) if spec.dropout > 0 else nn.Identity()
        self.residual = spec.residual and width_in == width_out

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        outputs = self.dropout(self.activation(self.norm(self.linear(inputs))))
        return inputs + outputs if self.residual else outputs


class MLP(nn.Module):
    """Blocks of the hidden layers, then a linear output layer."""

    def __init__(self, spec: MLPSpec) -> None:
        super().__init__()
        widths = [spec.inputs, *spec.hidden]
        self.blocks = nn.ModuleList(Block(widths[index], widths[index + 1], spec) for index in range(len(spec.hidden)))
        self.output = nn.Linear(widths[-1], spec.outputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            inputs = block(inputs)
        return self.output(inputs)

    def linear_layers(self) -> list[nn.Linear]:
        """The weight layers, input to output (for per-layer gradient norms)."""
        return [block.linear for block in self.blocks] + [self.output]


def initialize(model: MLP, scheme: str, generator: torch.Generator) -> None:
    """Weights by `scheme`, biases zero: uniform(−0.5, 0.5) as TensorFlow Playground, N(0, 1), N(0, 1/n) (LeCun),
    Xavier/Glorot N(0, 2/(n_in + n_out)), He/Kaiming N(0, 2/n_in)."""
    for layer in model.linear_layers():
        fan_out, fan_in = layer.weight.shape
        with torch.no_grad():
            if scheme == "uniform":
                layer.weight.uniform_(-0.5, 0.5, generator=generator)
            else:
                std = {"normal": 1.0, "lecun": math.sqrt(1 / fan_in), "xavier": math.sqrt(2 / (fan_in + fan_out)),
                       "he": math.sqrt(2 / fan_in)}[scheme]
                layer.weight.normal_(0.0, std, generator=generator)
            layer.bias.zero_()


def build(spec: MLPSpec, seed: int = 0, dtype: torch.dtype = torch.float32) -> MLP:
    """The network of `spec` with its weights drawn from `seed` (the same seed gives the same network)."""
    spec.check()
    model = MLP(spec).to(dtype)
    initialize(model, spec.init, torch.Generator().manual_seed(seed))
    return model
