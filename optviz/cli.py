"""The command line: the same library as the pages, without the interface.

    python -m optviz list  [--format text|json]
    python -m optviz run   --surface S --optimizer NAME [--set KEY=VALUE]... [--convention pytorch|textbook]
                           [--start X,Y] [--steps N] [--tolerance T] [--format json|csv]
    python -m optviz sweep --surface S --optimizer NAME --x KEY=LO:HI:N[:log] [--y KEY=LO:HI:N[:log]]
                           [--set KEY=VALUE]... [--convention ...] [--start X,Y] [--steps N] [--format json]
    python -m optviz tune  --surface S --optimizer NAME [--set KEY=VALUE]... [--convention ...] [--start X,Y]
                           [--steps N] [--criterion auc|final_loss|steps_to_tolerance] [--lr LO:HI:N]
                           [--second LO:HI:N | --no-second] [--starts K] [--seed S] [--tolerance T]
                           [--format json|text]
    python -m optviz train --dataset NAME [--dataset-set k=v,...] [--model k=v,...] --optimizer NAME
                           [--set KEY=VALUE]... --epochs N [--batch-size B] [--seed S] [--engine optviz|torch]
    python -m optviz lr-find --dataset NAME [--dataset-set k=v,...] [--model k=v,...] --optimizer NAME
                           [--set KEY=VALUE]... [--batch-size B] [--seed S] [--min-lr LO] [--max-lr HI] [--steps N]
                           [--format json|text]
    python -m optviz search --dataset NAME [--dataset-set k=v,...] [--model k=v,...] --optimizer NAME
                           [--set KEY=VALUE]... [--batch-size B] [--seed S] [--trials N] [--epochs N]
                           [--batch-sizes 16,32,...] [--format json|text]

Bad input ends with exit status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from typing import Any

import numpy as np

from optviz import tune
from optviz.engine import CONVENTIONS, OPTIMIZERS, describe
from optviz.engine.spec import parse_boolean
from optviz.lane import lane_from_settings
from optviz.parallel import process_pool, tune_allocator
from optviz.runs import DEFAULT_TOLERANCE, Axis, run_lane, sweep
from optviz.surfaces import FAMILIES, ExpressionError, surface

MAX_STEPS = 100_000
VALUE_OPTIONS = ("--start", "--set", "--x", "--y", "--surface", "--steps", "--tolerance", "--dataset-set", "--model",
                 "--lr", "--second")


class UsageError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m optviz", description="optviz: optimizers on 2D surfaces, from the shell.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="surfaces, optimizers, tricks and schedules")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    for name in ("run", "sweep"):
        command = commands.add_parser(name, help=f"{name} an optimizer on a surface")
        _lane_arguments(command)
        command.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
        if name == "run":
            command.add_argument("--format", choices=("json", "csv"), default="json")
        else:
            command.add_argument("--x", required=True, metavar="KEY=LO:HI:N[:log]")
            command.add_argument("--y", metavar="KEY=LO:HI:N[:log]")
            command.add_argument("--format", choices=("json",), default="json")
    training = commands.add_parser("train", help="train a small network with the engine (or torch.optim)")
    _network_options(training)
    training.add_argument("--epochs", type=int, required=True)
    training.add_argument("--patience", type=int, default=0)
    training.add_argument("--engine", choices=("optviz", "torch"), default="optviz")
    training.add_argument("--format", choices=("json",), default="json")
    _lr_find_parser(commands)
    _search_parser(commands)
    _tune_parser(commands)
    return parser


def _pairs(text: str, option: str) -> dict[str, str]:
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = item.partition("=")
        if not equals:
            raise UsageError(f"{option} {item[:40]!r} should be KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def _boolean(text: str, name: str) -> bool:
    flag = parse_boolean(text)
    if flag is None:
        raise UsageError(f"{name} = {text[:20]!r} should be true or false")
    return flag


def _network_options(command) -> None:
    """The options that choose a network and its data (the train, lr-find and search commands). Their help names
    the allowed values; the lists of the torch modules (activations, inits, norms, losses) are written out here so
    that --help does not import torch (tests/test_lr_find.py checks them against the modules)."""
    from optviz.nets.data import DATASETS, DIGITS, FEATURES  # plain NumPy

    command.add_argument("--dataset", required=True, metavar="NAME",
                         help=f"the data set: {', '.join((*DATASETS, DIGITS))} (plane and multi_gauss are "
                              "regression; digits: 8x8 images, 10 classes)")
    command.add_argument("--dataset-set", default="", metavar="k=v,...",
                         help="the data's settings: size (points, default 500), noise (default 0), validation and "
                              "test (fractions, default 0.2 each), seed, features (joined by +, from "
                              f"{', '.join(FEATURES)}; default x1+x2), standardize (true|false, default true)")
    command.add_argument("--model", default="", metavar="k=v,...",
                         help="the network: hidden (widths, e.g. 16x16; default 8x8), activation "
                              "(tanh|relu|sigmoid|linear, default tanh), init (uniform|normal|lecun|xavier|he, "
                              "default xavier), norm (none|batch|layer), dropout (0 to <1), residual (true|false); "
                              "cnn=true (digits only) with channels (default 8)")
    command.add_argument("--optimizer", required=True, metavar="NAME",
                         help=f"the optimizer: {', '.join(OPTIMIZERS)} (`python -m optviz list` describes them)")
    command.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                         help="an optimizer hyperparameter, e.g. lr=0.1 or weight_decay=1e-4 (repeatable; names "
                              "in `python -m optviz list`)")
    command.add_argument("--batch-size", type=int, default=0, metavar="B",
                         help="mini-batch size (default 0: the full training set as one batch)")
    command.add_argument("--seed", type=int, default=0,
                         help="the seed of the data, the initial network and the batches' order (default 0)")
    command.add_argument("--loss", default="cross_entropy", metavar="NAME",
                         help="the training loss: cross_entropy, mse or hinge (mse and hinge: two classes); "
                              "regression data always uses mean squared error (default cross_entropy)")


def _network(arguments):
    """(data split, network spec) of the --dataset, --dataset-set and --model options."""
    from optviz.nets.data import DIGITS, digits_split, split  # torch only for the network commands
    from optviz.nets.models import CNNSpec, MLPSpec

    data_settings = _pairs(arguments.dataset_set, "--dataset-set")
    model_settings = _pairs(arguments.model, "--model")
    try:
        validation = float(data_settings.pop("validation", 0.2))
        test = float(data_settings.pop("test", 0.2))
        seed = int(data_settings.pop("seed", arguments.seed))
        if arguments.dataset == DIGITS:
            size = data_settings.pop("size", None)
            data = digits_split(seed, validation, test, None if size is None else int(size))
        else:
            data = split(
                arguments.dataset, size=int(data_settings.pop("size", 500)),
                noise=float(data_settings.pop("noise", 0)), seed=seed, validation=validation, test=test,
                chosen=tuple(data_settings.pop("features", "x1+x2").split("+")),
                standardize=_boolean(data_settings.pop("standardize", "true"), "standardize"))
        residual = _boolean(model_settings.pop("residual", "false"), "residual")
        if _boolean(model_settings.pop("cnn", "false"), "cnn"):
            spec = CNNSpec(data.classes, int(model_settings.pop("channels", 8)), residual,
                           model_settings.pop("init", "he"))
        else:
            hidden = tuple(int(width) for width in model_settings.pop("hidden", "8x8").split("x"))
            spec = MLPSpec(
                data.x_train.shape[1], data.classes if data.task == "classification" else 1, hidden,
                model_settings.pop("activation", "tanh"), model_settings.pop("init", "xavier"),
                model_settings.pop("norm", "none"), float(model_settings.pop("dropout", 0)), residual)
    except (TypeError, ValueError) as error:
        raise UsageError(str(error)) from None
    leftover = sorted({*data_settings, *model_settings})
    if leftover:
        raise UsageError(f"unknown setting {leftover[0]!r} in --dataset-set or --model")
    return data, spec


def _command_train(arguments) -> str:
    from optviz.nets.train import TrainConfig, train

    data, spec = _network(arguments)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set))
    config = TrainConfig(epochs=arguments.epochs, batch_size=arguments.batch_size, loss=arguments.loss,
                         patience=arguments.patience, seed=arguments.seed)
    history = train(data, spec, lane, config, arguments.engine)
    return json.dumps({
        "dataset": arguments.dataset, "optimizer": arguments.optimizer, "engine": arguments.engine,
        "train_loss": [_number(v) for v in history.train_loss], "val_loss": [_number(v) for v in history.val_loss],
        "train_acc": [_number(v) for v in history.train_acc], "val_acc": [_number(v) for v in history.val_acc],
        "diverged_at": history.diverged_at, "stopped_at": history.stopped_at, "best_epoch": history.best_epoch,
        "test_loss": _number(history.test_loss), "test_acc": _number(history.test_acc),
    })


def _join_values(argv: list[str]) -> list[str]:
    """'--start -5,-2' → '--start=-5,-2': argparse would read a value starting with '-' as an option."""
    joined: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in VALUE_OPTIONS and index + 1 < len(argv):
            joined.append(f"{token}={argv[index + 1]}")
            index += 2
            continue
        joined.append(token)
        index += 1
    return joined


def _settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--set {pair[:60]!r} should be KEY=VALUE")
        settings[key.strip()] = value
    return settings


def _start(text: str | None, default: tuple[float, float]) -> np.ndarray:
    if text is None:
        return np.asarray(default, dtype=np.float64)
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise UsageError(f"--start {text[:60]!r} should be two numbers X,Y") from None
    if len(values) != 2 or not all(math.isfinite(value) for value in values):
        raise UsageError(f"--start {text[:60]!r} should be two finite numbers X,Y")
    return np.asarray(values)


def _steps(steps: int) -> int:
    if not 0 <= steps <= MAX_STEPS:
        raise UsageError(f"--steps {steps} is out of range: allowed [0, {MAX_STEPS}]")
    return steps


def _number(value: float) -> float | None:
    """JSON has no NaN or infinity: those become null."""
    return float(value) if math.isfinite(value) else None


def _grid(values: np.ndarray, kind=float) -> list:
    if kind is bool:
        return np.asarray(values, dtype=bool).tolist()
    if kind is int:
        return [[None if v < 0 else int(v) for v in row] if np.ndim(row) else (None if row < 0 else int(row))
                for row in np.asarray(values)]
    return [[_number(v) for v in row] if np.ndim(row) else _number(row) for row in np.asarray(values)]


def _command_list(arguments) -> str:
    data = describe()
    data["surfaces"] = []
    for name, family in FAMILIES.items():
        made = family.make()
        data["surfaces"].append({
            "name": name,
            "label": {"en": made.label_en, "zh": made.label_zh},
            "parameters": {key: spec.default for key, spec in family.specs.items()},
            "minima": [list(point) for point in made.minima],
            "f_star": made.f_star,
            "view": list(made.view),
            "starts": [list(point) for point in made.starts],
        })
    if arguments.format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    lines = ["surfaces (NAME, NAME:k=v,... or expr:f(x, y)):"]
    for item in data["surfaces"]:
        settings = ",".join(f"{key}={value:g}" for key, value in item["parameters"].items())
        lines.append(f"  {item['name']:<18} {item['label']['en']}" + (f"  [{settings}]" if settings else ""))
    for group in ("optimizers", "tricks", "schedules"):
        lines.append(f"{group}:")
        for entry in data[group]:
            names = ", ".join(f"{spec['name']}={spec['default']}" for spec in entry["hyperparameters"])
            lines.append(f"  {entry['name']:<18} {names}")
    lines.append("tricks are set with --set NAME=VALUE or --set NAME.SETTING=VALUE; schedules with "
                 "--set schedule=NAME --set schedule.SETTING=VALUE")
    return "\n".join(lines)


def _command_run(arguments) -> str:
    chosen = surface(arguments.surface)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set), arguments.convention)
    start = _start(arguments.start, chosen.starts[0])
    path = run_lane(chosen, lane, start, _steps(arguments.steps), arguments.tolerance)
    diverged_at = int(path.diverged_at)
    rows = path.positions.shape[0] if diverged_at < 0 else diverged_at  # stop at the last finite position
    data = chosen.data  # a data surface: its points and each step's batch make the path reproducible by anyone
    batches = None if data is None or data.full_batch else [data.batch_indices(step).tolist()
                                                            for step in range(rows - 1)]
    if arguments.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        extra = [] if data is None else ["epoch", "batch"]
        writer.writerow(["step", "x", "y", "loss", "grad_x", "grad_y", *extra])
        for step in range(rows):
            row = [step, *map(repr, map(float, path.positions[step])), repr(float(path.loss[step])),
                   *map(repr, map(float, path.grad[step]))]
            if data is not None:  # the batch whose gradient took this row to the next ("all": every point)
                batch = "all" if batches is None else " ".join(map(str, batches[step])) if step < rows - 1 else ""
                row += [repr(float(data.epochs(step))), batch]
            writer.writerow(row)
        return buffer.getvalue().rstrip("\n")
    reached = int(path.steps_to_tolerance)
    extras: dict[str, Any] = {}
    if data is not None:
        extras = {
            "data": {"x": data.x.tolist(), "y": data.y.tolist(), "model": data.kind, "shift": data.shift,
                     "scale": data.scale, "l2": data.l2, "batch": data.batch, "replace": data.replace,
                     "batch_seed": data.batch_seed, "loss_over": "all data"},
            "batches": batches,  # the points of step t's batch (null: every step used all of them)
            "epochs": data.epochs(np.arange(rows)).tolist(),
        }
    return json.dumps({
        "surface": arguments.surface,
        "optimizer": arguments.optimizer,
        "convention": arguments.convention,
        "hyperparameters": _plain({**OPTIMIZERS[lane.optimizer].defaults(), **lane.settings()}),
        "xy": [[float(v) for v in row] for row in path.positions[:rows]],
        "loss": [_number(v) for v in path.loss[:rows]],
        "grad": [[_number(v) for v in row] for row in path.grad[:rows]],
        "diverged_at": None if diverged_at < 0 else diverged_at,
        "steps_to_tolerance": None if reached < 0 else reached,
        **extras,
    })


def _plain(settings: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.item() if isinstance(value, np.generic) else value) for key, value in settings.items()}


def _command_sweep(arguments) -> str:
    chosen = surface(arguments.surface)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set), arguments.convention)
    x = Axis.parse(arguments.x)
    y = Axis.parse(arguments.y) if arguments.y else None
    result = sweep(chosen, lane, x, y, _start(arguments.start, chosen.starts[0]), _steps(arguments.steps),
                   arguments.tolerance, processes=True)
    data: dict[str, Any] = {"x": {"name": x.name, "values": x.values.tolist()}}
    if y is not None:
        data["y"] = {"name": y.name, "values": y.values.tolist()}
    data["final_loss"] = _grid(result.final_loss)
    data["diverged"] = _grid(result.diverged, bool)
    data["steps_to_tolerance"] = _grid(result.steps_to_tolerance, int)
    return json.dumps(data)


def _lane_arguments(command) -> None:
    """The options that put one lane on a surface (run, sweep, tune)."""
    command.add_argument("--surface", required=True, help="NAME, NAME:k=v,k=v or expr:f(x, y)")
    command.add_argument("--optimizer", required=True)
    command.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    command.add_argument("--convention", choices=CONVENTIONS, default="pytorch")
    command.add_argument("--start", help="X,Y (default: the surface's first start)")
    command.add_argument("--steps", type=int, default=100)


def _tune_parser(commands) -> None:
    """The `tune` command's options (optviz/tune.py: a lane's learning rate, and β, tuned on a surface)."""
    command = commands.add_parser("tune", help="tune an optimizer's learning rate (and its β) on a surface")
    _lane_arguments(command)
    command.add_argument("--criterion", choices=tune.CRITERIA, default=tune.DEFAULT_CRITERION,
                         help="auc: mean f - f* over the steps; final_loss: f - f* at the end; steps_to_tolerance")
    command.add_argument("--lr", metavar="LO:HI:N",
                         help=f"learning rates, log-spaced (default: the rate's range, {tune.LR_POINTS} points, "
                              f"{tune.JOINT_POINTS[0]} when tuned jointly with a β)")
    second = command.add_mutually_exclusive_group()
    second.add_argument("--second", metavar="LO:HI:N",
                        help=f"values of the setting tuned with the rate (momentum, beta1), evenly spaced "
                             f"(default: {tune.JOINT_POINTS[1]} values up to {tune.HIGHEST_BETA})")
    second.add_argument("--no-second", action="store_true", help="tune the learning rate alone")
    command.add_argument("--starts", type=int, default=1,
                         help="tune over K starts: the start and K - 1 drawn around it from --seed")
    command.add_argument("--seed", type=int, default=0)
    command.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    command.add_argument("--format", choices=("json", "text"), default="json")


def _count_range(text: str, option: str) -> tuple[float, float, int]:
    """'LO:HI:N' → (LO, HI, N)."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise UsageError(f"{option} {text[:60]!r} should be LO:HI:N (two numbers and a count)") from None
    return low, high, count


def _tuning_grids(arguments, optimizer: str) -> tuple[np.ndarray | None, np.ndarray | bool]:
    """The learning rates (None: tune's default grid) and the β values (True: the default, False: none)."""
    second: np.ndarray | bool = not arguments.no_second
    name = tune.tuned_setting(optimizer)
    if arguments.second is not None:
        if name is None:
            raise UsageError(f"{optimizer} tunes its learning rate alone: --second is not for it")
        low, high, count = _count_range(arguments.second, "--second")
        if not (math.isfinite(low) and math.isfinite(high) and low < high
                and 2 <= count <= tune.MAX_SECOND_POINTS):
            raise UsageError(f"--second {arguments.second[:60]!r}: needs LO < HI and N in "
                             f"[2, {tune.MAX_SECOND_POINTS}]")
        second = np.linspace(low, high, count)
    lrs = None
    if arguments.lr is not None:
        low, high, count = _count_range(arguments.lr, "--lr")
        try:
            lrs = tune.lr_grid(optimizer, low, high, count)
        except ValueError as error:
            raise UsageError(f"--lr {arguments.lr[:60]!r}: {error}") from None
    return lrs, second


def _command_tune(arguments) -> str:
    chosen = surface(arguments.surface)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set), arguments.convention)
    start = _start(arguments.start, chosen.starts[0])
    if not 1 <= arguments.steps <= tune.MAX_STEPS:
        raise UsageError(f"--steps {arguments.steps} is out of range: allowed [1, {tune.MAX_STEPS}]")
    if not 1 <= arguments.starts <= tune.MAX_STARTS:
        raise UsageError(f"--starts {arguments.starts} is out of range: allowed [1, {tune.MAX_STARTS}]")
    if not (math.isfinite(arguments.tolerance) and arguments.tolerance > 0):
        raise UsageError(f"--tolerance {arguments.tolerance:g} should be a positive number")
    lrs, second = _tuning_grids(arguments, lane.optimizer)
    result = tune.tune(chosen, lane, start, arguments.steps, arguments.criterion, lr=lrs, second=second,
                       starts=arguments.starts, seed=arguments.seed, tolerance=arguments.tolerance,
                       pool=process_pool(True))
    if arguments.format == "text":
        return _tuning_text(arguments, result)
    never = result.steps_to_tolerance > result.steps  # diverged, or never below the tolerance
    score = np.where(never, -1, result.score) if result.criterion == "steps_to_tolerance" else result.score
    low, high, decades = result.robust
    return json.dumps({
        "surface": arguments.surface,
        "optimizer": lane.optimizer,
        "convention": arguments.convention,
        "hyperparameters": _plain({**OPTIMIZERS[lane.optimizer].defaults(), **lane.settings()}),
        "criterion": result.criterion,
        "steps": result.steps,
        "tolerance": result.tolerance,
        "seed": arguments.seed,
        "starts": result.starts.tolist(),
        "reference": {"value": result.reference, "known": result.reference_known},
        "lr": result.lr.tolist(),
        "second": None if result.second is None else {"name": result.second_name, "values": result.second.tolist()},
        "score": _grid(score, int) if result.criterion == "steps_to_tolerance" else _grid(score),
        "diverged": _grid(result.diverged, bool),
        "final_loss": _grid(result.final_loss),
        "auc": _grid(result.auc),
        "steps_to_tolerance": _grid(np.where(never, -1, result.steps_to_tolerance), int),
        "best": {"settings": result.settings(), "index": list(result.best_index), "lr": result.best_lr,
                 "second": result.best_second, "score": _number(result.best_score) if result.found else None,
                 "found": result.found},
        "robust": {"low": _number(low), "high": _number(high), "decades": decades, "factor": tune.ROBUST_FACTOR,
                   "flat": result.flat, "isolated": result.isolated},
        "baseline": None if result.baseline is None else _number(result.baseline),
    })


def _tuning_text(arguments, result: tune.Tuning) -> str:
    """A short summary of a tuning for a person."""
    start = ", ".join(f"{value:g}" for value in result.starts[0])
    starts = "1 start" if len(result.starts) == 1 else f"{len(result.starts)} starts around it (seed {arguments.seed})"
    lines = [f"{result.optimizer} on {arguments.surface} from ({start}), {starts}, {result.steps} steps"]
    grid = f"{len(result.lr)} learning rates {result.lr[0]:.3g} … {result.lr[-1]:.3g} (log)"
    if result.second is not None:
        grid += (f" × {len(result.second)} values of {result.second_name} "
                 f"{result.second[0]:.3g} … {result.second[-1]:.3g}")
    lines.append(f"grid: {grid}")
    reference = "f*" if result.reference_known else f"{result.reference:.6g} (the lowest loss found; f* not known)"
    meaning = {"auc": f"the mean of f - {reference} over the steps", "final_loss": f"f - {reference} after the steps",
               "steps_to_tolerance": f"the first step with f - {reference} < {result.tolerance:g}"}[result.criterion]
    lines.append(f"criterion: {result.criterion}, {meaning}" + ("" if len(result.starts) == 1 else
                 (", the slowest start's" if result.criterion == "steps_to_tolerance" else ", averaged over starts")))
    best = ", ".join(f"{name} = {value:g}" for name, value in result.settings().items())
    if result.found:
        score = (f"{result.best_score:.0f} steps" if result.criterion == "steps_to_tolerance"
                 else f"{result.best_score:.3g}")
        lines.append(f"best: {best}  ({result.criterion} {score})")
        low, high, decades = result.robust
        note = ""
        if result.flat:
            note = (f"; flat: the best keeps {result.best_score / result.baseline:.0%} of the smallest rate's "
                    f"{result.baseline:.3g}, the rate hardly matters")
        elif result.isolated:
            note = "; one grid cell: a lucky rate? (try --starts 16)"
        lines.append(f"robust: lr {low:.3g} … {high:.3g} within {tune.ROBUST_FACTOR:g}× of the best "
                     f"({decades:.2f} decades{note})")
    elif result.diverged.all():
        lines.append("best: none: every grid point diverged")
    else:
        lines.append(f"best: none reached the tolerance {result.tolerance:g}; lowest final loss at {best}")
    lines.append(f"diverged: {int(result.diverged.sum())} of {result.diverged.size} grid points")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for bad input)."""
    arguments_list = list(sys.argv[1:] if argv is None else argv)
    tune_allocator()
    try:
        arguments = _parser().parse_args(_join_values(arguments_list))
        command = {"list": _command_list, "run": _command_run, "sweep": _command_sweep,
                   "train": _command_train, "tune": _command_tune, "lr-find": _command_lr_find,
                   "search": _command_search}[arguments.command]
        output = command(arguments)
    except ExpressionError as error:
        print(f"optviz: error: {error.message('en')}", file=sys.stderr)
        return 2
    except (UsageError, ValueError) as error:
        print(f"optviz: error: {str(error).splitlines()[0] if str(error) else 'bad input'}", file=sys.stderr)
        return 2
    sys.stdout.write(output + "\n")
    return 0


# ------------------------------------------------------------------------------------------------ lr-find


def _lr_find_parser(commands) -> None:
    """The `lr-find` command's options: the train command's network and the range test's (optviz/nets/tuning.py)."""
    from optviz.nets.tuning import RANGE_MAX_LR, RANGE_MIN_LR, RANGE_STEPS

    command = commands.add_parser("lr-find", help="the learning-rate range test of a network (Smith 2017; fastai)")
    _network_options(command)
    command.add_argument("--min-lr", type=float, default=RANGE_MIN_LR, metavar="LO",
                         help=f"the first step's learning rate (default {RANGE_MIN_LR:g})")
    command.add_argument("--max-lr", type=float, default=RANGE_MAX_LR, metavar="HI",
                         help=f"the last step's learning rate, at most 1000 (default {RANGE_MAX_LR:g})")
    command.add_argument("--steps", type=int, default=RANGE_STEPS, metavar="N",
                         help=f"mini-batch steps from --min-lr to --max-lr, 5 to 10000 (default {RANGE_STEPS})")
    command.add_argument("--format", choices=("json", "text"), default="json",
                         help="json: every step's rate and loss and the suggestions; text: the suggestions")


def _command_lr_find(arguments) -> str:
    from optviz.nets.models import build
    from optviz.nets.train import TrainConfig
    from optviz.nets.tuning import RangeSettings, range_test

    data, spec = _network(arguments)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set))
    settings = RangeSettings(arguments.min_lr, arguments.max_lr, arguments.steps)
    config = TrainConfig(epochs=1, batch_size=arguments.batch_size, loss=arguments.loss, seed=arguments.seed)
    result = range_test(data, lane, config, build(spec, arguments.seed), settings)
    if arguments.format == "text":
        lines = [f"lr-find: {arguments.optimizer} on {arguments.dataset}, lr {settings.min_lr:g} … {settings.max_lr:g} "
                 f"over {settings.steps} mini-batch steps; {len(result['lrs'])} steps run"
                 + (f" (stopped: {result['stopped']})" if result["stopped"] else "")]
        for name, title in (("steepest", "steepest descent"), ("min_ten", "minimum / 10"), ("minimum", "minimum")):
            value = result[name]
            lines.append(f"{title + ':':<18} {'none' if value is None else f'{value:.3g}'}")
        return "\n".join(lines)
    return json.dumps({
        "dataset": arguments.dataset, "optimizer": arguments.optimizer,
        "min_lr": settings.min_lr, "max_lr": settings.max_lr, "steps": settings.steps, "beta": settings.beta,
        "lrs": [float(value) for value in result["lrs"]], "losses": [_number(v) for v in result["losses"]],
        "smoothed": [_number(v) for v in result["smoothed"]], "stopped": result["stopped"],
        "epochs": result["epochs"],
        "suggestions": {"steepest": result["steepest"], "min_ten": result["min_ten"], "minimum": result["minimum"]},
    })


def _search_parser(commands) -> None:
    """The `search` command's options: the train command's network and the random search's (optviz/nets/tuning.py)."""
    from optviz.nets.tuning import SEARCH_EPOCHS, SEARCH_TRIALS

    command = commands.add_parser("search", help="a random search over learning rate x weight decay for a network")
    _network_options(command)
    command.add_argument("--trials", type=int, default=SEARCH_TRIALS, metavar="N",
                         help=f"how many trainings, 1 to 200 (default {SEARCH_TRIALS})")
    command.add_argument("--epochs", type=int, default=SEARCH_EPOCHS, metavar="N",
                         help=f"epochs per trial (default {SEARCH_EPOCHS})")
    command.add_argument("--batch-sizes", default="", metavar="B,B,...",
                         help="draw each trial's batch size from these (default: --batch-size for all)")
    command.add_argument("--format", choices=("json", "text"), default="json",
                         help="json: every trial and the best; text: a table of the trials")


def _command_search(arguments) -> str:
    from optviz.nets.models import build
    from optviz.nets.train import TrainConfig
    from optviz.nets.tuning import SearchSettings, random_search

    try:
        sizes = tuple(int(size) for size in filter(None, arguments.batch_sizes.split(",")))
    except ValueError:
        raise UsageError(f"--batch-sizes {arguments.batch_sizes[:40]!r} should be whole numbers B,B,...") from None
    data, spec = _network(arguments)
    lane = lane_from_settings(arguments.optimizer, _settings(arguments.set))
    settings = SearchSettings(arguments.trials, arguments.epochs, sizes, arguments.seed)
    config = TrainConfig(epochs=arguments.epochs, batch_size=arguments.batch_size, loss=arguments.loss,
                         seed=arguments.seed)
    result = random_search(data, spec, lane, config, build(spec, arguments.seed), settings)
    trials = [{name: (_number(value) if isinstance(value, float) else value) for name, value in trial.items()}
              for trial in result["trials"]]
    if arguments.format == "text":
        lines = [f"search: {arguments.optimizer} on {arguments.dataset}, {len(trials)} trials of {settings.epochs} "
                 "epochs (best validation loss of each)"]
        for number, trial in enumerate(result["trials"]):
            decay = "—" if trial["weight_decay"] is None else f"{trial['weight_decay']:.2g}"
            mark = "  <- best" if number == result["best"] else ""
            lines.append(f"  lr {trial['lr']:<8.2g} wd {decay:<8} batch {trial['batch_size']:<4} "
                         f"val loss {trial['val_loss']:.4f}{mark}")
        return "\n".join(lines)
    return json.dumps({
        "dataset": arguments.dataset, "optimizer": arguments.optimizer, "trials": trials, "best": result["best"],
        "ranges": result["ranges"], "epochs": settings.epochs, "seed": settings.seed,
    })
