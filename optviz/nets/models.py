"""An MLP builder: depth, width, activation, initialization, BatchNorm or LayerNorm, dropout, residual blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

torch.set_num_threads(1)  # see optviz/nets/__init__.py

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
INITS = ("uniform", "normal", "lecun", "xavier", "he")
NORMS = ("none", "batch", "layer")
CNN_NORMS = ("batch", "layer", "instance", "group", "none")


def _image_norm(kind: str, channels: int) -> nn.Module:
    """A normalization of (N, C, H, W) activations: over the batch (BatchNorm), the whole sample (layer), each
    channel of each sample (instance), or groups of channels."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    if kind == "instance":
        return nn.GroupNorm(channels, channels)
    if kind == "group":
        groups = 2 if channels % 2 == 0 else 1
        return nn.GroupNorm(groups, channels)
    return nn.Identity()


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

    def weight_layers(self) -> list[nn.Module]:
        """The layers whose weights the gradient-norm view follows."""
        return self.linear_layers()


@dataclass(frozen=True)
class CNNSpec:
    """A small CNN for 8x8 images: conv → BatchNorm → ReLU (+ an optional residual block) → pool → linear."""

    outputs: int = 10
    channels: int = 8
    residual: bool = False
    init: str = "he"
    norm: str = "batch"  # batch, layer (GroupNorm with 1 group), instance (one group per channel), group, none

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not 1 <= self.channels <= 64:
            raise ValueError(f"channels = {self.channels} is out of range: allowed [1, 64]")
        if self.norm not in CNN_NORMS:
            raise ValueError(f"norm = {self.norm!r} is not known: allowed {', '.join(CNN_NORMS)}")
        if self.init not in INITS:
            raise ValueError(f"init = {self.init!r} is not known: allowed {', '.join(INITS)}")


class CNN(nn.Module):
    """Inputs of 64 pixels, seen as one 8x8 channel."""

    def __init__(self, spec: CNNSpec) -> None:
        super().__init__()
        width = spec.channels
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), _image_norm(spec.norm, width), nn.ReLU())
        self.residual = None
        if spec.residual:
            self.residual = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), _image_norm(spec.norm, width),
                                          nn.ReLU(), nn.Conv2d(width, width, 3, padding=1),
                                          _image_norm(spec.norm, width))
        self.pool = nn.MaxPool2d(2)
        self.output = nn.Linear(width * 16, spec.outputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        features = self.stem(inputs.reshape(-1, 1, 8, 8))
        if self.residual is not None:
            features = torch.relu(features + self.residual(features))
        return self.output(self.pool(features).flatten(1))

    def weight_layers(self) -> list[nn.Module]:
        """The convolutions and the output layer, input to output."""
        return [layer for layer in self.modules() if isinstance(layer, (nn.Conv2d, nn.Linear))]


def initialize(model: nn.Module, scheme: str, generator: torch.Generator) -> None:
    """Weights by `scheme`, biases zero: uniform(−0.5, 0.5) as TensorFlow Playground, N(0, 1), N(0, 1/n) (LeCun),
    Xavier/Glorot N(0, 2/(n_in + n_out)), He/Kaiming N(0, 2/n_in); n counts every input of a unit (a conv
    kernel's too)."""
    for layer in model.weight_layers():
        receptive = layer.weight[0, 0].numel() if layer.weight.dim() > 2 else 1
        fan_out, fan_in = layer.weight.shape[0] * receptive, layer.weight.shape[1] * receptive
        with torch.no_grad():
            if scheme == "uniform":
                layer.weight.uniform_(-0.5, 0.5, generator=generator)
            else:
                std = {"normal": 1.0, "lecun": math.sqrt(1 / fan_in), "xavier": math.sqrt(2 / (fan_in + fan_out)),
                       "he": math.sqrt(2 / fan_in)}[scheme]
                layer.weight.normal_(0.0, std, generator=generator)
            layer.bias.zero_()


RNN_CELLS = ("tanh", "relu", "lstm")


@dataclass(frozen=True)
class RNNSpec:
    """A one-layer recurrent network over sequences of numbers (N, length), classifying from its last state.

    `cell`: a vanilla RNN with tanh or ReLU, or an LSTM. Weights uniform(−1/√hidden, 1/√hidden) as torch's
    default, but the LSTM's forget-gate bias is `forget_bias`; `recurrent_gain`, when set, makes the vanilla
    RNN's recurrent matrix gain · I (Le et al. 2015: a ReLU RNN whose state, and gradient, grows like
    gain^length when gain > 1)."""

    cell: str = "tanh"
    hidden: int = 16
    recurrent_gain: float | None = None
    outputs: int = 2
    forget_bias: float = 3.0  # LSTM: σ(3) ≈ 0.95 (Jozefowicz et al. 2015 use 1; larger remembers longer)

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if self.cell not in RNN_CELLS:
            raise ValueError(f"cell = {self.cell!r} is not known: allowed {', '.join(RNN_CELLS)}")
        if not 1 <= self.hidden <= 256:
            raise ValueError(f"hidden = {self.hidden} is out of range: allowed [1, 256]")
        if self.recurrent_gain is not None and (self.cell == "lstm" or not 0 < self.recurrent_gain <= 3):
            raise ValueError("recurrent_gain is for the vanilla RNN, in (0, 3]")


class Recurrent(nn.Module):
    """nn.RNN or nn.LSTM over (N, length) inputs, then a linear layer on the last hidden state."""

    def __init__(self, spec: RNNSpec) -> None:
        super().__init__()
        if spec.cell == "lstm":
            self.cell = nn.LSTM(1, spec.hidden, batch_first=True)
        else:
            self.cell = nn.RNN(1, spec.hidden, nonlinearity=spec.cell, batch_first=True)
        self.output = nn.Linear(spec.hidden, spec.outputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        states, _ = self.cell(inputs.unsqueeze(-1))
        return self.output(states[:, -1])

    def weight_layers(self) -> list[nn.Module]:
        """The output layer (the recurrent weights have no single `.weight`)."""
        return [self.output]


def _initialize_recurrent(model: Recurrent, spec: RNNSpec, generator: torch.Generator) -> None:
    bound = 1 / math.sqrt(spec.hidden)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.uniform_(-bound, bound, generator=generator)
        if spec.recurrent_gain is not None:
            recurrent = model.cell.weight_hh_l0
            recurrent.copy_(spec.recurrent_gain * torch.eye(spec.hidden, dtype=recurrent.dtype))
        if spec.cell == "lstm":  # the forget gate starts at σ(forget_bias): remember by default
            model.cell.bias_ih_l0[spec.hidden:2 * spec.hidden] = spec.forget_bias
            model.cell.bias_hh_l0[spec.hidden:2 * spec.hidden] = 0.0


@dataclass(frozen=True)
class AttentionSpec:
    """One head of scaled dot-product attention over a sequence of numbers (N, length), read by a learned query.

    Each number xₜ becomes a vector eₜ = xₜu + c + pₜ (u, c learned; pₜ a learned embedding of position t, for
    sequences up to `max_length`); keys kₜ = W_K eₜ and values vₜ = W_V eₜ; the weights aₜ = softmax(q·kₜ/√d) over
    the positions; the context Σ aₜvₜ goes through a linear output layer. Nothing is squeezed through a recurrent
    state: the query can reach any position in one step."""

    dim: int = 16
    max_length: int = 100
    outputs: int = 2

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not 1 <= self.dim <= 256:
            raise ValueError(f"dim = {self.dim} is out of range: allowed [1, 256]")
        if not 1 <= self.max_length <= 1000:
            raise ValueError(f"max_length = {self.max_length} is out of range: allowed [1, 1000]")


class Attention(nn.Module):
    """The network of AttentionSpec: embedding, keys, values, the learned query, softmax weights, output layer."""

    def __init__(self, spec: AttentionSpec) -> None:
        super().__init__()
        self.embed = nn.Linear(1, spec.dim)
        self.position = nn.Parameter(torch.zeros(spec.max_length, spec.dim))
        self.key = nn.Linear(spec.dim, spec.dim, bias=False)
        self.value = nn.Linear(spec.dim, spec.dim, bias=False)
        self.query = nn.Parameter(torch.zeros(spec.dim))
        self.output = nn.Linear(spec.dim, spec.outputs)

    def embeddings(self, inputs: torch.Tensor) -> torch.Tensor:
        """(N, length, dim): eₜ = xₜu + c + pₜ."""
        length = inputs.shape[1]
        if length > self.position.shape[0]:
            raise ValueError(f"sequences of length {length} are longer than max_length = {self.position.shape[0]}")
        return self.embed(inputs.unsqueeze(-1)) + self.position[:length]

    def weights(self, inputs: torch.Tensor) -> torch.Tensor:
        """(N, length): the attention weights softmax(q·kₜ/√d) of each sequence (each row sums to 1)."""
        keys = self.key(self.embeddings(inputs))
        return torch.softmax(keys @ self.query / math.sqrt(self.query.shape[0]), dim=1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        embedded = self.embeddings(inputs)
        weights = torch.softmax(self.key(embedded) @ self.query / math.sqrt(self.query.shape[0]), dim=1)
        return self.output((weights.unsqueeze(-1) * self.value(embedded)).sum(dim=1))

    def weight_layers(self) -> list[nn.Module]:
        """The embedding, key, value and output layers, input to output."""
        return [self.embed, self.key, self.value, self.output]


def _initialize_attention(model: Attention, generator: torch.Generator) -> None:
    """Linear layers uniform(−1/√n_in, 1/√n_in) as torch's default, positions and the query N(0, 1)."""
    with torch.no_grad():
        for layer in model.weight_layers():
            bound = 1 / math.sqrt(layer.weight.shape[1])
            layer.weight.uniform_(-bound, bound, generator=generator)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound, generator=generator)
        model.position.normal_(0.0, 1.0, generator=generator)
        model.query.normal_(0.0, 1.0, generator=generator)


def build(spec: MLPSpec | CNNSpec | RNNSpec | AttentionSpec, seed: int = 0,
          dtype: torch.dtype = torch.float32) -> nn.Module:
    """The network of `spec` with its weights drawn from `seed` (the same seed gives the same network)."""
    spec.check()
    generator = torch.Generator().manual_seed(seed)
    if isinstance(spec, AttentionSpec):
        model = Attention(spec).to(dtype)
        _initialize_attention(model, generator)
        return model
    if isinstance(spec, RNNSpec):
        model = Recurrent(spec).to(dtype)
        _initialize_recurrent(model, spec, generator)
        return model
    model = (CNN(spec) if isinstance(spec, CNNSpec) else MLP(spec)).to(dtype)
    initialize(model, spec.init, generator)
    return model
