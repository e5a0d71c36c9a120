"""The labs page under AppTest: every tab draws; changing the depth and adding residuals changes the story."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "labs.py")


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=180)
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def ratio(app):
    text = app.info[0].value
    return float(text.split("is ")[1].split(" times")[0])


TABS = {"Vanishing gradients": 1, "Initialization": 1, "Overfitting and regularization": 1,
        "Learning-rate schedules": 2, "Loss functions": 2, "Saddles, plateaus, local minima": 3, "Normalization": 1,
        "Gradient clipping": 2, "RNN vs LSTM": 2}


def test_the_page_opens_on_one_tab_and_computes_only_that_one():
    app = start({"lab_depth": 10, "lab_steps": 5})
    assert not app.exception and not app.error
    assert app.session_state["lab_tab"] == "Vanishing gradients"
    assert len(app.get("plotly_chart")) == 1


def test_every_lab_draws():
    app = start({"lab_depth": 10, "lab_steps": 5})
    formulas = []
    for title, charts in TABS.items():
        app.session_state["lab_tab"] = title
        app.run()
        assert not app.exception and not app.error, title
        assert len(app.get("plotly_chart")) == charts, title
        assert app.latex, f"{title} shows no formula"
        formulas += [block.value for block in app.latex]
    formulas = " ".join(formulas)
    # the engine's own live formulas: the L1 link of the regularization lab, clipping on the cliff, noisy SGD
    for piece in (r"0.003\,\operatorname{sign}", r"\operatorname{clip}(g_t, -1, 1)", r"0.5\,\xi_t",
                  r"\operatorname{Var}(w) = 1", r"\text{LSTM}", r"\text{BatchNorm}"):
        assert piece in formulas, piece


def test_the_open_tab_survives_a_language_switch():
    app = start({"lab_tab": "Gradient clipping"})
    app.session_state["lang"] = "zh"
    app.run()
    assert not app.exception
    assert app.session_state["lab_tab"] == "梯度裁剪" and len(app.get("plotly_chart")) == 2


def test_residual_connections_bring_the_gradient_back():
    plain = ratio(start({"lab_depth": 20, "lab_steps": 5}))
    residual = ratio(start({"lab_depth": 20, "lab_steps": 5, "lab_residual": True}))
    assert plain < 1e-8 and residual > 1e3 * plain


def test_chinese():
    app = start({"lang": "zh", "lab_depth": 5, "lab_steps": 5})
    assert not app.exception
    assert app.title[0].value == "训练技巧实验室"


def test_the_clipping_lab_reports_the_unclipped_run_diverging():
    app = start({"lab_tab": "Gradient clipping", "lab_clip_gain": 1.15, "lab_clip_length": 30})
    assert not app.exception
    rows = [block.value for block in app.markdown if "no clipping" in block.value]
    assert rows, "the clipping table is missing"
    line = next(line for line in rows[-1].splitlines() if "no clipping" in line)
    assert "—" not in line.split("|")[2]  # the epoch it diverged at
