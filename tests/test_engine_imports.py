"""What importing a module really loads (import-linter checks the source; this checks a fresh interpreter): the
engine needs no torch, plotly or streamlit, and the networks' plain NumPy modules need no torch."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "plotly", "streamlit", "sklearn", "sympy")


def loaded_after(module: str) -> set[str]:
    code = (f"import json, sys; import {module}; "
            f"print(json.dumps(sorted(name for name in sys.modules if name.split('.')[0] in {list(HEAVY)!r})))")
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True).stdout
    return {name.split(".")[0] for name in json.loads(output)}


@pytest.mark.parametrize(("module", "allowed"), [
    ("optviz.engine", set()),
    ("optviz.lane", set()),
    ("optviz.parallel", set()),
    ("optviz.theory", set()),
    ("optviz.nets", set()),
    ("optviz.nets.data", {"sklearn"}),
    ("optviz.nets.steps", set()),
])
def test_importing_loads_no_heavy_library(module, allowed):
    assert loaded_after(module) <= allowed


def test_the_probe_sees_a_heavy_import():
    assert "torch" in loaded_after("optviz.nets.train")
