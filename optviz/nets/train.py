"""Training a small network with the optviz engine (or, as the reference, with torch.optim).

The engine sees the network as one vector. Every parameter is re-seated as a view into one flat tensor, and every
gradient as a view into another, so NumPy reads the gradients autograd writes and writes the parameters autograd
reads, without a copy (``torch.Tensor.numpy()`` shares memory). Each step: zero the flat gradient, forward,
backward, ``pipeline.step(params, grads, state)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from optviz.engine import optimizer_entry, schedule_entry, trick_entry
from optviz.engine.registry import Hook
from optviz.lane import Lane

from .data import Split
from .models import MLP, MLPSpec, build
from .steps import batch_bounds, torch_reference_problem

LOSSES = ("cross_entropy", "mse", "hinge")
ENGINES = ("optviz", "torch")


@dataclass(frozen=True)
class TrainConfig:
    """How to train: epochs, batch size (0: the full batch), loss, early stopping, seed, float precision."""

    epochs: int = 50
    batch_size: int = 0
    loss: str = "cross_entropy"
    patience: int = 0  # epochs without a better validation loss before stopping; 0: never stop early
    restore_best: bool = True
    seed: int = 0
    dtype: str = "float32"

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs = {self.epochs} is out of range: allowed [1, 10000]")
        if self.batch_size < 0:
            raise ValueError(f"batch_size = {self.batch_size} is out of range: allowed 0 (full batch) or more")
        if self.loss not in LOSSES:
            raise ValueError(f"loss = {self.loss!r} is not known: allowed {', '.join(LOSSES)}")
        if self.patience < 0:
            raise ValueError(f"patience = {self.patience} is out of range: allowed [0, inf)")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype = {self.dtype!r} is not allowed: float32 or float64")


@dataclass
class History:
    """Per epoch (epoch 0 is before training): losses, accuracies, per-layer gradient norms; and the outcome."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # [epoch][layer], mean over the epoch's steps
    step_loss: list[float] = field(default_factory=list)  # the loss of every optimizer step
    diverged_at: int | None = None  # the epoch whose loss became NaN or infinite
    stopped_at: int | None = None  # the epoch early stopping ended training
    best_epoch: int = 0
    test_loss: float = float("nan")
    test_acc: float = float("nan")
    model: MLP | None = None
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (epoch, prediction at snapshot inputs)
    trajectory: list[np.ndarray] = field(default_factory=list)  # the flat float64 parameters after every epoch
    restored_epoch: int | None = None  # early stopping put back the weights of this epoch (None: the last ones kept)
    restored_snapshot: np.ndarray | None = None  # the restored network's prediction at the snapshot inputs
    merged_single: bool = False  # a last mini-batch of one sample joined the batch before it (BatchNorm)


def needs_two_samples(model: nn.Module) -> bool:
    """Whether the network normalizes by statistics over the batch of single values per channel (BatchNorm1d):
    in training mode such a layer cannot take a mini-batch of one sample."""
    return any(isinstance(module, nn.BatchNorm1d) for module in model.modules())


def flat_views(model: nn.Module) -> tuple[np.ndarray, np.ndarray]:
    """Re-seat the parameters and their gradients as views into two flat tensors; return both as NumPy arrays."""
    parameters = list(model.parameters())
    total = sum(parameter.numel() for parameter in parameters)
    dtype = parameters[0].dtype
    values = torch.empty(total, dtype=dtype)
    grads = torch.zeros(total, dtype=dtype)
    offset = 0
    for parameter in parameters:
        count = parameter.numel()
        values[offset:offset + count].copy_(parameter.detach().reshape(-1))
        parameter.data = values[offset:offset + count].view_as(parameter)
        parameter.grad = grads[offset:offset + count].view_as(parameter)
        offset += count
    return values.numpy(), grads.numpy()


def parameter_vector(model: nn.Module) -> np.ndarray:
    """The model's parameters as one float64 vector, in ``model.parameters()`` order (the order of flat_views)."""
    return torch.cat([parameter.detach().reshape(-1).to(torch.float64) for parameter in model.parameters()]).numpy()


def loss_function(name: str, task: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The training loss: cross entropy (classes), mean squared error, or the hinge loss (two classes)."""
    if task == "regression":
        return lambda outputs, targets: torch.mean((outputs[:, 0] - targets) ** 2)
    if name == "cross_entropy":
        return nn.functional.cross_entropy
    if name == "mse":  # on the probability of class 1
        return lambda outputs, targets: torch.mean(
            (torch.softmax(outputs, dim=1)[:, 1] - targets.to(outputs.dtype)) ** 2)
    # hinge on the margin m = (2y - 1)(o1 - o0)
    return lambda outputs, targets: torch.mean(torch.relu(1 - (2 * targets.to(outputs.dtype) - 1)
                                                          * (outputs[:, 1] - outputs[:, 0])))


@dataclass
class TorchReference:
    """What stands in for the engine in the torch path: the torch.optim optimizer, the tricks' hooks around its step
    and the learning-rate scheduler, each built from the registry's reference of the lane's entries."""

    optimizer: torch.optim.Optimizer
    hooks: list[Hook]
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    steps: int = 0

    def step(self) -> None:
        """One optimizer step, the tricks around it, then the schedule's next learning rate."""
        self.steps += 1
        lr = self.optimizer.param_groups[0]["lr"]
        for hook in self.hooks:
            if hook.before is not None:
                hook.before(self.steps, lr)
        self.optimizer.step()
        for hook in self.hooks:
            if hook.after is not None:
                hook.after(self.steps, lr)
        if self.scheduler is not None:
            self.scheduler.step()


def torch_optimizer(lane: Lane, parameters) -> TorchReference:
    """The reference equivalent to `lane` (torch.optim and the references of its tricks and schedule, from the
    registry): what the engine is checked against. ValueError naming why, when there is none."""
    problem = torch_reference_problem(lane)
    if problem == "convention":
        raise ValueError("the torch.optim reference exists for the pytorch convention only")
    if problem is not None:
        raise ValueError(f"the torch.optim reference cannot mirror this lane ({problem})")
    parameters = list(parameters)
    optimizer = optimizer_entry(lane.optimizer).build_reference(torch, parameters, dict(lane.hyperparameters))
    hooks = [trick_entry(name).build_reference(torch, parameters, dict(settings)) for name, settings in lane.tricks]
    scheduler = None
    if lane.schedule is not None:
        scheduler = schedule_entry(lane.schedule[0]).build_reference(torch, optimizer, dict(lane.schedule[1]))
    return TorchReference(optimizer, hooks, scheduler)


def _evaluate(model: MLP, loss: Callable, inputs: torch.Tensor, targets: torch.Tensor,
              task: str) -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        outputs = model(inputs)
        value = float(loss(outputs, targets))
        if task == "classification":
            accuracy = float((outputs.argmax(dim=1) == targets).to(torch.float64).mean())
        else:
            accuracy = float("nan")
    model.train()
    return value, accuracy


def train(data: Split, spec: MLPSpec, lane: Lane, config: TrainConfig, engine: str = "optviz",
          initial: MLP | None = None, on_epoch: Callable[[int, History], bool] | None = None,
          snapshot_inputs: np.ndarray | None = None, snapshots: int = 20, trajectory: bool = False) -> History:
    """Train one lane; `initial` (else a network built from config.seed) gives every lane the same start.

    `on_epoch(epoch, history)` is called after every epoch; returning False stops training (a stop button).
    A loss that becomes NaN or infinite marks the lane diverged at that epoch and ends its training.
    With `snapshot_inputs`, the network's prediction there (class-1 probability, or the output) is kept at
    about `snapshots` evenly spread epochs and at the last one: decision boundaries over the epochs.
    With `trajectory`, the parameters (flat, float64) are kept before training and after every epoch.
    With early stopping (config.patience) the weights of the best validation epoch are put back at the end
    (history.restored_epoch, and their prediction in history.restored_snapshot); the snapshots stay the network as
    it was trained, the last one at the last epoch run.
    A network with BatchNorm1d gets no mini-batch of one sample: a last one joins the batch before it.
    """
    config.check()
    if engine not in ENGINES:
        raise ValueError(f"engine = {engine!r} is not known: allowed {', '.join(ENGINES)}")
    if len(data.x_train) == 0:
        raise ValueError("the training set is empty")
    if data.task == "classification" and data.classes > 2 and config.loss != "cross_entropy":
        raise ValueError(f"loss = {config.loss!r} works for two classes; with {data.classes} use cross_entropy")
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    model = copy.deepcopy(initial).to(dtype) if initial is not None else build(spec, config.seed, dtype)
    model.train()
    target_dtype = torch.int64 if data.task == "classification" else dtype
    tensors = {name: torch.as_tensor(getattr(data, name), dtype=dtype if name.startswith("x") else target_dtype)
               for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}
    loss = loss_function(config.loss, data.task)
    if engine == "optviz":
        pipeline = lane.pipeline()
        values, grads = flat_views(model)
        state = pipeline.init(values)
    else:
        reference = torch_optimizer(lane, model.parameters())
    history = History(model=model)
    count = len(data.x_train)
    batch = config.batch_size or count
    bounds = batch_bounds(count, batch, merge_single=needs_two_samples(model))
    if needs_two_samples(model) and any(end - begin < 2 for begin, end in bounds):
        raise ValueError("BatchNorm needs mini-batches of at least 2 samples: choose a larger batch size")
    history.merged_single = len(bounds) < -(-count // batch)
    order_rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)  # dropout masks: the same for both engines
    layers = model.weight_layers()

    def record(norms: list[float]) -> None:
        for split_name, inputs, targets in (("train", "x_train", "y_train"), ("val", "x_val", "y_val")):
            if len(tensors[inputs]):
                value, accuracy = _evaluate(model, loss, tensors[inputs], tensors[targets], data.task)
            else:
                value, accuracy = float("nan"), float("nan")
            getattr(history, f"{split_name}_loss").append(value)
            getattr(history, f"{split_name}_acc").append(accuracy)
        history.grad_norms.append(norms)
        if trajectory:
            history.trajectory.append(parameter_vector(model))

    grid = None if snapshot_inputs is None else torch.as_tensor(snapshot_inputs, dtype=dtype)
    every = max(1, config.epochs // max(snapshots, 1))

    def snapshot(epoch: int) -> None:
        if grid is None:
            return
        model.eval()
        with torch.no_grad():
            outputs = model(grid)
            values = torch.softmax(outputs, dim=1)[:, 1] if data.task == "classification" else outputs[:, 0]
        model.train()
        history.snapshots.append((epoch, values.to(torch.float32).numpy().copy()))

    record([0.0] * len(layers))
    snapshot(0)
    best_value, best_state, waited = history.val_loss[0], copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, config.epochs + 1):
        order = order_rng.permutation(count) if batch < count else np.arange(count)
        sums = np.zeros(len(layers))
        steps = 0
        for begin, end in bounds:
            index = torch.as_tensor(order[begin:end])
            if engine == "optviz":
                grads.fill(0)
            else:
                reference.optimizer.zero_grad(set_to_none=False)
            value = loss(model(tensors["x_train"][index]), tensors["y_train"][index])
            value.backward()
            history.step_loss.append(value.item())
            sums += [float(layer.weight.grad.norm()) for layer in layers]
            steps += 1
            if engine == "optviz":
                pipeline.step(values, grads, state)
            else:
                reference.step()
        record(list(sums / max(steps, 1)))
        if epoch % every == 0 or epoch == config.epochs:
            snapshot(epoch)
        if not all(math.isfinite(number) for number in (history.train_loss[-1], history.step_loss[-1])):
            history.diverged_at = epoch
            break
        validation = history.val_loss[-1]
        if math.isfinite(validation) and (validation < best_value or not math.isfinite(best_value)):
            best_value, best_state, waited, history.best_epoch = validation, copy.deepcopy(model.state_dict()), 0, epoch
        else:
            waited += 1
        if config.patience and waited >= config.patience:
            history.stopped_at = epoch
            break
        if on_epoch is not None and on_epoch(epoch, history) is False:
            break
    last_epoch = len(history.train_loss) - 1
    if history.snapshots and history.snapshots[-1][0] != last_epoch:
        snapshot(last_epoch)  # the network as it ended (stopped early, diverged, or stopped)
    if config.patience and config.restore_best and history.best_epoch != last_epoch:
        model.load_state_dict(best_state)
        history.restored_epoch = history.best_epoch
        if grid is not None:
            snapshot(history.best_epoch)
            history.restored_snapshot = history.snapshots.pop()[1]
    if len(tensors["x_test"]):
        history.test_loss, history.test_acc = _evaluate(model, loss, tensors["x_test"], tensors["y_test"], data.task)
    return history
