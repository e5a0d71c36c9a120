"""Computations behind the training-tricks labs: gradient flow through deep networks, activations at
initialization, and the classification losses as functions of the margin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .data import Split, split
from .models import MLPSpec, build
from .train import loss_function


@dataclass
class GradientFlow:
    """Per layer (rows, input to output) and training step (columns): the weight-gradient norm, and the mean and
    standard deviation of the layer's activations."""

    grad_norm: np.ndarray  # (layers, steps)
    activation_mean: np.ndarray  # (hidden layers, steps)
    activation_std: np.ndarray
    loss: np.ndarray  # (steps,)


def gradient_flow(depth: int = 10, width: int = 16, activation: str = "sigmoid", init: str = "xavier",
                  norm: str = "none", residual: bool = False, steps: int = 30, lr: float = 0.1,
                  seed: int = 0) -> GradientFlow:
    """Train a deep MLP on the spiral with plain SGD for `steps` full-batch steps, watching every layer."""
    if not 1 <= depth <= 30:
        raise ValueError(f"depth = {depth} is out of range: allowed [1, 30]")
    if not 1 <= steps <= 500:
        raise ValueError(f"steps = {steps} is out of range: allowed [1, 500]")
    data = split("spiral", 400, 0.05, seed=seed)
    spec = MLPSpec(2, 2, (width,) * depth, activation, init, norm, 0.0, residual)
    torch.manual_seed(seed)
    model = build(spec, seed, torch.float64)
    inputs = torch.as_tensor(data.x_train, dtype=torch.float64)
    targets = torch.as_tensor(data.y_train)
    loss = loss_function("cross_entropy", "classification")
    recorded: list[torch.Tensor] = []
    hooks = [block.register_forward_hook(lambda module, arguments, output: recorded.append(output.detach()))
             for block in model.blocks]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    grad_norms, means, deviations, losses = [], [], [], []
    try:
        for _ in range(steps):
            recorded.clear()
            optimizer.zero_grad()
            value = loss(model(inputs), targets)
            value.backward()
            grad_norms.append([float(layer.weight.grad.norm()) for layer in model.weight_layers()])
            means.append([float(output.mean()) for output in recorded])
            deviations.append([float(output.std()) for output in recorded])
            losses.append(value.item())
            optimizer.step()
    finally:
        for hook in hooks:
            hook.remove()
    return GradientFlow(np.array(grad_norms).T, np.array(means).T, np.array(deviations).T, np.array(losses))


def activations_at_init(depth: int = 6, width: int = 256, activation: str = "tanh", init: str = "normal",
                        points: int = 1000, seed: int = 0) -> list[np.ndarray]:
    """The activations of every hidden layer of a fresh network on standard normal inputs (one array per layer):
    with N(0, 1) weights their scale grows like √n per layer; Xavier and He keep it steady."""
    if not 1 <= depth <= 30 or not 1 <= width <= 256:
        raise ValueError("depth must be in [1, 30] and width in [1, 256]")
    model = build(MLPSpec(width, 2, (width,) * depth, activation, init), seed, torch.float64)
    model.eval()
    inputs = torch.as_tensor(np.random.default_rng(seed).standard_normal((points, width)))
    outputs = []
    with torch.no_grad():
        for block in model.blocks:
            inputs = block(inputs)
            outputs.append(inputs.numpy().ravel().copy())
    return outputs


def margin_losses(margins: np.ndarray) -> dict[str, np.ndarray]:
    """The losses of a two-class classifier as functions of the margin m = (2y − 1)(o₁ − o₀): cross entropy
    log(1 + e^−m), hinge max(0, 1 − m), and the squared error (1 − σ(m))² of the predicted probability."""
    margins = np.asarray(margins, dtype=np.float64)
    probability = 1 / (1 + np.exp(-margins))
    return {
        "cross_entropy": np.logaddexp(0, -margins),
        "hinge": np.maximum(0, 1 - margins),
        "mse": (1 - probability) ** 2,
    }


LOSSES = ("cross_entropy", "hinge", "mse")


def loss_training(dataset: str, epochs: int = 40, seed: int = 0) -> dict[str, dict]:
    """The same 2-16-16-2 tanh network (Xavier) trained with Adam (η = 0.01, batches of 32) on 300 points of
    `dataset` once per classification loss: validation accuracy per epoch and test accuracy."""
    from optviz.lane import Lane

    from .train import TrainConfig, train

    data = split(dataset, 300, 0.2, seed=seed)
    spec = MLPSpec(2, 2, (16, 16), "tanh", "xavier")
    results = {}
    for loss in LOSSES:
        history = train(data, spec, Lane("adam", (("lr", 0.01),)),
                        TrainConfig(epochs=epochs, batch_size=32, loss=loss, seed=seed))
        results[loss] = {"val_acc": np.asarray(history.val_acc), "test_acc": history.test_acc}
    return results


REGULARIZERS = ("none", "l2", "l1", "dropout", "early_stopping", "batchnorm")


REGULARIZATION = {"l2": 0.01, "l1": 0.003, "dropout": 0.3, "patience": 25}


def regularizer_lane(name: str):
    """Adam (η = 0.01) with the L2 or L1 link of the regularization lab when `name` is one of them."""
    from optviz.lane import Lane

    tricks = ((name, ((name, REGULARIZATION[name]),)),) if name in ("l2", "l1") else ()
    return Lane("adam", (("lr", 0.01),), "pytorch", tricks)


def regularization(epochs: int = 300, seed: int = 0) -> dict[str, dict]:
    """A small noisy data set and a large network, trained once per regularizer from the same weights: train
    and validation loss per epoch, the generalization gap at the end, the test accuracy."""
    from .train import TrainConfig, train

    data = split("xor", 120, 0.35, seed=seed, validation=0.3, test=0.3)
    results = {}
    for name in REGULARIZERS:
        spec = MLPSpec(2, 2, (64, 64), "relu", "he", "batch" if name == "batchnorm" else "none",
                       REGULARIZATION["dropout"] if name == "dropout" else 0.0)
        lane = regularizer_lane(name)
        config = TrainConfig(epochs=epochs, batch_size=0,
                             patience=REGULARIZATION["patience"] if name == "early_stopping" else 0,
                             seed=seed, dtype="float64")
        history = train(data, spec, lane, config, initial=build(spec, seed, torch.float64))
        train_loss, val_loss = np.asarray(history.train_loss), np.asarray(history.val_loss)
        results[name] = {"train_loss": train_loss, "val_loss": val_loss, "gap": float(val_loss[-1] - train_loss[-1]),
                         "test_acc": history.test_acc, "stopped_at": history.stopped_at}
    return results


def normalization(batch_size: int = 32, epochs: int = 8, seed: int = 0) -> dict[str, dict]:
    """The digits CNN with each normalization (BatchNorm, LayerNorm, InstanceNorm, GroupNorm, none), trained
    from the same seed with Adam: validation accuracy per epoch and test accuracy. Small batches make BatchNorm's
    statistics noisy; the per-sample norms do not depend on the batch."""
    from optviz.lane import Lane

    from .data import digits_split
    from .models import CNN_NORMS, CNNSpec
    from .train import TrainConfig, train

    data = digits_split(seed, 0.2, 0.2, size=900)
    lane = Lane("adam", (("lr", 0.01),))
    results = {}
    for norm in CNN_NORMS:
        spec = CNNSpec(10, 8, False, "he", norm)
        history = train(data, spec, lane, TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed))
        results[norm] = {"val_acc": np.asarray(history.val_acc), "val_loss": np.asarray(history.val_loss),
                         "test_acc": history.test_acc}
    return results


def first_element_task(size: int = 640, length: int = 20, seed: int = 0) -> Split:
    """Sequences of N(0, 1) numbers whose class is the sign of the first one: the rest is noise, so a network
    must carry the first input through every step (train 60 %, validation 20 %, test 20 %)."""
    if size < 5 or not 1 <= length <= 500:
        raise ValueError("size must be at least 5 and length in [1, 500]")
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((size, length))
    labels = (inputs[:, 0] > 0).astype(np.int64)
    train_end, val_end = int(size * 0.6), int(size * 0.8)
    return Split(inputs[:train_end], labels[:train_end], inputs[train_end:val_end], labels[train_end:val_end],
                 inputs[val_end:], labels[val_end:], "classification", 2, ())


CLIPPINGS = {"none": (), "norm_1": (("clip_norm", (("max_norm", 1.0),)),),
             "norm_10": (("clip_norm", (("max_norm", 10.0),)),), "value": (("clip_value", (("clip_value", 0.1),)),)}


def clipping_rnn(length: int = 30, gain: float = 1.1, lr: float = 0.01, epochs: int = 20,
                 seed: int = 0) -> dict[str, dict]:
    """A ReLU RNN whose recurrent matrix is gain · I (its state and gradient grow like gain^length) trained with
    SGD on the first-element task, without clipping, clipped by norm θ = 1 and θ = 10, and by value 0.1: the
    loss at every step, validation accuracy per epoch and where a run diverged."""
    from optviz.lane import Lane

    from .models import RNNSpec
    from .train import TrainConfig, train

    data = first_element_task(640, length, seed)
    spec = RNNSpec("relu", 16, gain)
    results = {}
    for name, tricks in CLIPPINGS.items():
        lane = Lane("sgd", (("lr", lr),), tricks=tricks)
        history = train(data, spec, lane, TrainConfig(epochs=epochs, batch_size=32, seed=seed, dtype="float64"))
        results[name] = {"step_loss": np.asarray(history.step_loss), "val_acc": np.asarray(history.val_acc),
                         "diverged_at": history.diverged_at, "test_acc": history.test_acc}
    return results


def first_input_gradient(cell: str, lengths, hidden: int = 16, size: int = 256, seed: int = 0) -> np.ndarray:
    """For each sequence length: the mean over sequences of |∂loss/∂x₁|, the gradient reaching the first input
    of a freshly initialized network (it decides the label, so this is the signal learning depends on)."""
    from .models import RNNSpec

    values = []
    for length in lengths:
        data = first_element_task(size, int(length), seed)
        model = build(RNNSpec(cell, hidden), seed, torch.float64)
        inputs = torch.as_tensor(data.x_train, dtype=torch.float64).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(model(inputs), torch.as_tensor(data.y_train), reduction="sum")
        loss.backward()
        values.append(float(inputs.grad[:, 0].abs().mean()))
    return np.array(values)


def sequence_training(length: int = 20, epochs: int = 20, seed: int = 0) -> dict[str, dict]:
    """The vanilla tanh RNN and the LSTM (16 units each) trained with Adam (η = 0.01, batches of 32) on 1 000
    sequences of the first-element task of `length`: validation accuracy and training loss per epoch."""
    from optviz.lane import Lane

    from .models import RNNSpec
    from .train import TrainConfig, train

    data = first_element_task(1000, length, seed)
    results = {}
    for cell in ("tanh", "lstm"):
        history = train(data, RNNSpec(cell, 16), Lane("adam", (("lr", 0.01),)),
                        TrainConfig(epochs=epochs, batch_size=32, seed=seed))
        results[cell] = {"val_acc": np.asarray(history.val_acc), "train_loss": np.asarray(history.train_loss),
                         "test_acc": history.test_acc}
    return results


SEQUENCE_MODELS = ("tanh", "lstm", "attention")
SEQUENCE_LENGTHS = (5, 10, 20, 30, 50, 75, 100)
ATTENTION_DIM = 16
MAX_SEQUENCE_LENGTH = max(SEQUENCE_LENGTHS)


def sequence_spec(model: str):
    """The network named `model`: the vanilla tanh RNN or the LSTM (16 units), or one attention head (d = 16) with
    learned positions up to MAX_SEQUENCE_LENGTH."""
    from .models import AttentionSpec, RNNSpec

    if model not in SEQUENCE_MODELS:
        raise ValueError(f"model = {model!r} is not known: allowed {', '.join(SEQUENCE_MODELS)}")
    return AttentionSpec(ATTENTION_DIM, MAX_SEQUENCE_LENGTH) if model == "attention" else RNNSpec(model, 16)


def attention_run(model: str, length: int, epochs: int = 15, size: int = 800, seed: int = 0,
                  watched: int = 8) -> dict:
    """One network of SEQUENCE_MODELS trained by the engine (Adam, η = 0.01, batches of 32) on `size` sequences of
    the first-element task of `length`: validation accuracy per epoch and test accuracy. For the attention model
    also its weights softmax(q·kₜ/√d) over the positions, before training and after every epoch: their mean over
    the test sequences (epochs + 1, length), and those of the first `watched` test sequences (epochs + 1, watched,
    length), with those sequences' inputs and labels."""
    from optviz.lane import Lane

    from .train import TrainConfig, train

    if not 2 <= length <= MAX_SEQUENCE_LENGTH:
        raise ValueError(f"length = {length} is out of range: allowed [2, {MAX_SEQUENCE_LENGTH}]")
    if not 1 <= epochs <= 200:
        raise ValueError(f"epochs = {epochs} is out of range: allowed [1, 200]")
    data = first_element_task(size, length, seed)
    spec = sequence_spec(model)
    initial = build(spec, seed, torch.float32)
    test_inputs = torch.as_tensor(data.x_test, dtype=torch.float32)
    mean_weights, watched_weights = [], []

    def watch(network) -> None:
        with torch.no_grad():
            weights = network.weights(test_inputs).numpy()
        mean_weights.append(weights.mean(axis=0))
        watched_weights.append(weights[:watched].copy())

    def on_epoch(epoch, history) -> bool:
        watch(history.model)
        return True

    attention = model == "attention"
    if attention:
        watch(initial)
    history = train(data, spec, Lane("adam", (("lr", 0.01),)), TrainConfig(epochs=epochs, batch_size=32, seed=seed),
                    initial=initial, on_epoch=on_epoch if attention else None)
    result = {"val_acc": np.asarray(history.val_acc), "train_loss": np.asarray(history.train_loss),
              "test_acc": history.test_acc, "length": length}
    if attention:
        result.update(mean_weights=np.array(mean_weights), watched_weights=np.array(watched_weights),
                      watched_inputs=data.x_test[:watched].copy(), watched_labels=data.y_test[:watched].copy())
    return result
