"""The landing page under streamlit's AppTest: it runs, it switches language and convention."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from optviz.engine import OPTIMIZERS, SCHEDULES, TRICKS

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(query=None, lang=None):
    """Run the app once. AppTest drops widgets of the entry script (app.py) on a rerun under st.navigation, so
    the language is preset in the session, as the URL does in a browser; tests/test_browser.py clicks the switch.
    """
    app = AppTest.from_file(APP, default_timeout=30)
    if query:
        app.query_params.update(query)
    if lang:
        app.session_state["lang"] = lang
    return app.run()


def test_home_runs_in_english_with_the_formula_reference():
    app = start()
    assert not app.exception
    assert app.title[0].value.startswith("optviz")
    latex = [element.body for element in app.latex]
    assert len(latex) == len(OPTIMIZERS) + len(TRICKS) + len(SCHEDULES)
    assert any(r"\sqrt{s_t} + \epsilon" in body for body in latex)  # PyTorch form by default
    subheaders = [element.value for element in app.subheader]
    assert "Adam" in subheaders and "Cosine annealing" in subheaders
    assert not app.warning


def test_chinese_translates_the_page():
    app = start(lang="zh")
    assert not app.exception
    assert app.segmented_control(key="lang_switch").value == "zh"
    assert app.title[0].value == "optviz —— 看深度网络如何学习"
    assert "余弦退火" in [element.value for element in app.subheader]
    assert "Cosine annealing" not in [element.value for element in app.subheader]
    assert app.segmented_control(key="home_convention").options[0] == "PyTorch（torch.optim）"


def test_textbook_convention_changes_the_formulas():
    app = start()
    app.segmented_control(key="home_convention").set_value("textbook").run()
    assert not app.exception
    latex = [element.body for element in app.latex]
    assert any(r"\sqrt{s_t + \epsilon }" in body for body in latex)
    assert any(r"v_t = \mu\, v_{t-1} + \eta\, g_t" in body for body in latex)


def test_a_bad_language_in_the_url_is_ignored_with_a_warning():
    app = start({"lang": "<script>alert(1)</script>"})
    assert not app.exception
    assert app.title[0].value.startswith("optviz — watch")
    assert "was ignored" in app.warning[0].value
