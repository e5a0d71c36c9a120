"""Finding a network's learning rate: the learning-rate range test and a small random search.

**Range test** (Smith 2017, "Cyclical Learning Rates for Training Neural Networks", §3.3; fastai's ``lr_find``).
One short training from the page's initial network in which the learning rate grows exponentially, one mini-batch
at a time, from η_min to η_max over N steps:

    η_t = η_min · (η_max / η_min)^((t − 1) / (N − 1)),   t = 1 … N  (η_1 = η_min, η_N = η_max),

cycling through the training batches for as many epochs as it takes. The loss of each mini-batch (computed before
the step that uses η_t, as fastai records it) is smoothed by a bias-corrected exponential moving average,

    a_t = β a_{t−1} + (1 − β) ℓ_t,  a_0 = 0,   s_t = a_t / (1 − β^t)   (β = 0.98),

and the test stops once s_t exceeds 4 × its minimum so far or a loss is not finite. Two suggestions are read from
s: the learning rate of the steepest descent (the most negative d s / d ln η on the descent into the minimum) and
the minimum's learning rate ÷ 10 (fastai's ``minimum``).

The growing learning rate is a schedule of the engine's pipeline, the same code path that trains the networks'
lanes (optviz.nets.train, engine="optviz"): the lane's rule, tricks and step links are kept, its learning rate
becomes η_min and its own schedule is replaced by ``RangeRamp``. The pipeline hands every link the scheduled rate
(StepContext.lr), so what depends on η (AdamW's decoupled decay η·λ, AdaGrad's decay) follows it exactly as
torch.optim's param_groups' lr would.

**Random search** over learning rate × weight decay (× batch size): trials drawn log-uniformly by a seeded
generator (the same seed, the same trials), each a short training of the page's network, judged by its best
validation loss.

Everything returns plain data (lists, arrays, numbers); nothing here draws or imports streamlit.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optviz.engine import optimizer_entry
from optviz.engine.core import Pipeline
from optviz.lane import Lane

RANGE_MIN_LR = 1e-6
RANGE_MAX_LR = 10.0
RANGE_STEPS = 100
SMOOTHING = 0.98  # fastai's AvgSmoothLoss
STOP_FACTOR = 4.0  # stop once the smoothed loss exceeds this many times its minimum (fastai's stop_div)
CLEAR_DESCENT = 0.10  # the smoothed loss must fall by this fraction before its minimum for "steepest" to be trusted
SEARCH_TRIALS = 12
SEARCH_EPOCHS = 30
LR_SPAN = 30.0  # the search's learning rates: the optimizer's network_lr / 30 … × 30
DECAY_SPAN = 1e4  # the search's weight decays: the spec's slider top / 10⁴ … its top
BATCH_CHOICES = (16, 32, 64, 128)


def significant(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` significant digits (what a lane's widget shows and what is applied)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits - 1}e}")


# ------------------------------------------------------------------------------------------------ the range test


@dataclass(frozen=True)
class RangeSettings:
    """The range test's learning rates from `min_lr` to `max_lr` over `steps` mini-batches; smoothing β; stop at
    `stop_factor` × the smoothed loss's minimum."""

    min_lr: float = RANGE_MIN_LR
    max_lr: float = RANGE_MAX_LR
    steps: int = RANGE_STEPS
    beta: float = SMOOTHING
    stop_factor: float = STOP_FACTOR

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not (math.isfinite(self.min_lr) and self.min_lr > 0):
            raise ValueError(f"min_lr = {self.min_lr} is out of range: allowed (0, inf)")
        if not (math.isfinite(self.max_lr) and self.min_lr < self.max_lr <= 1e3):
            raise ValueError(f"max_lr = {self.max_lr} is out of range: allowed (min_lr = {self.min_lr:g}, 1000]")
        if not 5 <= self.steps <= 10_000:
            raise ValueError(f"steps = {self.steps} is out of range: allowed [5, 10000]")
        if not 0 <= self.beta < 1:
            raise ValueError(f"beta = {self.beta} is out of range: allowed [0, 1)")
        if not self.stop_factor > 1:
            raise ValueError(f"stop_factor = {self.stop_factor} is out of range: allowed (1, inf)")


class RangeRamp:
    """The range test's schedule for optviz.engine's Pipeline: the factor (η_max/η_min)^(n/(N−1)) on the base
    rate η_min after n = t − 1 steps taken. Not a registered schedule: those never raise the learning rate above
    its base value, this one exists to do just that, for one short test."""

    name = "lr_range"

    def __init__(self, settings: RangeSettings) -> None:
        self.ratio = settings.max_lr / settings.min_lr
        self.last = settings.steps - 1

    def factor(self, n: Any) -> Any:
        """η_t / η_min after n steps taken."""
        return self.ratio ** (np.asarray(n, dtype=np.float64) / self.last)

    def lr(self, base_lr: Any, n: int) -> Any:
        """The learning rate of the step after n steps taken (Pipeline's schedule protocol)."""
        return base_lr * float(self.factor(n))

    def latex_line(self, lr_symbol: str, base_lr: Any = None) -> str:
        """η_t as LaTeX (the pipeline's formula)."""
        return (r"\eta_t = " + (lr_symbol if base_lr is None else f"{base_lr:g}") +
                r"\,(\eta_{\max}/\eta_{\min})^{(t-1)/(N-1)}")


def range_learning_rates(settings: RangeSettings) -> np.ndarray:
    """η_1 … η_N of a full range test: the formula above (what the engine must have used, step for step)."""
    steps = np.arange(settings.steps, dtype=np.float64)
    return settings.min_lr * (settings.max_lr / settings.min_lr) ** (steps / (settings.steps - 1))


def range_pipeline(lane: Lane, settings: RangeSettings) -> Pipeline:
    """The lane's engine pipeline (rule, tricks, step links) at η_min, with its schedule replaced by the ramp."""
    plain = dataclasses.replace(lane, schedule=None)
    built = plain.pipeline({"lr": settings.min_lr})
    return Pipeline(built.links, RangeRamp(settings))


def smooth(losses: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """The bias-corrected exponential moving average s_t = a_t / (1 − β^t), a_t = β a_{t−1} + (1 − β) ℓ_t, a_0 = 0
    (fastai's AvgSmoothLoss). NaN from the first non-finite loss on."""
    smoothed = np.full(len(losses), np.nan)
    average = 0.0
    for index, value in enumerate(np.asarray(losses, dtype=np.float64)):
        if not math.isfinite(value):
            break
        average = beta * average + (1 - beta) * value
        smoothed[index] = average / (1 - beta ** (index + 1))
    return smoothed


def suggestions(lrs: np.ndarray, smoothed: np.ndarray, planned: int) -> dict[str, Any]:
    """The two suggestions read from a range test's smoothed loss.

    Like fastai, the first tenth of the planned steps (the average still settling, the rates too small to move
    anything) is left out. `minimum`: the learning rate at the smallest smoothed loss; `min_ten` = minimum / 10;
    `steepest`: the learning rate of the most negative forward difference (s_{i+1} − s_i) / (ln η_{i+1} − ln η_i)
    on the descent into the minimum: the stretch before it over which the smoothed loss falls without a rise
    (None when there is none). Searching the whole part before the minimum would pick the mini-batches' noise on
    the flat stretch of small rates whenever the real descent is short (SGD on a small network falls only in its
    last decade).
    Indices into `lrs` come with them.

    `descent`: how far the smoothed loss falls from where the reading starts (step `planned` // 10) to its minimum,
    as a fraction of its value there; `steepest_reliable`: whether that is at least CLEAR_DESCENT. On an essentially
    flat curve (SGD at a small batch falls 0.70 → 0.69 before it blows up) the "steepest" point is the noise's
    largest dip, often right at the cliff edge; minimum ÷ 10 is then the safer pick."""
    lrs, smoothed = np.asarray(lrs, dtype=np.float64), np.asarray(smoothed, dtype=np.float64)
    finite = int(np.argmax(~np.isfinite(smoothed))) if not np.all(np.isfinite(smoothed)) else len(smoothed)
    skip = planned // 10 if finite - planned // 10 >= 3 else 0
    if finite - skip < 2:
        return {"minimum": None, "minimum_index": None, "min_ten": None, "steepest": None, "steepest_index": None,
                "descent": None, "steepest_reliable": False}
    minimum_index = skip + int(np.argmin(smoothed[skip:finite]))
    steepest_index = None
    top = minimum_index  # the fall into the minimum: back from it while the smoothed loss does not decrease
    while top > skip and smoothed[top - 1] >= smoothed[top]:
        top -= 1
    if minimum_index > top:
        part = slice(top, minimum_index + 1)
        slopes = np.diff(smoothed[part]) / np.diff(np.log(lrs[part]))
        if slopes.min() < 0:
            steepest_index = top + int(np.argmin(slopes))
    start = float(smoothed[skip])
    descent = (start - float(smoothed[minimum_index])) / abs(start) if start != 0 else 0.0
    return {"minimum": float(lrs[minimum_index]), "minimum_index": minimum_index,
            "min_ten": float(lrs[minimum_index]) / 10,
            "steepest": None if steepest_index is None else float(lrs[steepest_index]),
            "steepest_index": steepest_index, "descent": descent,
            "steepest_reliable": steepest_index is not None and descent >= CLEAR_DESCENT}


def range_test(data, lane: Lane, config, initial, settings: RangeSettings = RangeSettings(),
               on_step: Callable[[int], bool] | None = None) -> dict[str, Any]:
    """The learning-rate range test of one lane, from the network `initial` (copied: its weights stay as they are)
    on `data` with the mini-batches, loss, seed and precision of `config` (optviz.nets.train.TrainConfig).

    Returns {"lrs": the learning rate each step used (read from the engine), "losses": each mini-batch's loss,
    "smoothed", "stopped": "diverged" (the smoothed loss passed stop_factor × its minimum), "not_finite" or None
    (all steps run), "epochs": how many passes over the training set it took, and the suggestions}.
    `on_step(step)` after every step; returning False stops the test there."""
    import torch

    from .steps import batch_bounds
    from .train import flat_views, loss_function, needs_two_samples

    settings.check()
    config.check()
    if len(data.x_train) == 0:
        raise ValueError("the training set is empty")
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    model = copy.deepcopy(initial).to(dtype)
    model.train()
    inputs = torch.as_tensor(data.x_train, dtype=dtype)
    targets = torch.as_tensor(data.y_train, dtype=torch.int64 if data.task == "classification" else dtype)
    loss = loss_function(config.loss, data.task)
    pipeline = range_pipeline(lane, settings)
    values, grads = flat_views(model)
    state = pipeline.init(values)
    count = len(inputs)
    batch = config.batch_size or count
    bounds = batch_bounds(count, batch, merge_single=needs_two_samples(model))
    if needs_two_samples(model) and any(end - begin < 2 for begin, end in bounds):
        raise ValueError("BatchNorm needs mini-batches of at least 2 samples: choose a larger batch size")
    order_rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    lrs, losses, smoothed = [], [], []
    average, best, stopped, epochs = 0.0, math.inf, None, 0
    with np.errstate(over="ignore", invalid="ignore"):
        while stopped is None and len(losses) < settings.steps:
            epochs += 1
            order = order_rng.permutation(count) if batch < count else np.arange(count)
            for begin, end in bounds:
                index = torch.as_tensor(order[begin:end])
                grads.fill(0)
                value = loss(model(inputs[index]), targets[index])
                raw = value.item()
                if not math.isfinite(raw):
                    stopped = "not_finite"
                    break
                value.backward()
                pipeline.step(values, grads, state)
                lrs.append(float(state["_context"].lr))  # the rate the engine used for this step
                losses.append(raw)
                average = settings.beta * average + (1 - settings.beta) * raw
                smoothed.append(average / (1 - settings.beta ** len(losses)))
                best = min(best, smoothed[-1])
                if smoothed[-1] > settings.stop_factor * best:
                    stopped = "diverged"
                if stopped or len(losses) == settings.steps:
                    break
                if on_step is not None and on_step(len(losses)) is False:
                    stopped = "cancelled"
                    break
    result = {"lrs": np.asarray(lrs), "losses": np.asarray(losses), "smoothed": np.asarray(smoothed),
              "stopped": stopped, "epochs": epochs, "planned": settings.steps, "min_lr": settings.min_lr,
              "max_lr": settings.max_lr}
    result.update(suggestions(result["lrs"], result["smoothed"], settings.steps))
    return result


# ------------------------------------------------------------------------------------------------ the random search


@dataclass(frozen=True)
class SearchSettings:
    """A random search: `trials` trainings of `epochs` each, drawn from `seed`; batch sizes from `batch_sizes`
    (empty: the Setup's own); learning rates over network_lr / `lr_span` … × `lr_span`."""

    trials: int = SEARCH_TRIALS
    epochs: int = SEARCH_EPOCHS
    batch_sizes: tuple[int, ...] = ()
    seed: int = 0
    lr_span: float = LR_SPAN

    def check(self) -> None:
        """ValueError naming the first setting out of range."""
        if not 1 <= self.trials <= 200:
            raise ValueError(f"trials = {self.trials} is out of range: allowed [1, 200]")
        if not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs = {self.epochs} is out of range: allowed [1, 10000]")
        if any(size < 1 for size in self.batch_sizes):
            raise ValueError(f"batch_sizes = {self.batch_sizes} are out of range: allowed 1 or more")
        if not self.lr_span > 1:
            raise ValueError(f"lr_span = {self.lr_span} is out of range: allowed (1, inf)")


def search_ranges(lane: Lane, span: float = LR_SPAN) -> dict[str, tuple[float, float] | None]:
    """Where the search draws, from the registry: the learning rate over the optimizer's PageDefaults.network_lr
    / span … × span (inside the lr spec's slider range), the weight decay over its spec's slider top / 10⁴ … top
    (None for an optimizer without a weight_decay hyperparameter: the search leaves it alone)."""
    entry = optimizer_entry(lane.optimizer)
    lr_spec, centre = entry.specs["lr"], entry.page.network_lr
    low, high = max(lr_spec.ui_low or 0.0, centre / span), min(lr_spec.ui_high or math.inf, centre * span)
    decay = entry.specs.get("weight_decay")
    return {"lr": (low, high),
            "weight_decay": None if decay is None or not decay.ui_high else (decay.ui_high / DECAY_SPAN, decay.ui_high)}


def draw_trials(lane: Lane, settings: SearchSettings, batch_size: int) -> list[dict[str, Any]]:
    """The trials of a search: {"lr", "weight_decay" (None: not searched), "batch_size"} each, log-uniform and
    rounded to two significant digits (what the lane's widgets can show and "apply best" writes back).

    Every trial takes three uniform numbers from the generator whatever is searched, so a larger budget only adds
    trials at the end: the first 12 of 40 are the 12 of a budget of 12."""
    settings.check()
    ranges = search_ranges(lane, settings.lr_span)
    generator = np.random.default_rng(settings.seed)
    trials = []
    for _ in range(settings.trials):
        uniform = generator.random(3)

        def log_uniform(bounds: tuple[float, float], number: float) -> float:
            low, high = np.log(bounds[0]), np.log(bounds[1])
            return significant(float(np.exp(low + number * (high - low))))

        decay = ranges["weight_decay"]
        trials.append({
            "lr": log_uniform(ranges["lr"], uniform[0]),
            "weight_decay": None if decay is None else log_uniform(decay, uniform[1]),
            "batch_size": int(settings.batch_sizes[int(uniform[2] * len(settings.batch_sizes))])
            if settings.batch_sizes else batch_size,
        })
    return trials


def trial_lane(lane: Lane, trial: dict[str, Any]) -> Lane:
    """The lane a trial trains: `lane` with the trial's learning rate and weight decay."""
    values = {"lr": trial["lr"]}
    if trial["weight_decay"] is not None:
        values["weight_decay"] = trial["weight_decay"]
    return lane.with_settings(values)


def run_trial(data, spec, lane: Lane, config, initial, trial: dict[str, Any], epochs: int,
              on_epoch: Callable | None = None) -> dict[str, Any]:
    """One trial trained from `initial`: its best validation loss over the epochs (what early stopping would keep),
    the epoch and validation accuracy there, the final training loss, and whether it diverged."""
    from .train import train

    config = dataclasses.replace(config, epochs=epochs, batch_size=trial["batch_size"])
    history = train(data, spec, trial_lane(lane, trial), config, "optviz", initial, on_epoch=on_epoch)
    validation = np.asarray(history.val_loss[1:], dtype=np.float64)
    finite = np.isfinite(validation)
    best = int(np.argmin(np.where(finite, validation, np.inf))) if finite.any() else None
    return {**trial, "val_loss": float(validation[best]) if best is not None else math.inf,
            "val_acc": float(history.val_acc[1 + best]) if best is not None else math.nan,
            "best_epoch": None if best is None else best + 1, "epochs_run": len(history.train_loss) - 1,
            "train_loss": float(history.train_loss[-1]), "diverged_at": history.diverged_at,
            "initial_val_loss": float(history.val_loss[0])}


def best_trial(trials: list[dict[str, Any]]) -> int | None:
    """The index of the trial with the smallest finite validation loss (None if none has one)."""
    finite = [index for index, trial in enumerate(trials) if math.isfinite(trial.get("val_loss", math.inf))]
    return min(finite, key=lambda index: trials[index]["val_loss"]) if finite else None


def trial_work(data, initial, trials: list[dict[str, Any]], epochs: int) -> np.ndarray:
    """Each trial's share of a search's work: its epochs at its batch size, priced as optviz.nets.steps's forecast
    prices them (steps of a fixed cost plus the work per sample, and each epoch's evaluation); sums to 1.

    A trial of batch 16 takes about eight times the steps of one of batch 128: counting trials × epochs alone
    would tell the time left from a pace that changes with every trial."""
    from .steps import estimated_seconds

    weights = sum(parameter.numel() for parameter in initial.parameters())
    count, evaluated = len(data.x_train), len(data.x_train) + len(data.x_val)
    cost = np.asarray([estimated_seconds(count, evaluated, trial["batch_size"], epochs, weights)
                       for trial in trials], dtype=np.float64)
    return cost / cost.sum() if cost.sum() > 0 else np.full(len(trials), 1 / max(len(trials), 1))


def random_search(data, spec, lane: Lane, config, initial, settings: SearchSettings = SearchSettings(),
                  on_epoch: Callable[[int, int], bool] | None = None,
                  on_progress: Callable[[float, int, int], None] | None = None) -> dict[str, Any]:
    """The search's trials trained one after another. `on_epoch(trial, epoch)` after every epoch of every trial;
    returning False stops: the finished trials are kept, the interrupted one is dropped.
    `on_progress(fraction, trial, epoch)` just before each on_epoch, with the fraction of the search's work done
    (trial_work: every trial priced by its epochs and batch size); a trial that ends before its last epoch
    (diverged, stopped early, refused) moves it on to that trial's end.

    Returns {"trials": the finished ones (in the order drawn), "planned": how many were drawn, "best": the index of
    the best, "ranges": where they were drawn}. A trial that cannot train (a refused setting) has "error"."""
    settings.check()
    trials = draw_trials(lane, settings, config.batch_size)
    shares = trial_work(data, initial, trials, settings.epochs)
    before = np.concatenate([[0.0], np.cumsum(shares)])
    finished: list[dict[str, Any]] = []
    stopped = False
    for number, trial in enumerate(trials):
        reached = 0

        def advance(epoch, _history, number=number) -> bool:
            nonlocal stopped, reached
            reached = epoch
            if on_progress is not None:
                on_progress(float(before[number] + shares[number] * epoch / settings.epochs), number, epoch)
            if on_epoch is not None and on_epoch(number, epoch) is False:
                stopped = True
            return not stopped

        try:
            outcome = run_trial(data, spec, lane, config, initial, trial, settings.epochs, advance)
        except (ValueError, RuntimeError) as error:
            outcome = {**trial, "error": str(error)[:200], "val_loss": math.inf, "val_acc": math.nan}
        if stopped:
            break
        finished.append(outcome)
        if on_progress is not None and reached < settings.epochs:  # ended early: its remaining epochs are not work
            on_progress(float(min(before[number + 1], 1.0)), number, outcome.get("epochs_run", reached))
    ranges = search_ranges(lane, settings.lr_span)
    return {"trials": finished, "planned": len(trials), "best": best_trial(finished), "ranges": ranges,
            "searched_batch": bool(settings.batch_sizes)}
