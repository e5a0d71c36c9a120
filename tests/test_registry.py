"""Every registry entry is complete: labels and help in both languages, LaTeX in both conventions, page defaults, a
reference, and cases in the shared table (tests/cases.py) that move every one of its settings."""

import itertools
import re

import pytest

from optviz.engine import (
    CONVENTIONS,
    OPTIMIZERS,
    SCHEDULES,
    TRICKS,
    build,
    describe,
    format_latex,
    optimizer_entry,
    schedule_entry,
    trick_entry,
)
from optviz.engine.registry import optimizer_latex, schedule_latex, trick_latex
from optviz.engine.spec import BOOL

from .cases import CASES

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
    assert adam["reference"] == "torch.optim.Adam" and list(adam["page_defaults"]["primary"]) == ["lr", "beta1"]
    assert data["schedules"][1]["reference"] == "StepLR" and "page_defaults" not in data["schedules"][1]


def test_torch_defaults():
    defaults = {name: entry.defaults() for name, entry in OPTIMIZERS.items()}
    assert defaults["sgd"]["lr"] == 1e-3 and defaults["adagrad"]["lr"] == 1e-2 and defaults["adagrad"]["eps"] == 1e-10
    assert defaults["rmsprop"]["alpha"] == 0.99 and defaults["rmsprop"]["eps"] == 1e-8
    assert (defaults["adam"]["beta1"], defaults["adam"]["beta2"], defaults["adam"]["eps"]) == (0.9, 0.999, 1e-8)
    assert defaults["adamw"]["weight_decay"] == 1e-2 and defaults["adam"]["weight_decay"] == 0.0


# ---------------------------------------------------------------- one entry, one table: what an entry must carry


def test_the_shared_table_has_cases_for_every_registered_name():
    """Registering an optimizer, trick or schedule without a row in tests/cases.py fails here."""
    optimizers = {lane.optimizer for lane in CASES}
    tricks = {name for lane in CASES for name, _ in lane.tricks}
    schedules = {lane.schedule[0] for lane in CASES if lane.schedule is not None}
    assert set(OPTIMIZERS) - optimizers == set(), "optimizers without a parity case"
    assert set(TRICKS) - tricks == set(), "tricks without a parity case"
    assert set(SCHEDULES) - schedules == set(), "schedules without a parity case"


def _moved(entry, rows):
    """The settings of `entry` that some row sets to a value other than its default."""
    moved = set()
    for settings in rows:
        moved |= {name for name, value in settings if value != entry.specs[name].default}
    return moved


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.kind}-{e.name}" for e in ENTRIES])
def test_every_setting_is_moved_off_its_default_in_some_case(entry):
    """A hyperparameter no case moves is a hyperparameter nothing checks against the reference (unless the reference
    cannot mirror it: torch.optim's Adam always corrects its bias)."""
    if entry.kind == "optimizer":
        rows = [lane.hyperparameters for lane in CASES if lane.optimizer == entry.name]
    elif entry.kind == "trick":
        rows = [settings for lane in CASES for name, settings in lane.tricks if name == entry.name]
    else:
        rows = [lane.schedule[1] for lane in CASES if lane.schedule is not None and lane.schedule[0] == entry.name]
    unchecked = set(entry.specs) - _moved(entry, rows)
    for name in sorted(unchecked):
        spec = entry.specs[name]
        other = (not spec.default) if spec.kind == BOOL else spec.ui_high
        assert entry.reference_problem({name: other}) is not None, f"no case moves {entry.name}.{name}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.kind}-{e.name}" for e in ENTRIES])
def test_every_entry_has_a_reference_that_mirrors_its_defaults(entry):
    assert entry.reference is not None and entry.reference.name
    assert entry.reference_problem() is None


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_has_valid_page_defaults(name):
    entry = OPTIMIZERS[name]
    page = entry.page
    assert page is not None
    entry.specs["lr"].validate(page.playground_lr, name)
    entry.specs["lr"].validate(page.network_lr, name)
    assert page.primary[0] == "lr" and set(page.primary) <= set(entry.specs)
    assert page.second_axis != "lr" and entry.specs[page.second_axis].kind == "float"


def test_tricks_and_schedules_have_no_page_defaults():
    assert all(entry.page is None for entry in [*TRICKS.values(), *SCHEDULES.values()])


def test_a_reference_that_cannot_mirror_the_settings_says_why():
    torch = pytest.importorskip("torch")
    params = [torch.zeros(2, dtype=torch.float64, requires_grad=True)]
    assert OPTIMIZERS["adam"].reference_problem({"bias_correction": False}) == "bias_correction"
    with pytest.raises(ValueError, match="adam has no reference implementation for these settings"):
        OPTIMIZERS["adam"].build_reference(torch, params, {"bias_correction": False})
    built = OPTIMIZERS["adamw"].build_reference(torch, params, {"lr": 0.1})
    assert isinstance(built, torch.optim.AdamW) and built.param_groups[0]["weight_decay"] == 1e-2


@pytest.mark.parametrize("lookup", [optimizer_entry, trick_entry, schedule_entry])
def test_an_unknown_name_is_a_clear_error(lookup):
    with pytest.raises(ValueError, match=r"unknown \w+ 'no_such_name': known are "):
        lookup("no_such_name")
