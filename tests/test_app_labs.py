"""The labs page under AppTest: one lesson at a time, picked in the header by a language-free key (also in the URL);
every lesson draws; captions quote the run's own numbers; names and colours hold across a page and a language."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optviz.ui.labs import LESSONS

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "labs.py")
FAST = {"lab_depth": 10, "lab_steps": 5}


def start(state=None, query=None):
    app = AppTest.from_file(PAGE, default_timeout=240)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def ratio(app):
    text = app.info[0].value
    return float(text.split("is ")[1].split(" times")[0])


def figures(app):
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


CHARTS = {"vanishing": 1, "init": 1, "overfitting": 1, "schedules": 2, "losses": 2, "difficulties": 1,
          "normalization": 1, "clipping": 1, "rnn": 2, "attention": 3}


def test_the_page_opens_on_the_first_lesson_and_computes_only_it():
    app = start(FAST)
    assert not app.exception and not app.error
    assert app.session_state["lab"] == "vanishing"
    picker = app.selectbox(key="lab")
    assert picker.options == ["Vanishing gradients", "Initialization", "Overfitting and regularization",
                              "Learning-rate schedules", "Loss functions", "Saddles, plateaus, local minima",
                              "Normalization", "Gradient clipping", "RNN vs LSTM", "Attention vs RNN"]
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.slow
def test_every_lab_draws():
    app = start({**FAST, "lab_clip_length": 10, "lab_clip_gain": 1.05, "lab_att_lengths": [5, 10]})
    assert tuple(CHARTS) == LESSONS
    formulas = []
    for lesson, charts in CHARTS.items():
        app.selectbox(key="lab").set_value(lesson).run()
        assert not app.exception and not app.error, lesson
        assert app.session_state["lab"] == lesson
        assert len(app.get("plotly_chart")) == charts, lesson
        assert app.latex, f"{lesson} shows no formula"
        formulas += [block.value for block in app.latex]
    app.selectbox(key="lab").set_value("clipping")
    app.session_state["lab_clip_part"] = "cliff"
    app.run()
    assert not app.exception and len(app.get("plotly_chart")) == 1
    formulas = " ".join(formulas + [block.value for block in app.latex])
    # the engine's own live formulas: the L1 link of the regularization lab, clipping on the cliff, noisy SGD
    for piece in (r"0.003\,\operatorname{sign}", r"\operatorname{clip}(g_t, -1, 1)", r"0.5\,\xi_t",
                  r"\operatorname{Var}(w) = 1", r"c_t = f_t", r"\text{BatchNorm}", r"t-1 \ge 20"):
        assert piece in formulas, piece
    assert "otherwise" not in formulas


def test_the_lesson_and_a_select_box_survive_a_language_switch():
    app = start({**FAST, "lab_norm": "batch"})
    app.selectbox(key="lab").set_value("schedules").run()
    app.session_state["lang"] = "zh"
    app.run()
    assert not app.exception
    assert app.session_state["lab"] == "schedules"
    assert app.selectbox(key="lab").value == "schedules"
    assert "学习率调度" in app.selectbox(key="lab").options[3]
    # (AppTest formats options outside the script run, in English: the lesson is set by its key here; the browser
    # test drives the real select boxes across a switch)
    app.session_state["lab"] = "vanishing"
    app.run()
    assert app.session_state["lab_norm"] == "batch"


def test_a_link_opens_its_lesson_and_an_unknown_one_is_named():
    app = start(FAST, {"lab": "init"})
    assert not app.exception and app.session_state["lab"] == "init"
    assert app.query_params["lab"] == "init"
    app = start(FAST, {"lab": "nonsense"})
    assert app.session_state["lab"] == "vanishing"
    assert any("nonsense" in warning.value for warning in app.warning)


def test_residual_connections_bring_the_gradient_back():
    plain = ratio(start({"lab_depth": 20, "lab_steps": 5}))
    residual = ratio(start({"lab_depth": 20, "lab_steps": 5, "lab_residual": True}))
    assert plain < 1e-8 and residual > 1e3 * plain


def test_the_clipping_caption_quotes_its_own_settings():
    app = start({"lab": "clipping", "lab_clip_gain": 1.05, "lab_clip_length": 10})
    assert not app.exception
    caption = app.info[0].value
    assert "Gain 1.05 over 10 steps" in caption and "1.63 times" in caption
    assert "66" not in caption and "1.15" not in " ".join(block.value for block in app.markdown)


@pytest.mark.slow
def test_the_clipping_lab_reports_the_unclipped_run_diverging():
    app = start({"lab": "clipping", "lab_clip_gain": 1.15, "lab_clip_length": 30})
    assert not app.exception
    assert "about 66.2 times" in app.info[0].value and "Diverged: no clipping" in app.info[0].value
    rows = [block.value for block in app.markdown if "no clipping" in block.value]
    line = next(line for line in rows[-1].splitlines() if "no clipping" in line)
    assert "—" not in line.split("|")[2]  # the epoch it diverged at


def test_the_overfitting_lab_says_batchnorm_is_no_remedy_here():
    app = start({"lab": "overfitting"})
    assert not app.exception
    assert "BatchNorm's gap (3." in app.info[0].value and "full batch" in app.info[0].value


def test_each_loss_keeps_its_colour_on_both_charts():
    margins, training = figures(start({"lab": "losses"}))
    colour = {trace["name"]: trace["line"]["color"] for trace in margins["data"]}
    assert len(set(colour.values())) == 3
    assert all(colour[trace["name"]] == trace["line"]["color"] for trace in training["data"])


def test_chinese_lane_names_and_no_english_lane_labels():
    app = start({"lang": "zh", "lab": "difficulties"})
    assert not app.exception
    names = {trace.get("name") for trace in figures(app)[0]["data"]}
    assert {"动量法", "SGD + 噪声"} <= names and not {"Momentum", "SGD + noise"} & names
    assert app.selectbox(key="lab").value == "difficulties"


@pytest.mark.slow
def test_the_attention_lab_trains_three_networks_per_length_and_reads_its_own_numbers():
    import base64

    import numpy as np

    app = start({"lab": "attention", "lab_att_lengths": [5, 100], "lab_att_epoch": 0})
    assert not app.exception and not app.error
    caption = app.info[0].value
    assert caption.startswith("At length 100: attention ") and "(uniform would be 0.010)" in caption
    rows = [line for block in app.markdown if "| sequence length |" in block.value for line in block.value.splitlines()]
    assert rows[0] == "| sequence length | vanilla RNN (tanh) | LSTM | attention |" and len(rows) == 4
    attention_100 = float(rows[-1].split("|")[4].strip().rstrip(" %"))
    rnn_100 = float(rows[-1].split("|")[2].strip().rstrip(" %"))
    assert attention_100 > 90 and rnn_100 < 70  # the long-range task: only attention reaches the first number
    accuracy, learning, sequences = figures(app)
    assert [trace["name"] for trace in accuracy["data"]] == ["vanilla RNN (tanh)", "LSTM", "attention"]

    def heat(trace):
        z = trace["customdata"]  # the weights (the colour is their log)
        if isinstance(z, dict):  # a typed array
            shape = tuple(int(n) for n in z["shape"].split(","))
            return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
        return np.asarray(z, dtype=float)

    np.testing.assert_allclose(heat(learning["data"][0]).sum(axis=1), 1.0, atol=1e-4)  # every epoch's weights
    np.testing.assert_allclose(heat(sequences["data"][0]).sum(axis=1), 1.0, atol=1e-4)  # every sequence's
    assert heat(learning["data"][0]).shape[1] == 100 and "after epoch 0" in sequences["layout"]["title"]["text"]
    assert any("softmax" in block.value for block in app.latex)
