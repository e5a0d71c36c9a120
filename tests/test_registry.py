"""Every registry entry is complete: labels and help in both languages, LaTeX in both conventions."""

import itertools
import re

import pytest

from optviz.engine import CONVENTIONS, OPTIMIZERS, SCHEDULES, TRICKS, build, describe, format_latex
from optviz.engine.registry import optimizer_latex, schedule_latex, trick_latex
from optviz.engine.spec import BOOL

ENTRIES = [*OPTIMIZERS.values(), *TRICKS.values(), *SCHEDULES.values()]
CJK = re.compile(r"[\u4e00-\u9fff]")


def balanced(latex):
    depth = 0
    for character in latex.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.kind}-{e.name}" for e in ENTRIES])
def test_entry_has_both_languages(entry):
    assert entry.label_en and entry.label_zh and entry.summary_en and entry.summary_zh
    assert CJK.search(entry.summary_zh), "the Chinese summary is Chinese"
    for spec in entry.specs.values():
        assert spec.label_en and spec.label_zh and spec.help_en and spec.help_zh, spec.name
        assert spec.symbol, spec.name
        assert spec.kind == BOOL or (spec.ui_low is not None and spec.ui_high is not None), spec.name
        spec.validate(spec.default, entry.name)  # every default is allowed


def option_sets(entry):
    """Defaults, and every boolean option switched on (the formula changes with them)."""
    booleans = [name for name, spec in entry.specs.items() if spec.kind == BOOL]
    base = {name: (0.5 if name in ("momentum", "weight_decay", "dampening", "lr_decay") else spec.default)
            for name, spec in entry.specs.items()}
    for values in itertools.product([False, True], repeat=len(booleans)):
        options = {**base, **dict(zip(booleans, values, strict=False))}
        if options.get("nesterov"):
            options["dampening"] = 0.0
        yield options


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_latex_for_every_option_and_convention(name, convention):
    for options in [OPTIMIZERS[name].defaults(), *option_sets(OPTIMIZERS[name])]:
        symbolic = optimizer_latex(name, convention, options)
        live = optimizer_latex(name, convention, options, live=True)
        assert balanced(symbolic) and balanced(live)
        assert "{{" not in symbolic and "{{" not in live
        assert r"\theta_t" in symbolic
        assert format_latex(options["lr"]) in live


def test_formulas_differ_where_the_conventions_differ():
    for name in ("momentum", "adagrad", "rmsprop"):
        assert optimizer_latex(name, "pytorch") != optimizer_latex(name, "textbook")
    assert r"\sqrt{s_t} + \epsilon" in optimizer_latex("adagrad", "pytorch")
    assert r"\sqrt{s_t + \epsilon }" in optimizer_latex("adagrad", "textbook")


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", list(TRICKS))
def test_trick_latex(name, convention):
    latex = trick_latex(name, convention)
    assert balanced(latex) and "{{" not in latex


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_latex_and_pipeline_formula(name):
    latex = schedule_latex(name)
    live = schedule_latex(name, base_lr=0.1)
    assert latex.startswith(r"\eta_t =") and balanced(latex) and "{{" not in latex and "{{" not in live
    pipeline_latex = build("adam", {"lr": 0.1}, schedule=(name, {})).latex(live=True)
    assert r"\eta_t" in pipeline_latex and balanced(pipeline_latex)


def test_live_values_keep_their_precision():
    live = optimizer_latex("adam", "pytorch", {"lr": 0.001, "beta2": 0.999, "eps": 1e-8}, live=True)
    assert "0.999" in live and "10^{-8}" in live and "0.001" in live
    assert format_latex(0.9999) == "0.9999" and format_latex(3e-5) == r"3\times 10^{-5}"


def test_describe_lists_everything():
    data = describe()
    assert [entry["name"] for entry in data["optimizers"]] == list(OPTIMIZERS)
    assert {"optimizers", "tricks", "schedules"} <= set(data)
    adam = next(entry for entry in data["optimizers"] if entry["name"] == "adam")
    assert [spec["name"] for spec in adam["hyperparameters"]][:3] == ["lr", "beta1", "beta2"]


def test_torch_defaults():
    defaults = {name: entry.defaults() for name, entry in OPTIMIZERS.items()}
    assert defaults["sgd"]["lr"] == 1e-3 and defaults["adagrad"]["lr"] == 1e-2 and defaults["adagrad"]["eps"] == 1e-10
    assert defaults["rmsprop"]["alpha"] == 0.99 and defaults["rmsprop"]["eps"] == 1e-8
    assert (defaults["adam"]["beta1"], defaults["adam"]["beta2"], defaults["adam"]["eps"]) == (0.9, 0.999, 1e-8)
    assert defaults["adamw"]["weight_decay"] == 1e-2 and defaults["adam"]["weight_decay"] == 0.0
