"""What importing a module really loads (import-linter checks the source; this checks a fresh interpreter): the
engine needs no torch, plotly or streamlit, and the networks' plain NumPy modules need no torch."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "plotly", "streamlit", "sklearn", "sympy")


def heavy_after_each(modules: list[str]) -> list[set[str]]:
    """The heavy libraries loaded after importing each of `modules` in turn, in one fresh interpreter."""
    code = ("import importlib, json, sys\n"
            f"heavy = {list(HEAVY)!r}\n"
            "found = []\n"
            f"for module in {modules!r}:\n"
            "    importlib.import_module(module)\n"
            "    found.append(sorted({name.split('.')[0] for name in sys.modules} & set(heavy)))\n"
            "print(json.dumps(found))\n")
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True).stdout
    return [set(names) for names in json.loads(output)]


def test_importing_the_engine_lane_theory_and_the_networks_numpy_modules_loads_no_heavy_library():
    light = ["optviz.engine", "optviz.lane", "optviz.parallel", "optviz.theory", "optviz.nets", "optviz.nets.steps"]
    found = heavy_after_each([*light, "optviz.nets.data"])
    assert found[:-1] == [set()] * len(light)
    assert found[-1] <= {"sklearn"}  # the digits come from scikit-learn's bundled copy


@pytest.mark.slow
def test_the_probe_sees_a_heavy_import():
    assert "torch" in heavy_after_each(["optviz.nets.train"])[0]
