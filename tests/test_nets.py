"""Small networks trained by the engine: torch.optim parity, BatchNorm and dropout modes, early stopping,
divergence, data sets, initialization."""

import numpy as np
import pytest
import torch

from optviz.nets.data import CLASSIFICATION, DATASETS, REGRESSION, generate, split
from optviz.nets.models import INITS, MLPSpec, build
from optviz.nets.train import TrainConfig, flat_views, train
from optviz.runs import lane_from_settings

LANES = [
    ("sgd", {"lr": "0.1"}),
    ("momentum", {"lr": "0.05", "dampening": "0.1", "weight_decay": "0.001"}),
    ("nesterov", {"lr": "0.05"}),
    ("adagrad", {"lr": "0.1", "lr_decay": "0.01", "initial_accumulator_value": "0.1"}),
    ("rmsprop", {"lr": "0.01", "centered": "true", "momentum": "0.5"}),
    ("adam", {"lr": "0.01", "amsgrad": "true", "weight_decay": "0.001"}),
    ("adamw", {"lr": "0.01"}),
    ("momentum", {"lr": "0.05", "clip_norm": "0.5"}),
]
SPEC = MLPSpec(2, 2, (16, 16), "tanh", "xavier", "batch", 0.1, False)


@pytest.fixture(scope="module")
def spiral():
    return split("spiral", 400, 0.1, seed=1)


@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-10), ("float32", 1e-5)])
@pytest.mark.parametrize(("optimizer", "settings"), LANES, ids=[f"{o}-{'-'.join(s)}" for o, s in LANES])
def test_engine_matches_torch_optim_on_a_network(spiral, optimizer, settings, dtype, tolerance):
    """60 mini-batch steps with BatchNorm and dropout: the loss of every step agrees with torch.optim."""
    lane = lane_from_settings(optimizer, settings)
    config = TrainConfig(epochs=5, batch_size=20, dtype=dtype, seed=3)  # 12 batches per epoch: 60 steps
    initial = build(SPEC, 7, torch.float64 if dtype == "float64" else torch.float32)
    ours = np.array(train(spiral, SPEC, lane, config, "optviz", initial).step_loss)
    theirs = np.array(train(spiral, SPEC, lane, config, "torch", initial).step_loss)
    assert len(ours) == len(theirs) == 60
    assert np.abs(ours - theirs).max() / np.abs(theirs).max() <= tolerance
    assert ours[-1] < ours[0]  # it learned something


def test_flat_views_share_memory_with_the_network():
    model = build(SPEC, 0, torch.float64)
    values, grads = flat_views(model)
    assert values.size == sum(p.numel() for p in model.parameters())
    values[0] = 123.0
    assert float(next(model.parameters()).detach().reshape(-1)[0]) == 123.0
    model(torch.randn(8, 2, dtype=torch.float64)).sum().backward()
    assert np.abs(grads).sum() > 0
    for parameter in model.parameters():  # autograd accumulated into the views, it did not replace them
        assert parameter.grad.untyped_storage().data_ptr() == torch.from_numpy(grads).untyped_storage().data_ptr()


def test_batchnorm_and_dropout_follow_train_and_eval_modes(spiral):
    model = build(MLPSpec(2, 2, (16,), "relu", "he", "batch", 0.5), 0, torch.float64)
    inputs = torch.as_tensor(spiral.x_val, dtype=torch.float64)
    model.eval()
    assert torch.equal(model(inputs), model(inputs))  # no dropout, running statistics
    model.train()
    assert not torch.equal(model(inputs), model(inputs))  # dropout masks differ


def test_early_stopping_restores_the_best_weights():
    data = split("gauss", 120, 0.5, seed=2)
    spec = MLPSpec(2, 2, (64, 64), "relu", "he")
    history = train(data, spec, lane_from_settings("adam", {"lr": "0.05"}),
                    TrainConfig(epochs=300, patience=5, seed=1, dtype="float64"))
    assert history.stopped_at is not None and history.stopped_at < 300
    assert history.best_epoch == int(np.nanargmin(history.val_loss))
    inputs = torch.as_tensor(data.x_val, dtype=torch.float64)
    targets = torch.as_tensor(data.y_val)
    history.model.eval()
    with torch.no_grad():
        restored = float(torch.nn.functional.cross_entropy(history.model(inputs), targets))
    assert restored == pytest.approx(min(history.val_loss), rel=1e-12)


def test_a_diverging_lane_stops_and_says_when():
    data = split("plane", 200, 0.0, seed=0)
    spec = MLPSpec(2, 1, (8,), "linear", "normal")
    history = train(data, spec, lane_from_settings("sgd", {"lr": "10"}), TrainConfig(epochs=50, seed=0))
    assert history.diverged_at is not None and history.diverged_at < 50
    assert len(history.train_loss) == history.diverged_at + 1


def test_stop_button_and_empty_sets():
    data = split("xor", 200, 0.0, seed=0)
    history = train(data, SPEC, lane_from_settings("adam", {"lr": "0.01"}), TrainConfig(epochs=20),
                    on_epoch=lambda epoch, _: epoch < 3)
    assert len(history.train_loss) == 4
    empty = split("xor", 200, 0.0, seed=0)
    empty.x_train = empty.x_train[:0]
    empty.y_train = empty.y_train[:0]
    with pytest.raises(ValueError, match="the training set is empty"):
        train(empty, SPEC, lane_from_settings("adam", {}), TrainConfig(epochs=2))


@pytest.mark.parametrize("name", DATASETS)
def test_data_sets_have_their_shapes_splits_and_seeds(name):
    points, targets = generate(name, 300, 0.1, seed=4)
    assert points.shape == (300, 2) and targets.shape == (300,)
    again, _ = generate(name, 300, 0.1, seed=4)
    other, _ = generate(name, 300, 0.1, seed=5)
    assert np.array_equal(points, again) and not np.array_equal(points, other)
    if name in CLASSIFICATION:
        assert set(np.unique(targets)) == {0, 1} and abs(targets.mean() - 0.5) < 0.1
    else:
        assert name in REGRESSION and targets.dtype == np.float64
    parts = split(name, 300, 0.1, seed=4, validation=0.2, test=0.1, chosen=("x1", "x2", "x1*x2"))
    assert (len(parts.x_train), len(parts.x_val), len(parts.x_test)) == (210, 60, 30)
    assert parts.x_train.shape[1] == 3
    np.testing.assert_allclose(parts.x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(parts.x_train.std(axis=0), 1, atol=1e-12)


@pytest.mark.parametrize("scheme", INITS)
def test_each_init_scheme_has_its_statistics(scheme):
    model = build(MLPSpec(200, 2, (256, 256), "relu", scheme), 0, torch.float64)
    weight = model.blocks[1].linear.weight.detach().numpy()  # 256 x 256
    expected_std = {"uniform": np.sqrt(1 / 12), "normal": 1.0, "lecun": np.sqrt(1 / 256),
                    "xavier": np.sqrt(2 / 512), "he": np.sqrt(2 / 256)}[scheme]
    assert weight.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(weight.mean()) < 0.02 * expected_std * 10
    assert np.all(model.blocks[1].linear.bias.detach().numpy() == 0)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"name": "rings"}, "unknown data set 'rings'"),
    ({"name": "xor", "size": 2}, "size = 2 is out of range"),
    ({"name": "xor", "noise": 0.9}, "noise = 0.9 is out of range"),
])
def test_bad_data_settings(arguments, message):
    with pytest.raises(ValueError, match=message):
        generate(**arguments)


def test_digits_are_shipped_split_and_seeded():
    from optviz.nets.data import digits_split

    parts = digits_split(seed=1, validation=0.2, test=0.2)
    assert parts.x_train.shape[1] == 64 and parts.classes == 10
    assert len(parts.x_train) + len(parts.x_val) + len(parts.x_test) == 1797
    assert parts.x_train.min() >= 0 and parts.x_train.max() <= 1
    assert set(np.unique(parts.y_train)) == set(range(10))
    again = digits_split(seed=1)
    assert np.array_equal(parts.x_test, again.x_test)
    assert not np.array_equal(parts.x_test, digits_split(seed=2).x_test)


@pytest.mark.parametrize(("optimizer", "settings"), [("adam", {"lr": "0.01"}), ("momentum", {"lr": "0.05"})])
def test_the_digit_cnn_matches_torch_optim(optimizer, settings):
    from optviz.nets.data import digits_split
    from optviz.nets.models import CNNSpec

    data = digits_split(seed=0, size=300)
    spec = CNNSpec(channels=4, residual=True)
    lane = lane_from_settings(optimizer, settings)
    config = TrainConfig(epochs=2, batch_size=32, dtype="float64", seed=0)
    initial = build(spec, 0, torch.float64)
    ours = train(data, spec, lane, config, "optviz", initial)
    theirs = train(data, spec, lane, config, "torch", initial)
    np.testing.assert_allclose(ours.step_loss, theirs.step_loss, rtol=1e-10)
    assert len(ours.grad_norms[1]) == 4  # three convolutions and the output layer
    with pytest.raises(ValueError, match="use cross_entropy"):
        train(data, spec, lane, TrainConfig(epochs=1, loss="hinge"))


def test_a_last_mini_batch_of_one_sample_joins_the_one_before_it_under_batchnorm():
    from optviz.nets.steps import batch_bounds

    assert batch_bounds(65, 32) == [(0, 32), (32, 64), (64, 65)]
    assert batch_bounds(65, 32, merge_single=True) == [(0, 32), (32, 65)]
    assert batch_bounds(66, 32, merge_single=True) == [(0, 32), (32, 64), (64, 66)]
    assert batch_bounds(10, 0, merge_single=True) == [(0, 10)]
    data = split("circle", 450, 0.1, seed=0, validation=0.3, test=0.2)  # 225 training points: 7 x 32 + 1
    spec = MLPSpec(2, 2, (8,), norm="batch")
    history = train(data, spec, lane_from_settings("sgd", {"lr": "0.1"}), TrainConfig(epochs=2, batch_size=32))
    assert history.merged_single and len(history.step_loss) == 2 * 7
    with pytest.raises(ValueError, match="at least 2 samples"):
        train(data, spec, lane_from_settings("sgd", {"lr": "0.1"}), TrainConfig(epochs=1, batch_size=1))


def test_restored_weights_are_named_and_drawn_apart_from_the_last_epoch():
    data = split("spiral", 200, 0.1, seed=0)
    spec = MLPSpec(2, 2, (8, 8))
    grid = data.inputs_at(np.zeros((3, 2)))
    history = train(data, spec, lane_from_settings("sgd", {"lr": "3"}), TrainConfig(epochs=30, batch_size=32,
                                                                                   patience=5),
                    snapshot_inputs=grid)
    last = len(history.train_loss) - 1
    assert history.stopped_at == last and history.restored_epoch == history.best_epoch == 0
    assert history.snapshots[-1][0] == last  # the last panel is the network as it ended ...
    assert np.allclose(history.restored_snapshot, history.snapshots[0][1])  # ... the restored one is epoch 0's


def test_first_difference_and_the_time_forecast():
    from optviz.nets.steps import estimated_seconds, first_difference

    assert first_difference([1.0, 2.0, 3.0], [1.0, 2.0 + 1e-7, 3.1]) == 2
    assert first_difference([1.0, np.nan], [1.0, np.nan]) is None
    assert first_difference([1.0, 2.0], [1.0]) == 1
    # the walkthrough's slow case: 2 000 points, 6 x 64 units, batch 1, 500 epochs, two runs took ~30 min
    slow = 2 * estimated_seconds(1200, 1600, 1, 500, 21_000)
    assert 10 * 60 < slow < 60 * 60
    assert estimated_seconds(240, 320, 32, 60, 114) < 5
