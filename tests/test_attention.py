"""The attention model of the labs: one head of scaled dot-product attention with a learned query, trained by the
engine exactly as torch.optim trains it, its weights a distribution over positions, and what it learns on the
first-element task (where a vanilla RNN fails at long lengths)."""

import math

import numpy as np
import pytest
import torch

from optviz.lane import Lane
from optviz.nets.labs import attention_run, first_element_task
from optviz.nets.models import AttentionSpec, build
from optviz.nets.train import TrainConfig, flat_views, train

LANES = [
    Lane("adam", (("lr", 0.01),)),
    Lane("sgd", (("lr", 0.05), ("momentum", 0.9))),
    Lane("rmsprop", (("lr", 0.01),), tricks=(("clip_norm", (("max_norm", 1.0),)),)),
]


@pytest.mark.parametrize("lane", LANES, ids=[lane.optimizer for lane in LANES])
def test_the_engine_trains_the_attention_model_as_torch_optim_does(lane):
    """float64, mini-batches of 16 over 3 epochs: every step's loss and the final weights agree to 1e-10."""
    data = first_element_task(160, 12, seed=4)
    spec = AttentionSpec(8, 20)
    config = TrainConfig(epochs=3, batch_size=16, seed=1, dtype="float64")
    initial = build(spec, 3, torch.float64)
    ours = train(data, spec, lane, config, "optviz", initial)
    theirs = train(data, spec, lane, config, "torch", initial)
    assert len(ours.step_loss) == len(theirs.step_loss) == 18
    np.testing.assert_allclose(ours.step_loss, theirs.step_loss, rtol=1e-10, atol=0)
    for mine, reference in zip(ours.model.parameters(), theirs.model.parameters(), strict=True):
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=0, atol=1e-10)
    assert ours.step_loss[-1] < ours.step_loss[0]


def test_the_forward_pass_is_scaled_dot_product_attention_with_a_learned_query():
    """The network's output, recomputed by hand in NumPy from its own parameters: e, K, V, softmax, output."""
    model = build(AttentionSpec(6, 10), 2, torch.float64)
    inputs = np.random.default_rng(0).standard_normal((5, 7))
    parameters = {name: value.detach().numpy() for name, value in model.named_parameters()}
    embedded = inputs[..., None] * parameters["embed.weight"][:, 0] + parameters["embed.bias"] + \
        parameters["position"][:7]
    keys = embedded @ parameters["key.weight"].T
    values = embedded @ parameters["value.weight"].T
    scores = keys @ parameters["query"] / math.sqrt(6)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    expected = (weights[..., None] * values).sum(axis=1) @ parameters["output.weight"].T + parameters["output.bias"]
    with torch.no_grad():
        tensor = torch.as_tensor(inputs)
        np.testing.assert_allclose(model(tensor).numpy(), expected, rtol=1e-12)
        np.testing.assert_allclose(model.weights(tensor).numpy(), weights, rtol=1e-12)


def test_the_weights_of_every_sequence_sum_to_one():
    model = build(AttentionSpec(16, 100), 0, torch.float64)
    with torch.no_grad():
        weights = model.weights(torch.as_tensor(np.random.default_rng(1).standard_normal((30, 100)))).numpy()
    assert weights.shape == (30, 100) and np.all(weights > 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    run = attention_run("attention", 20, epochs=3, size=200)
    assert run["mean_weights"].shape == (4, 20) and run["watched_weights"].shape == (4, 8, 20)
    np.testing.assert_allclose(run["watched_weights"].sum(axis=-1), 1.0, atol=1e-5)  # float32 training
    np.testing.assert_allclose(run["mean_weights"].sum(axis=-1), 1.0, atol=1e-5)


def test_flat_views_reach_the_query_and_the_positions():
    model = build(AttentionSpec(4, 9), 0, torch.float64)
    values, grads = flat_views(model)
    assert values.size == sum(parameter.numel() for parameter in model.parameters()) == 4 + 4 + 36 + 16 + 16 + 4 + 10
    model(torch.randn(3, 9, dtype=torch.float64)).sum().backward()
    assert np.abs(grads).sum() > 0 and float(model.query.grad.abs().sum()) > 0


def test_bad_attention_settings_are_named():
    with pytest.raises(ValueError, match="dim"):
        build(AttentionSpec(0, 10))
    with pytest.raises(ValueError, match="max_length"):
        build(AttentionSpec(4, 0))
    model = build(AttentionSpec(4, 10))
    with pytest.raises(ValueError, match="longer than max_length"):
        model(torch.zeros(2, 11))
    with pytest.raises(ValueError, match="length"):
        attention_run("attention", 500)
    with pytest.raises(ValueError, match="model"):
        attention_run("transformer", 10)


@pytest.mark.slow
def test_attention_learns_to_look_at_the_first_position_where_the_rnn_cannot():
    """At length 100 the attention model reaches the first number in a few epochs; its weight on position 1 grows
    from about uniform (1/100) to most of the total, and the vanilla RNN stays at chance."""
    attention = attention_run("attention", 100)
    rnn = attention_run("tanh", 100)
    assert attention["test_acc"] > 0.9 and rnn["test_acc"] < 0.7
    first = attention["mean_weights"][:, 0]
    assert first[0] < 0.1 and first[-1] > 0.8
    assert attention["mean_weights"][-1].argmax() == 0
