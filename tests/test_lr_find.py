"""The networks' learning-rate range test and random search (optviz/nets/tuning.py): the per-step rate is the
formula's and the engine uses it as torch.optim would (every registered optimizer), the smoothing is fastai's, the
suggestions train well, the search is reproducible, keeps its budget and keeps what it finished when stopped; the
lr-find command."""

import itertools
import json
import math

import numpy as np
import pytest
import torch

from optviz.cli import main
from optviz.engine import OPTIMIZERS, optimizer_entry
from optviz.lane import Lane
from optviz.nets.tasks import Setup, prepare, range_test_lanes, search_lane
from optviz.nets.train import parameter_vector, train
from optviz.nets.tuning import (
    CLEAR_DESCENT,
    LR_SPAN,
    RangeSettings,
    SearchSettings,
    draw_trials,
    random_search,
    range_learning_rates,
    range_pipeline,
    range_test,
    search_ranges,
    significant,
    smooth,
    suggestions,
    trial_work,
)
from optviz.plots.tuning import UNRELIABLE, range_figure

# the networks page's default Setup: two circles, 400 points, an 8 × 8 tanh MLP, batches of 32, 60 epochs
PAGE_SETUP = Setup("circle", 400, 0.1, 0.2, 0.2, ("x1", "x2"), True, (8, 8), "tanh", "xavier", "none", 0.0, False,
                   "cross_entropy", 60, 32, 0, 0)
SMALL_SETUP = Setup("moons", 150, 0.1, 0.2, 0.2, ("x1", "x2"), True, (6,), "tanh", "xavier", "none", 0.0, False,
                    "cross_entropy", 5, 16, 0, 0)


class Progress:
    """A job's progress report (optviz.jobs.Progress's protocol) that cancels after `limit` reports."""

    def __init__(self, limit: int | None = None) -> None:
        self.reports, self.limit = [], limit

    def __call__(self, fraction, run=0, epoch=0) -> None:
        self.reports.append((fraction, run, epoch))

    @property
    def cancelled(self) -> bool:
        return self.limit is not None and len(self.reports) >= self.limit


@pytest.fixture(scope="module")
def default_network():
    return prepare(PAGE_SETUP)


@pytest.fixture(scope="module")
def small():
    return prepare(SMALL_SETUP)


# ------------------------------------------------------------------------------------------------ the rate


def test_the_rate_grows_exponentially_step_by_step(small):
    data, _spec, initial, config = small
    settings = RangeSettings(1e-4, 1e-1, 37)  # no divergence at these rates: every step is run
    result = range_test(data, Lane("sgd", (("lr", 0.5),)), config, initial, settings)
    assert result["stopped"] is None and len(result["lrs"]) == 37
    expected = 1e-4 * (1e-1 / 1e-4) ** (np.arange(37) / 36)
    np.testing.assert_allclose(result["lrs"], expected, rtol=1e-13)  # read from the engine, not recomputed
    np.testing.assert_allclose(range_learning_rates(settings), expected, rtol=1e-13)
    assert result["lrs"][0] == pytest.approx(1e-4, rel=1e-15) and result["lrs"][-1] == pytest.approx(1e-1, rel=1e-13)
    ratios = result["lrs"][1:] / result["lrs"][:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)  # one factor per step
    # 37 steps of 16 out of 90 training points: the batches are cycled (6 per epoch, 7 epochs)
    assert result["epochs"] == math.ceil(37 / 6)


def test_the_lanes_own_rate_and_schedule_do_not_count(small):
    data, _spec, initial, config = small
    settings = RangeSettings(1e-4, 1e-1, 20)
    plain = range_test(data, Lane("adam", (("lr", 0.3),)), config, initial, settings)
    scheduled = range_test(data, Lane("adam", (("lr", 0.001),), schedule=("cosine", (("total_steps", 5),))),
                           config, initial, settings)
    np.testing.assert_array_equal(plain["lrs"], scheduled["lrs"])
    np.testing.assert_array_equal(plain["losses"], scheduled["losses"])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_ramp_steps_every_optimizer_as_torch_optim_with_the_rate_set_per_step(name):
    """The engine's pipeline with the range ramp equals torch.optim whose param_groups' lr is set to η_t before
    every step (float64): links that read the rate (AdamW's decoupled decay, AdaGrad's decay) follow it too."""
    entry = optimizer_entry(name)
    hyperparameters = {**entry.defaults(), "weight_decay": 0.01} if "weight_decay" in entry.specs else {}
    lane = Lane(name, tuple(sorted(hyperparameters.items())))
    settings = RangeSettings(1e-3, 1.0, 25)
    rng = np.random.default_rng(3)
    curvature, shift = rng.uniform(0.5, 3.0, 7), rng.normal(size=7)
    start = rng.normal(size=7)

    pipeline = range_pipeline(lane, settings)
    values = start.copy()
    state = pipeline.init(values)
    parameter = torch.tensor(start.copy(), dtype=torch.float64, requires_grad=True)
    reference = entry.build_reference(torch, [parameter], dict(lane.values()))
    for rate in range_learning_rates(settings):
        grads = curvature * values + shift
        pipeline.step(values, grads, state)
        assert state["_context"].lr == pytest.approx(rate, rel=1e-13)
        for group in reference.param_groups:
            group["lr"] = float(rate)
        parameter.grad = curvature_tensor(curvature) * parameter.detach() + torch.tensor(shift)
        reference.step()
        np.testing.assert_allclose(values, parameter.detach().numpy(), rtol=1e-11, atol=1e-13)


def curvature_tensor(curvature: np.ndarray) -> torch.Tensor:
    return torch.tensor(curvature, dtype=torch.float64)


# ------------------------------------------------------------------------------------------------ smoothing, stop


def test_smoothing_is_the_bias_corrected_moving_average():
    # by hand, β = 0.5: a = 0.5, 1.25, 2.125; s = a / (1 − 0.5^t) = 1, 5/3, 17/7
    np.testing.assert_allclose(smooth(np.array([1.0, 2.0, 3.0]), 0.5), [1.0, 5 / 3, 17 / 7], rtol=1e-15)
    losses = np.array([0.7, 0.69, 0.72, 0.65])
    average, expected = 0.0, []
    for step, value in enumerate(losses, start=1):
        average = 0.98 * average + 0.02 * value
        expected.append(average / (1 - 0.98**step))
    np.testing.assert_allclose(smooth(losses), expected, rtol=1e-14)
    assert smooth(np.array([5.0]))[0] == 5.0  # the first value is the loss itself, not 2 % of it
    assert np.isnan(smooth(np.array([1.0, np.inf, 1.0]))[1:]).all()


def test_the_test_records_the_smoothed_training_loss(small):
    data, _spec, initial, config = small
    before = parameter_vector(initial)
    result = range_test(data, Lane("adam"), config, initial, RangeSettings(1e-5, 1e-1, 30))
    np.testing.assert_allclose(result["smoothed"], smooth(result["losses"]), rtol=1e-13)
    np.testing.assert_array_equal(parameter_vector(initial), before)  # the shared initial network is left alone
    again = range_test(data, Lane("adam"), config, initial, RangeSettings(1e-5, 1e-1, 30))
    np.testing.assert_array_equal(result["losses"], again["losses"])


def test_it_stops_once_the_smoothed_loss_passes_four_times_its_minimum(default_network):
    data, _spec, initial, config = default_network
    result = range_test(data, Lane("adam"), config, initial, RangeSettings(1e-6, 10.0, 300))
    smoothed = result["smoothed"]
    assert result["stopped"] == "diverged" and len(smoothed) < 300
    assert smoothed[-1] > 4 * smoothed.min()
    running = np.minimum.accumulate(smoothed)
    assert (smoothed[:-1] <= 4 * running[:-1]).all()  # not a step earlier


def test_suggestions_on_a_known_curve():
    lrs = np.geomspace(1e-6, 10, 100)
    smoothed = np.full(100, 1.0)
    smoothed[60:80] = 1.0 - 0.02 * np.arange(1, 21) ** 1.5 / 20 ** 0.5  # falls, fastest at its end
    smoothed[80:] = smoothed[79] + 0.05 * np.arange(1, 21)
    smoothed[30] = 0.999  # a dip of noise on the flat part: not a descent into the minimum
    found = suggestions(lrs, smoothed, 100)
    assert found["minimum_index"] == 79 and found["minimum"] == lrs[79]
    assert found["min_ten"] == pytest.approx(lrs[79] / 10)
    assert found["steepest_index"] == 78  # the largest fall per decade, between 78 and 79
    rising = suggestions(lrs, np.linspace(1, 2, 100), 100)
    assert rising["steepest"] is None and rising["minimum_index"] == 10  # the first tenth is left out
    assert suggestions(lrs[:1], smoothed[:1], 100)["minimum"] is None
    assert found["descent"] == pytest.approx(1 - smoothed[79]) and found["steepest_reliable"]


def test_a_flat_curve_has_a_steepest_point_that_is_not_trusted():
    """SGD on the page's default network: the smoothed loss goes 0.71 → 0.69 and then blows up; its "steepest"
    point (the noise's largest dip) sits at the cliff's edge. Less than a tenth of a fall is no clear descent."""
    lrs = np.geomspace(1e-6, 10, 100)
    noise = np.random.default_rng(0).normal(0, 0.001, 100)
    smoothed = 0.71 - 0.02 * np.arange(100) / 90 + noise  # 0.71 → 0.69, the minimum near the end
    smoothed[92:] = smoothed[91] * 1.6 ** np.arange(1, 9)  # the blow-up
    found = suggestions(lrs, smoothed, 100)
    assert found["steepest"] is not None and found["descent"] < CLEAR_DESCENT
    assert not found["steepest_reliable"]
    deeper = smoothed.copy()
    deeper[60:92] = np.linspace(smoothed[60], 0.5, 32)  # now it falls 0.70 → 0.50 before the minimum
    found = suggestions(lrs, deeper, 100)
    assert found["descent"] > CLEAR_DESCENT and found["steepest_reliable"]
    # the chart greys the untrusted point and marks its label with "?"; a trusted one keeps the lane's colour
    for curve, reliable in ((smoothed, False), (deeper, True)):
        result = {**suggestions(lrs, curve, 100), "lrs": lrs, "losses": curve, "smoothed": curve,
                  "label": "1. SGD", "colour": "#1f77b4"}
        figure = range_figure([result], {"title": "", "lr": "", "loss": "", "raw": "", "steepest": "steepest",
                                         "min_ten": "min", "unreliable": "unreliable"})
        marker = next(trace for trace in figure.data if trace.marker.symbol == "circle" and trace.x[0] is not None)
        assert (marker.marker.line.color == UNRELIABLE) == (not reliable)
        assert marker.text[0].endswith("?") == (not reliable)


def test_the_default_page_sgd_range_test_is_flagged(default_network):
    """The learner's case: SGD on the page's default setup falls about 3 % before its minimum."""
    data, _spec, initial, config = default_network
    result = range_test(data, Lane("sgd"), config, initial)
    assert result["descent"] < CLEAR_DESCENT and not result["steepest_reliable"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_the_suggestions_train_where_larger_rates_do_worse(default_network, name):
    """On the page's default data and network: training at either suggestion brings the validation loss well
    below the untrained network's; at 100 × min ÷ 10 and at the test's largest rate it ends worse."""
    data, spec, initial, config = default_network
    result = range_test(data, Lane(name), config, initial)
    assert result["steepest"] is not None and result["min_ten"] is not None

    def trained(rate: float):
        return train(data, spec, Lane(name, (("lr", significant(rate)),)), config, "optviz", initial)

    start = trained(result["min_ten"]).val_loss[0]
    chosen = trained(result["min_ten"])
    assert min(chosen.val_loss) < 0.25 * start and chosen.val_loss[-1] < 0.25 * start
    assert min(trained(result["steepest"]).val_loss) < 0.5 * start
    for rate in (100 * result["min_ten"], result["max_lr"]):
        worse = trained(rate)
        assert worse.diverged_at is not None or worse.val_loss[-1] > 3 * chosen.val_loss[-1]


def test_the_same_seed_gives_the_same_suggestions(small):
    data, _spec, initial, config = small
    first, second = (range_test(data, Lane("sgd"), config, initial) for _ in range(2))
    assert (first["steepest"], first["min_ten"]) == (second["steepest"], second["min_ten"])
    other = prepare(SMALL_SETUP.__class__(**{**SMALL_SETUP.__dict__, "seed": 1}))
    shuffled = range_test(other[0], Lane("sgd"), other[3], other[2])
    assert not np.array_equal(first["losses"], shuffled["losses"])


def test_bad_settings_name_what_is_wrong(small):
    data, _spec, initial, config = small
    for settings, name in ((RangeSettings(0.0, 1.0), "min_lr"), (RangeSettings(1.0, 0.5), "max_lr"),
                           (RangeSettings(steps=2), "steps"), (RangeSettings(beta=1.0), "beta")):
        with pytest.raises(ValueError, match=name):
            range_test(data, Lane("sgd"), config, initial, settings)


def test_the_job_tests_each_lane_and_reports_progress():
    progress = Progress()
    results = range_test_lanes(SMALL_SETUP, [Lane("sgd"), Lane("adamw")], RangeSettings(steps=20), progress=progress)
    assert len(results) == 2 and all(len(result["lrs"]) <= 20 for result in results)
    assert progress.reports[-1][1] == 1 and 0 < progress.reports[-1][0] <= 1
    cancelled = range_test_lanes(SMALL_SETUP, [Lane("sgd"), Lane("adam")], RangeSettings(steps=20),
                                 progress=Progress(limit=25))
    assert len(cancelled) == 1  # the second lane was stopped: only the first comes back


# ------------------------------------------------------------------------------------------------ the search


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_search_draws_within_the_registry_ranges(name):
    entry = optimizer_entry(name)
    ranges = search_ranges(Lane(name))
    low, high = ranges["lr"]
    assert low == pytest.approx(max(entry.specs["lr"].ui_low, entry.page.network_lr / LR_SPAN))
    assert high == pytest.approx(min(entry.specs["lr"].ui_high, entry.page.network_lr * LR_SPAN))
    decay = ranges["weight_decay"]
    assert decay[1] == entry.specs["weight_decay"].ui_high
    trials = draw_trials(Lane(name), SearchSettings(trials=40, batch_sizes=(16, 64)), 32)
    assert len(trials) == 40
    for trial in trials:
        assert low * 0.95 <= trial["lr"] <= high * 1.05 and decay[0] * 0.95 <= trial["weight_decay"] <= decay[1] * 1.05
        assert trial["batch_size"] in (16, 64) and trial["lr"] == significant(trial["lr"])
    spread = np.log10([trial["lr"] for trial in trials])
    assert spread.max() - spread.min() > 2  # log-uniform over about three decades, not bunched


def test_the_same_seed_draws_the_same_trials_and_a_larger_budget_adds_to_them():
    lane = Lane("adam")
    twelve = draw_trials(lane, SearchSettings(trials=12, seed=4), 32)
    assert twelve == draw_trials(lane, SearchSettings(trials=12, seed=4), 32)
    assert draw_trials(lane, SearchSettings(trials=40, seed=4), 32)[:12] == twelve
    assert draw_trials(lane, SearchSettings(trials=12, seed=5), 32) != twelve
    assert all(trial["batch_size"] == 32 for trial in twelve)  # the Setup's own when batch sizes are not drawn


def test_the_search_keeps_its_budget_and_is_reproducible(small):
    data, spec, initial, config = small
    settings = SearchSettings(trials=5, epochs=4, seed=2)
    seen = []
    result = random_search(data, spec, Lane("momentum"), config, initial, settings,
                           on_epoch=lambda trial, epoch: seen.append((trial, epoch)) is None)
    assert len(result["trials"]) == result["planned"] == 5
    assert sorted({trial for trial, _ in seen}) == [0, 1, 2, 3, 4] and max(epoch for _, epoch in seen) == 4
    again = random_search(data, spec, Lane("momentum"), config, initial, settings)
    assert [trial["val_loss"] for trial in again["trials"]] == [trial["val_loss"] for trial in result["trials"]]
    best = result["trials"][result["best"]]
    assert best["val_loss"] == min(trial["val_loss"] for trial in result["trials"])
    # the trial is a training at its settings: the same numbers as the train function gives
    lane = Lane("momentum").with_settings({"lr": best["lr"], "weight_decay": best["weight_decay"]})
    history = train(data, spec, lane, config.__class__(**{**config.__dict__, "epochs": 4}), "optviz", initial)
    assert best["val_loss"] == pytest.approx(min(history.val_loss[1:]), rel=1e-12)


def test_the_search_reports_its_work_by_trials_epochs_and_batch_sizes():
    """The fraction the job reports grows with each trial's epochs at its batch size (a trial of batch 16 is more
    work than one of 128), never goes back, and a trial that ends early (here: early stopping) moves it to that
    trial's end, so the time left is read from a steady pace."""
    setup = SMALL_SETUP.__class__(**{**SMALL_SETUP.__dict__, "patience": 2})
    settings = SearchSettings(trials=6, epochs=30, batch_sizes=(16, 128), seed=3)
    progress = Progress()
    result = search_lane(setup, Lane("sgd"), settings, progress=progress)
    data, _spec, initial, _config = prepare(setup)
    trials = draw_trials(Lane("sgd"), settings, setup.batch_size)
    shares = trial_work(data, initial, trials, settings.epochs)
    assert shares.sum() == pytest.approx(1)
    small, large = (next(share for share, trial in zip(shares, trials, strict=True) if trial["batch_size"] == size)
                    for size in (16, 128))
    assert small > 3 * large
    fractions = [fraction for fraction, _, _ in progress.reports]
    assert all(later >= earlier for earlier, later in itertools.pairwise(fractions))
    assert fractions[-1] == pytest.approx(1)
    ends = np.cumsum(shares)
    early = [number for number, trial in enumerate(result["trials"]) if trial["epochs_run"] < settings.epochs]
    assert early  # patience 2 stops some trials early
    for number in early:  # the last report of an early-ended trial is its end
        last = [fraction for fraction, trial, _ in progress.reports if trial == number][-1]
        assert last == pytest.approx(ends[number])


def test_a_cancelled_search_returns_its_finished_trials():
    progress = Progress(limit=3 * 4 + 2)  # three trials of four epochs, then two epochs of the fourth
    result = search_lane(SMALL_SETUP, Lane("adam"), SearchSettings(trials=8, epochs=4), progress=progress)
    assert len(result["trials"]) == 3 and result["planned"] == 8
    assert result["best"] in (0, 1, 2)
    assert all(trial["epochs_run"] == 4 for trial in result["trials"])


# ------------------------------------------------------------------------------------------------ the command line


def test_lr_find_prints_json_with_the_suggestions(capsys):
    status = main(["lr-find", "--dataset", "moons", "--dataset-set", "size=150", "--model", "hidden=6",
                   "--optimizer", "adam", "--batch-size", "16", "--steps", "40", "--format", "json"])
    assert status == 0
    output = json.loads(capsys.readouterr().out)
    assert len(output["lrs"]) == len(output["losses"]) == len(output["smoothed"]) <= 40
    assert output["lrs"][0] == pytest.approx(1e-6) and set(output["suggestions"]) == {"steepest", "min_ten", "minimum"}
    assert output["suggestions"]["min_ten"] == pytest.approx(output["suggestions"]["minimum"] / 10)
    assert main(["lr-find", "--dataset", "moons", "--dataset-set", "size=150", "--model", "hidden=6",
                 "--optimizer", "adam", "--batch-size", "16", "--steps", "40", "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "steepest descent:" in text and "minimum / 10:" in text


def test_the_network_options_have_help_naming_their_choices(capsys):
    from optviz.nets.data import DATASETS, DIGITS
    from optviz.nets.models import ACTIVATIONS, INITS, NORMS
    from optviz.nets.train import LOSSES

    for command in ("lr-find", "search", "train"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        for name in (*DATASETS, DIGITS, *OPTIMIZERS, *LOSSES):
            assert name in text, (command, name)
        # the torch modules' lists, written out in the help so that --help does not import torch
        model = text[text.index("--model k=v,... the network:"):]
        for name in (*ACTIVATIONS, *INITS, *NORMS):
            assert name in model.split("--optimizer")[0], (command, name)
        for option, said in (("--dataset NAME", "the data set:"), ("--optimizer NAME", "the optimizer:"),
                             ("--batch-size B", "mini-batch size"), ("--loss NAME", "the training loss:"),
                             ("--seed SEED", "the seed of")):
            assert f"{option} {said}" in text, (command, option)


def test_lr_find_refuses_bad_input_with_one_line(capsys):
    assert main(["lr-find", "--dataset", "moons", "--optimizer", "adam", "--min-lr", "1", "--max-lr", "0.1"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "max_lr" in error
    assert main(["lr-find", "--dataset", "moons", "--optimizer", "nope"]) == 2


def test_search_prints_its_trials_and_the_same_seed_repeats_them(capsys):
    command = ["search", "--dataset", "moons", "--dataset-set", "size=150", "--model", "hidden=6", "--optimizer",
               "adamw", "--trials", "3", "--epochs", "3", "--batch-sizes", "16,64", "--seed", "1"]
    assert main(command) == 0
    first = json.loads(capsys.readouterr().out)
    assert len(first["trials"]) == 3 and first["best"] in (0, 1, 2)
    assert {trial["batch_size"] for trial in first["trials"]} <= {16, 64}
    assert first["trials"][first["best"]]["val_loss"] == min(trial["val_loss"] for trial in first["trials"])
    assert main(command) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert main([*command[:-2], "--batch-sizes", "16,x"]) == 2
    assert "--batch-sizes" in capsys.readouterr().err
