"""The same URL and seed give identical numbers across restarts: two fresh processes (with different hash seeds,
so that nothing may depend on the order of a set or dict of strings) print what the pages show, and every table
and metric is equal, character for character, and so are digests of full-precision paths and of a network's every
step loss and final weights."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.server


def shown(hash_seed: str) -> dict:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, str(ROOT / "tests" / "reproduce.py")], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=240, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads(finished.stdout)


@pytest.mark.timeout(600)
def test_the_same_url_and_seed_give_the_same_numbers_after_a_restart():
    first, second = shown("1"), shown("2")
    for page in ("playground", "landscape", "networks", "network_landscape", "bits"):
        assert first[page], f"{page} showed no numbers"
        assert first[page] == second[page], page
    assert "| SGD |" in first["playground"][0] and "λ_max" in first["network_landscape"][0]
