"""The loss landscape of a real network (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets").

A network's parameters are one flat vector θ (in the order of ``model.parameters()``, as the training loop's flat
views). Everything here looks at the training loss L(θ) along lines and planes of that vector space:

- ``interpolation``: L((1 − α)θ₀ + αθ₁), the straight line from the initial to the final weights (Goodfellow et
  al. 2015), a little past both ends;
- ``filter_normalized_direction``: a Gaussian direction whose every filter (a row of a Linear weight, an output
  channel of a convolution) is scaled to the norm of the same filter of the weights; biases and normalization
  parameters (every one-dimensional parameter) get no component (Li et al.'s ``ignore='biasbn'``);
- ``plane_losses``: L(θ_c + a·d₁ + b·d₂) over a grid, evaluated many parameter vectors at a time with
  ``torch.func.functional_call`` under ``torch.vmap``;
- ``pca_plane``: the plane through the common starting point that best fits several trajectories (their principal
  directions), with the variance each direction explains;
- ``top_hessian_eigenvalue``: the sharpness at a point, by power iteration on Hessian-vector products.

Losses are evaluated with the network in eval mode (dropout off) and with BatchNorm normalizing by the statistics
of the whole training set at each θ (no running averages: they belong to one path, not to a point), so that L is a
function of θ alone, the same for every optimizer's path. At a trained point this differs a little from the eval
loss of the training curves, which uses the running averages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from .train import parameter_vector, train

torch.set_num_threads(1)  # see optviz/nets/__init__.py

# vmap pays off while one evaluation is small (its cost is Python and dispatch overhead): 5x faster than a loop
# for a 2-8-8-2 MLP on 240 points. For larger work per evaluation (a 2-64-64-64-2 MLP on 1 200 points) the
# batched products ran slower than a loop (1.0 vs 0.8 ms per point with BatchNorm, 0.45 vs 0.48 without), and
# slower still with big chunks (cache). So: vmap in chunks of about CHUNK_ELEMENTS activations while one
# evaluation's largest activation is under SMALL_EVALUATION elements; otherwise one forward pass per point.
CHUNK_ELEMENTS = 2 ** 18
SMALL_EVALUATION = 2 ** 15


def _layout(model: nn.Module) -> list[tuple[str, torch.Size, int, int]]:
    """(name, shape, offset, count) of every parameter in the flat vector."""
    layout, offset = [], 0
    for name, parameter in model.named_parameters():
        layout.append((name, parameter.shape, offset, parameter.numel()))
        offset += parameter.numel()
    return layout


def filter_normalized_direction(model: nn.Module, generator: torch.Generator) -> np.ndarray:
    """A random direction (float64, flat) with each filter's norm equal to that filter's norm in `model`.

    A filter is a slice along a parameter's first axis: one output unit's incoming weights in a Linear layer, one
    output channel of a convolution. One-dimensional parameters (biases, BatchNorm/LayerNorm scales and shifts) are
    left out: their component is zero.
    """
    parts = []
    for parameter in model.parameters():
        weights = parameter.detach().to(torch.float64)
        if weights.dim() <= 1:
            parts.append(torch.zeros(weights.numel(), dtype=torch.float64))
            continue
        direction = torch.randn(weights.shape, generator=generator, dtype=torch.float64)
        filter_norms = weights.reshape(weights.shape[0], -1).norm(dim=1)
        direction_norms = direction.reshape(weights.shape[0], -1).norm(dim=1)
        scale = filter_norms / direction_norms.clamp_min(1e-300)
        parts.append((direction * scale.reshape(-1, *([1] * (weights.dim() - 1)))).reshape(-1))
    return torch.cat(parts).numpy()


def filter_norms(model: nn.Module, vector: np.ndarray) -> list[np.ndarray]:
    """Per parameter of `model`, the norm of each filter of `vector` (a flat vector in the model's layout)."""
    flat = torch.as_tensor(vector, dtype=torch.float64)
    return [flat[offset:offset + count].reshape(shape[0] if len(shape) else 1, -1).norm(dim=1).numpy()
            for _, shape, offset, count in _layout(model)]


class LossFunction:
    """L(θ) of a network on fixed data, for many flat parameter vectors at once.

    `loss(outputs, targets)` is the training loss (optviz.nets.train.loss_function). The network is copied, put in
    eval mode, converted to `dtype`, and its BatchNorm layers lose their running statistics (they normalize by the
    statistics of the inputs at hand: the whole training set).
    """

    def __init__(self, model: nn.Module, inputs: np.ndarray, targets: np.ndarray,
                 loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], classification: bool,
                 dtype: torch.dtype = torch.float32) -> None:
        self.model = copy.deepcopy(model).to(dtype).eval()
        torch.func.replace_all_batch_norm_modules_(self.model)
        for parameter in self.model.parameters():
            parameter.requires_grad_(False)
        self.dtype = dtype
        self.inputs = torch.as_tensor(np.asarray(inputs), dtype=dtype)
        self.targets = torch.as_tensor(np.asarray(targets), dtype=torch.int64 if classification else dtype)
        self.loss = loss
        self.layout = _layout(self.model)
        self.size = sum(count for *_, count in self.layout)
        self.buffers = {name: buffer for name, buffer in self.model.named_buffers()}
        # vmap turns a batch of convolutions into one grouped convolution, which on the CPU was slower than one
        # call per vector (CNN on 600 digits: 2.4 ms per vector in a loop, 3.4-14 ms under vmap).
        convolutional = any(isinstance(module, nn.modules.conv._ConvNd) for module in self.model.modules())
        per_vector = self._activation_size()
        self.vectorize = not convolutional and per_vector < SMALL_EVALUATION
        self.chunk = int(max(1, min(1024, CHUNK_ELEMENTS // per_vector))) if self.vectorize else 1

    def _activation_size(self) -> int:
        """The elements of the largest activation of one evaluation (all inputs)."""
        sample = self.inputs[:4]  # more than one: BatchNorm with batch statistics needs two
        largest = [sample.numel()]
        hooks = [module.register_forward_hook(lambda _m, _i, output: largest.append(output.numel()))
                 for module in self.model.modules() if not list(module.children())]
        try:
            with torch.no_grad():
                self.model(sample)
        except (RuntimeError, ValueError):  # too few inputs for the network: evaluating will say so
            return SMALL_EVALUATION
        finally:
            for hook in hooks:
                hook.remove()
        return max(1, max(largest) // max(len(sample), 1) * max(len(self.inputs), 1))

    def parameters(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        """The parameter dictionary of one flat vector (views, no copy)."""
        return {name: flat[offset:offset + count].view(shape) for name, shape, offset, count in self.layout}

    def _one(self, flat: torch.Tensor) -> torch.Tensor:
        outputs = functional_call(self.model, (self.parameters(flat), self.buffers), (self.inputs,))
        return self.loss(outputs, self.targets)

    def __call__(self, vectors: np.ndarray, progress: Callable[[float], None] | None = None) -> np.ndarray:
        """The loss at each row of `vectors` (K, P) as float64 (K,); NaN where the network's output is not finite."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        if vectors.shape[1] != self.size:
            raise ValueError(f"a parameter vector has {self.size} numbers, not {vectors.shape[1]}")
        batched = torch.vmap(self._one) if self.vectorize else (lambda chunk: self._one(chunk[0])[None])
        losses = np.empty(len(vectors))
        with torch.no_grad():
            for begin in range(0, len(vectors), self.chunk):
                chunk = torch.as_tensor(vectors[begin:begin + self.chunk], dtype=self.dtype)
                losses[begin:begin + len(chunk)] = batched(chunk).to(torch.float64).numpy()
                if progress is not None:
                    progress(min(1.0, (begin + len(chunk)) / len(vectors)))
        return np.where(np.isfinite(losses), losses, np.nan)


def interpolation(loss: LossFunction, start: np.ndarray, end: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """L((1 − α)·start + α·end) for each α."""
    alphas = np.asarray(alphas, dtype=np.float64)
    return loss(start[None, :] + alphas[:, None] * (end - start)[None, :])


def plane_losses(loss: LossFunction, center: np.ndarray, first: np.ndarray, second: np.ndarray, a: np.ndarray,
                 b: np.ndarray, progress: Callable[[float], None] | None = None) -> np.ndarray:
    """L(center + a_j·first + b_i·second) as a (len(b), len(a)) grid (rows follow b, as a contour's z).

    The parameter vectors are made a block at a time (all of them at once would be 120 MB for a 41 x 41 grid of a
    9 000-weight network, and slower to write than to evaluate)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    grid_b, grid_a = np.meshgrid(b, a, indexing="ij")
    grid_a, grid_b = grid_a.reshape(-1), grid_b.reshape(-1)
    losses = np.empty(len(grid_a))
    block = max(loss.chunk, 32)
    for begin in range(0, len(grid_a), block):
        end = min(begin + block, len(grid_a))
        vectors = center[None, :] + grid_a[begin:end, None] * first[None, :] + grid_b[begin:end, None] * second[None, :]
        losses[begin:end] = loss(vectors)
        if progress is not None:
            progress(end / len(grid_a))
    return losses.reshape(len(b), len(a))


@dataclass(frozen=True)
class Plane:
    """A plane through `anchor` spanned by two orthonormal `directions` (2, P), and points projected onto it."""

    anchor: np.ndarray
    directions: np.ndarray
    explained: np.ndarray  # the fraction of the points' squared distance from the anchor along each direction
    coordinates: np.ndarray  # (M, 2): the points' coordinates in the plane

    def point(self, a: float, b: float) -> np.ndarray:
        """The parameter vector at plane coordinates (a, b)."""
        return self.anchor + a * self.directions[0] + b * self.directions[1]


def pca_plane(points: np.ndarray, anchor: np.ndarray) -> Plane:
    """The plane through `anchor` closest (least squares) to `points` (M, P): the top two principal directions of
    the displacements points − anchor (not re-centred on their mean: the plane keeps the common start).

    Computed from the M × M Gram matrix, since M (points on the paths) is far smaller than P (parameters).
    """
    points = np.asarray(points, dtype=np.float64)
    displacements = points - anchor[None, :]
    gram = displacements @ displacements.T
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    total = float(values.sum())
    directions = np.zeros((2, points.shape[1]))
    for index in range(min(2, len(values))):
        if values[index] > total * 1e-12:  # below that, the eigenvector of the Gram matrix is rounding noise
            direction = displacements.T @ vectors[:, index]
            if index == 1:
                direction -= directions[0] * (directions[0] @ direction)
            directions[index] = direction / np.linalg.norm(direction)
    if not np.any(directions[1]):  # fewer than two independent displacements: complete with any orthogonal one
        basis = np.random.default_rng(0).standard_normal(points.shape[1])
        if np.any(directions[0]):
            basis -= directions[0] * (directions[0] @ basis)
        directions[1] = basis / np.linalg.norm(basis)
        if not np.any(directions[0]):
            other = np.random.default_rng(1).standard_normal(points.shape[1])
            other -= directions[1] * (directions[1] @ other)
            directions[0] = other / np.linalg.norm(other)
    explained = values[:2] / total if total > 0 else np.zeros(2)
    explained = np.pad(explained, (0, 2 - len(explained)))
    return Plane(anchor.copy(), directions, explained, displacements @ directions.T)


@dataclass(frozen=True)
class Sharpness:
    """The Hessian's eigenvalue of largest magnitude at a point, and how power iteration reached it."""

    value: float
    iterations: int
    converged: bool
    estimates: list[float]


def hessian_vector_product(loss: LossFunction, point: np.ndarray) -> Callable[[torch.Tensor], torch.Tensor]:
    """v ↦ ∇²L(point)·v, by differentiating ∇L·v once more (double backward), in the loss function's dtype."""
    flat = torch.as_tensor(point, dtype=loss.dtype).clone().requires_grad_(True)
    value = loss._one(flat)
    (gradient,) = torch.autograd.grad(value, flat, create_graph=True)

    def product(vector: torch.Tensor) -> torch.Tensor:
        (result,) = torch.autograd.grad(gradient, flat, grad_outputs=vector, retain_graph=True)
        return result.detach()

    return product


def top_hessian_eigenvalue(loss: LossFunction, point: np.ndarray, iterations: int = 100, tolerance: float = 1e-4,
                           seed: int = 0) -> Sharpness:
    """Power iteration v ← Hv/‖Hv‖ from a seeded random v; the estimate is the Rayleigh quotient vᵀHv.

    Stops when two estimates agree to `tolerance` (relative) or after `iterations` products.
    """
    product = hessian_vector_product(loss, point)
    generator = torch.Generator().manual_seed(seed)
    vector = torch.randn(loss.size, generator=generator, dtype=torch.float64).to(loss.dtype)
    vector /= vector.norm()
    estimates: list[float] = []
    for count in range(1, iterations + 1):
        image = product(vector)
        estimate = float(vector.to(torch.float64) @ image.to(torch.float64))
        estimates.append(estimate)
        norm = image.norm()
        if not torch.isfinite(norm) or norm == 0:
            return Sharpness(estimate if np.isfinite(estimate) else float("nan"), count, False, estimates)
        vector = image / norm
        if count > 1 and abs(estimates[-1] - estimates[-2]) <= tolerance * max(abs(estimates[-1]), 1e-12):
            return Sharpness(estimate, count, True, estimates)
    return Sharpness(estimates[-1], iterations, False, estimates)


@dataclass
class Path:
    """One optimizer's training, as the landscape views need it (plain arrays only).

    `points` are the flat parameters at `epochs` (at most a few dozen, evenly spread, the first and last included);
    `final` is where training ended (float64)."""

    epochs: np.ndarray
    points: np.ndarray
    final: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    test_loss: float
    test_acc: float
    diverged_at: int | None


def trace(data, spec, lane, config, initial: nn.Module, points: int = 61,
          on_epoch: Callable[[int, object], bool] | None = None) -> Path:
    """Train `lane` from `initial` (optviz.nets.train.train) and keep its path through parameter space."""
    history = train(data, spec, lane, config, initial=initial, on_epoch=on_epoch, trajectory=True)
    trajectory = history.trajectory
    chosen = np.unique(np.linspace(0, len(trajectory) - 1, min(points, len(trajectory))).round().astype(int))
    return Path(chosen, np.stack([trajectory[index] for index in chosen]).astype(np.float32),
                parameter_vector(history.model), np.asarray(history.train_loss), np.asarray(history.val_loss),
                history.test_loss, history.test_acc, history.diverged_at)
