"""One-click lessons for the playground: a surface, a start, a step count and the lanes to compare.

Their titles and two-sentence commentaries live in the message catalog (preset.<name>.title / .text). Each
preset was run while it was written, and tests/test_presets.py checks that it still shows what its text says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """A playground set-up: lanes are (optimizer, settings) in the flat vocabulary of optviz.runs."""

    name: str
    surface: str
    start: tuple[float, float]
    steps: int
    lanes: tuple[tuple[str, dict], ...]
    convention: str = "pytorch"
    view: str | None = None  # the view the lesson opens in (None: the one the learner had)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("momentum_valley", "rosenbrock", (-1.5, 2.0), 2000, (
            ("sgd", {"lr": 0.001}),
            ("momentum", {"lr": 0.001, "momentum": 0.9}),
            ("momentum", {"lr": 0.001, "momentum": 0.99}),
        )),
        Preset("saddle_escape", "saddle", (-1.8, 0.0001), 150, (
            ("sgd", {"lr": 0.02}),
            ("adam", {"lr": 0.02}),
            ("sgd", {"lr": 0.02, "noise.std": 0.3, "noise.seed": 1}),
        )),
        Preset("adagrad_fades", "quadratic:a=0.1,b=2", (-5.0, -2.0), 100, (
            ("adagrad", {"lr": 0.4, "eps": 1e-6}),
            ("adagrad", {"lr": 2.0, "eps": 1e-6}),
            ("rmsprop", {"lr": 0.4, "alpha": 0.9, "eps": 1e-6}),
        ), "textbook"),
        Preset("edge_of_stability", "quadratic:a=1,b=10", (-4.0, 3.0), 300, (
            ("sgd", {"lr": 0.09}),
            ("sgd", {"lr": 0.1}),
            ("sgd", {"lr": 0.11}),
            ("momentum", {"lr": 0.11, "momentum": 0.5}),
        )),
        Preset("ill_conditioned", "quadratic:a=0.05,b=10", (-4.0, 3.0), 300, (
            ("sgd", {"lr": 0.09}),
            ("rmsprop", {"lr": 0.1}),
            ("adam", {"lr": 0.3}),
        )),
        Preset("cliff_clipping", "cliff", (-3.0, 1.5), 200, (
            ("sgd", {"lr": 1.0}),
            ("sgd", {"lr": 1.0, "clip_norm.max_norm": 1.0}),
            ("sgd", {"lr": 1.0, "clip_value.clip_value": 1.0}),
        )),
        Preset("lr_decay", "quadratic:a=1,b=1", (3.0, 2.0), 500, (
            ("sgd", {"lr": 0.3, "noise.std": 2.0, "noise.seed": 1}),
            ("sgd", {"lr": 0.3, "noise.std": 2.0, "noise.seed": 1, "schedule": "exponential",
                     "schedule.gamma": 0.98}),
            ("sgd", {"lr": 0.3, "noise.std": 2.0, "noise.seed": 1, "schedule": "cosine",
                     "schedule.total_steps": 500}),
        )),
        Preset("bias_correction", "quadratic:a=1,b=1", (3.0, 2.0), 60, (
            ("adam", {"lr": 0.5, "beta1": 0.9, "beta2": 0.999}),
            ("adam", {"lr": 0.5, "beta1": 0.9, "beta2": 0.999, "bias_correction": False}),
        )),
        Preset("plateau", "plateau", (4.0, 3.0), 800, (
            ("sgd", {"lr": 0.5}),
            ("momentum", {"lr": 0.5, "momentum": 0.99}),
            ("rmsprop", {"lr": 0.05}),
            ("adam", {"lr": 0.1}),
        )),
        Preset("d2l_momentum", "quadratic:a=0.1,b=2", (-5.0, -2.0), 20, (
            ("sgd", {"lr": 0.4}),
            ("sgd", {"lr": 0.6}),
            ("momentum", {"lr": 0.6, "momentum": 0.5}),
        ), "textbook"),
        # linear regression's 100 points: the batch-size lesson (its view runs the first lane at three batch sizes)
        Preset("batch_sizes", "linreg:batch=10", (-1.0, 2.0), 100, (
            ("sgd", {"lr": 0.05}),
        ), view="batches"),
        Preset("sgd_noise", "linreg:batch=1", (-1.0, 2.0), 1000, (
            ("sgd", {"lr": 0.05}),
            ("sgd", {"lr": 0.05, "schedule": "inverse_time", "schedule.decay_rate": 0.01}),
        ), view="overlay"),
    )
}


# The labs' "saddles, plateaus and local minima" tab: each case (surface, start, steps) and the four lanes
# (optimizer, settings as the playground's text fields) run on each; tests hold the tab's captions to them.
DIFFICULTY_CASES = {"saddle": ("saddle", (-1.8, 0.0001), 150),
                    "plateau": ("plateau", (4.0, 3.0), 500),
                    "local_minima": ("bumpy_bowl", (3.5, 3.5), 400)}
DIFFICULTY_LANES = {"SGD": ("sgd", {"lr": "0.05"}), "Momentum": ("momentum", {"lr": "0.05", "momentum": "0.9"}),
                    "Adam": ("adam", {"lr": "0.05"}), "SGD + noise": ("sgd", {"lr": "0.05", "noise.std": "0.5"})}
