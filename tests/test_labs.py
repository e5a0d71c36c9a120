"""The labs' computations: gradients vanish with depth for sigmoid, residuals and BatchNorm help; initialization
scales; the margin losses."""

import numpy as np
import pytest

from optviz.nets.labs import activations_at_init, gradient_flow, margin_losses


def first_over_last(flow):
    return flow.grad_norm[0, 0] / flow.grad_norm[-1, 0]


def test_gradients_vanish_with_depth_for_sigmoid_and_residuals_or_batchnorm_help():
    plain = gradient_flow(20, 16, "sigmoid", "xavier", "none", False, steps=3)
    residual = gradient_flow(20, 16, "sigmoid", "xavier", "none", True, steps=3)
    normalized = gradient_flow(20, 16, "sigmoid", "xavier", "batch", False, steps=3)
    assert first_over_last(plain) < 1e-8
    assert first_over_last(residual) > 1e3 * first_over_last(plain)
    assert first_over_last(normalized) > 1e-2
    # and the norms shrink steadily from the output back to the input
    column = plain.grad_norm[:-1, 0]
    assert np.all(np.diff(np.log(column)) > 0)
    assert plain.grad_norm.shape == (21, 3) and plain.activation_std.shape == (20, 3)


def test_shallow_relu_networks_keep_their_gradients():
    flow = gradient_flow(4, 16, "relu", "he", "none", False, steps=3)
    assert 0.01 < first_over_last(flow) < 100


def test_normal_initialization_blows_up_the_scale_with_width():
    normal = [layer.std() for layer in activations_at_init(4, 256, "linear", "normal")]
    xavier = [layer.std() for layer in activations_at_init(4, 256, "linear", "xavier")]
    np.testing.assert_allclose(np.array(normal[1:]) / np.array(normal[:-1]), 16, rtol=0.1)  # sqrt(256) a layer
    np.testing.assert_allclose(xavier, 1, rtol=0.1)


def test_margin_losses():
    losses = margin_losses(np.array([-2.0, 0.0, 1.0, 3.0]))
    np.testing.assert_allclose(losses["hinge"], [3, 1, 0, 0])
    np.testing.assert_allclose(losses["cross_entropy"][1], np.log(2))
    assert np.all(np.diff(losses["cross_entropy"]) < 0) and np.all(np.diff(losses["mse"]) < 0)


def test_bad_lab_settings():
    with pytest.raises(ValueError, match="depth = 31"):
        gradient_flow(31)
    with pytest.raises(ValueError, match="width"):
        activations_at_init(2, 1000)


def test_regularizers_narrow_the_generalization_gap():
    from optviz.nets.labs import regularization

    results = regularization(epochs=150)
    assert set(results) == {"none", "l2", "l1", "dropout", "early_stopping", "batchnorm"}
    gap = {name: result["gap"] for name, result in results.items()}
    assert gap["none"] > 0.2  # the big network overfits the small noisy set
    assert gap["l2"] < gap["none"] and gap["dropout"] < gap["none"] and gap["early_stopping"] < gap["none"]
    assert results["early_stopping"]["stopped_at"] is not None


def test_every_normalization_of_the_digit_cnn_trains():
    from optviz.nets.labs import normalization

    results = normalization(batch_size=32, epochs=2)
    assert list(results) == ["batch", "layer", "instance", "group", "none"]
    for result in results.values():
        assert len(result["val_acc"]) == 3 and result["test_acc"] > 0.5


def test_the_first_element_task_labels_by_the_first_number():
    from optviz.nets.labs import first_element_task

    data = first_element_task(100, 12, seed=3)
    assert data.x_train.shape == (60, 12) and len(data.x_val) == 20 and len(data.x_test) == 20
    assert np.array_equal(data.y_train, (data.x_train[:, 0] > 0).astype(int))
    with pytest.raises(ValueError):
        first_element_task(100, 0)


def test_recurrent_networks_build_as_specified():
    import torch

    from optviz.nets.models import RNNSpec, build

    model = build(RNNSpec("relu", 8, 1.2), seed=1, dtype=torch.float64)
    assert torch.equal(model.cell.weight_hh_l0, 1.2 * torch.eye(8, dtype=torch.float64))
    assert model(torch.zeros(5, 7, dtype=torch.float64)).shape == (5, 2)
    lstm = build(RNNSpec("lstm", 8), seed=1)
    assert torch.all(lstm.cell.bias_ih_l0[8:16] == 3)  # the forget gate starts open: σ(3) ≈ 0.95
    for bad in (RNNSpec("gru"), RNNSpec("lstm", 8, 1.1), RNNSpec("tanh", 0), RNNSpec("relu", 8, 5.0)):
        with pytest.raises(ValueError):
            build(bad)


def test_clipping_by_norm_bounds_every_step_on_the_cliff():
    from optviz.runs import lane_from_settings, run_lane
    from optviz.surfaces import surface

    cliff = surface("cliff")
    for max_norm in (1.0, 10.0):
        path = run_lane(cliff, lane_from_settings("sgd", {"lr": "1", "clip_norm.max_norm": str(max_norm)}),
                        (-3.0, 1.5), 200).positions
        assert np.linalg.norm(np.diff(path, axis=0), axis=1).max() <= max_norm * (1 + 1e-9)
    free = run_lane(cliff, lane_from_settings("sgd", {"lr": "1"}), (-3.0, 1.5), 200).positions
    assert np.nanmax(np.linalg.norm(np.diff(free, axis=0), axis=1)) > 20


def test_clipping_keeps_an_exploding_rnn_finite():
    from optviz.nets.labs import clipping_rnn

    results = clipping_rnn(length=30, gain=1.15, epochs=3)
    assert results["none"]["diverged_at"] is not None
    for name in ("norm_1", "norm_10", "value"):
        assert results[name]["diverged_at"] is None
        assert np.all(np.isfinite(results[name]["step_loss"]))


def test_clipped_rnn_training_matches_torch_optim():
    from optviz.nets.labs import first_element_task
    from optviz.nets.models import RNNSpec
    from optviz.nets.train import TrainConfig, train
    from optviz.runs import Lane

    data = first_element_task(200, 15, seed=2)
    lane = Lane("sgd", (("lr", 0.01), ("momentum", 0.9)), tricks=(("clip_norm", (("max_norm", 1.0),)),))
    config = TrainConfig(epochs=2, batch_size=16, seed=0, dtype="float64")
    for cell, gain in (("relu", 1.1), ("lstm", None)):
        ours = train(data, RNNSpec(cell, 8, gain), lane, config)
        theirs = train(data, RNNSpec(cell, 8, gain), lane, config, engine="torch")
        assert np.allclose(ours.step_loss, theirs.step_loss, rtol=1e-10, atol=0)


def test_the_gradient_to_the_first_input_vanishes_in_a_vanilla_rnn_not_in_an_lstm():
    from optviz.nets.labs import first_input_gradient

    rnn = first_input_gradient("tanh", (5, 50))
    lstm = first_input_gradient("lstm", (5, 50))
    assert rnn[1] < 1e-10 * rnn[0]  # geometric decay over 45 more steps
    assert lstm[1] > 1e-2 * lstm[0] and lstm[1] > 1e6 * rnn[1]


@pytest.mark.slow
def test_only_the_lstm_learns_the_first_element_of_long_sequences():
    from optviz.nets.labs import sequence_training

    short = sequence_training(length=5, epochs=10)
    assert short["tanh"]["test_acc"] > 0.9 and short["lstm"]["test_acc"] > 0.9
    long = sequence_training(length=20, epochs=20)
    assert long["lstm"]["test_acc"] > 0.9 and long["tanh"]["test_acc"] < 0.7


def _difficulty_paths(case):
    from optviz.presets import DIFFICULTY_CASES, DIFFICULTY_LANES
    from optviz.runs import lane_from_settings, run_lane
    from optviz.surfaces import surface

    name, start, steps = DIFFICULTY_CASES[case]
    return surface(name), {label: run_lane(surface(name), lane_from_settings(optimizer, settings), start, steps)
                           for label, (optimizer, settings) in DIFFICULTY_LANES.items()}


def test_the_saddle_caption_holds():
    _, paths = _difficulty_paths("saddle")
    near = {label: int((np.linalg.norm(path.positions, axis=1) < 0.5).sum()) for label, path in paths.items()}
    assert near["SGD"] > 3 * max(near["Momentum"], near["SGD + noise"]) and near["Adam"] == 0
    assert 60 <= near["SGD"] <= 90 and 10 <= near["Momentum"] <= 30


def test_the_plateau_and_local_minima_captions_hold():
    surface, paths = _difficulty_paths("plateau")
    travel = {label: float(np.linalg.norm(path.positions[-1] - path.positions[0])) for label, path in paths.items()}
    assert travel["SGD"] < 0.01 and travel["Momentum"] < 0.01 and paths["Adam"].loss[-1] < 1e-6
    surface, paths = _difficulty_paths("local_minima")
    minima = np.array(surface.minima)
    values = surface.value_and_grad(minima.T.copy())[0]
    deepest = minima[np.argmin(values)]
    for label, path in paths.items():
        at_deepest = np.linalg.norm(path.positions[-1] - deepest) < 0.05
        assert at_deepest == (label == "Momentum"), label


def test_lab_figures_count_steps_from_one_and_label_log_axes_with_whole_numbers():
    from optviz.plots.labs import layer_heatmaps_figure, lines_figure, log_ticks

    figure = layer_heatmaps_figure(np.ones((4, 3)), np.ones((3, 3)), {"title": "", "grad": "", "std": "", "step": "",
                                                                      "layer": ""})
    assert [list(trace.x) for trace in figure.data] == [[1, 2, 3]] * 2 and figure.data[0].y[0] == 1
    short = log_ticks(0.03, 1.2)  # a short log axis: 1, 2, 5 of each decade written out, no bare minor digits
    assert short["ticktext"] == ["0.05", "0.1", "0.2", "0.5", "1"]
    long = log_ticks(1e-27, 1e-3)
    assert long["ticktext"][0] == "10⁻²⁵" and len(long["ticktext"]) <= 6
    lines = lines_figure([{"label": "a", "x": [1, 2], "y": [0.1, 30.0], "colour": 0}], {"title": "", "x": "", "y": ""},
                         log_y=True)
    assert lines.layout.yaxis.type == "log" and list(lines.layout.yaxis.ticktext)[:4] == ["0.1", "0.2", "0.5", "1"]


def test_the_warm_up_formula_has_no_english_word():
    from optviz.engine.registry import schedule_latex

    formula = schedule_latex("warmup_cosine", {"warmup_steps": 20, "total_steps": 200}, 0.3)
    assert r"\text" not in formula and r"t-1 \ge 20" in formula


def test_captions_quote_the_runs_own_numbers():
    from optviz.ui.labs import clipping_caption, normalization_caption, overfitting_caption

    def run(diverged, accuracy):
        return {"diverged_at": diverged, "test_acc": accuracy}

    at_chance = {"none": run(None, 0.52), "norm_1": run(None, 0.5), "norm_10": run(None, 0.49), "value": run(None, 0.5)}
    caption = clipping_caption(1.0, 30, at_chance)
    assert "Gain 1 over 30 steps" in caption and "about 1 times" in caption and "None of the four" in caption
    learned = {**at_chance, "none": run(1, 0.49), "norm_10": run(None, 0.734)}
    caption = clipping_caption(1.15, 30, learned)
    assert "66.2" in caption and "Diverged: no clipping" in caption and "73.4 %" in caption
    gaps = {name: {"gap": gap} for name, gap in (("none", 4.29), ("l2", 0.55), ("batchnorm", 3.22))}
    assert "BatchNorm's gap (3.22)" in overfitting_caption(gaps)
    gaps["batchnorm"]["gap"] = 0.6
    assert "BatchNorm's gap" not in overfitting_caption(gaps)
    norms = {name: {"test_acc": accuracy} for name, accuracy in
             (("batch", 0.95), ("layer", 0.944), ("instance", 0.967), ("group", 0.967), ("none", 0.961))}
    caption = normalization_caption(2, norms)
    assert "95.0 %" in caption and "96.7 %" in caption and "does not show" in caption and "128" in caption
    norms["batch"]["test_acc"] = 0.8
    assert "falls 16.7 points behind" in normalization_caption(2, norms)
