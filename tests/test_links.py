"""The landscape's "open in playground" link: it carries the user's language and every value exactly, and the
playground opened from it runs that exact lane (no rounding to a slider's step)."""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from optviz.runs import Lane
from optviz.ui.landscape import exact_text, playground_url

PLAYGROUND = str(Path(__file__).resolve().parent.parent / "pages" / "playground.py")


def query_of(url: str) -> dict[str, str]:
    assert url.startswith("playground?")
    return {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}


@pytest.mark.parametrize("value", [0.29264, 0.2926470588235294, 1e-08, -1.5, 2.0, 0.1 + 0.2, 1 / 3])
def test_exact_text_reads_back_as_the_same_float(value):
    assert float(exact_text(value)) == value


def test_the_link_carries_the_language_and_exact_values():
    lane = Lane("adam", (("beta1", 0.2926470588235294), ("lr", 0.05)))
    query = query_of(playground_url("quadratic:a=1,b=10", lane, (0.1234567891, -2.0), 300, lang="zh"))
    assert query["lang"] == "zh"
    assert query["start"] == "0.1234567891,-2"
    assert query["lane1"] == "adam;beta1=0.2926470588235294;lr=0.05"
    assert query["surface"] == "quadratic:a=1,b=10" and query["steps"] == "300" and query["conv"] == "pytorch"


def test_the_playground_opened_from_the_link_keeps_the_exact_values():
    lane = Lane("adam", (("beta1", 0.29264), ("lr", 0.05)))
    query = query_of(playground_url("rosenbrock", lane, (-1.2345678, 2.0), 200, lang="zh"))
    app = AppTest.from_file(PLAYGROUND, default_timeout=60)
    app.query_params.update(query)
    app.session_state["lang"] = query["lang"]  # what app.py's init_language does with ?lang=
    app.run()
    assert not app.exception and not app.warning
    assert app.session_state["pg_0_hp_beta1"] == 0.29264
    assert app.number_input(key="pg_x0").value == -1.2345678
    assert "beta1=0.29264" in str(app.query_params["lane1"])
    assert str(app.query_params["start"]).startswith("-1.2345678,")
