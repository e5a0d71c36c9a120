"""Every keyed input widget keeps its value for the session (persist_state="session"). Without it Streamlit drops
a widget's value when the user visits another page, and coming back to the playground raised KeyError (found by
tests/test_load.py). A widget added without it fails here, before a learner finds it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = {"slider", "select_slider", "number_input", "selectbox", "multiselect", "toggle", "checkbox", "radio",
          "segmented_control", "text_input", "text_area", "pills", "color_picker", "date_input", "time_input"}
EXEMPT = {"_SWITCH_KEY"}  # the language switch: app.py draws it on every page, its value never goes stale


def keyed_inputs():
    scripts = [*(ROOT / "pages").glob("*.py"), *(ROOT / "optviz" / "ui").glob("*.py"), ROOT / "app.py"]
    for path in sorted(scripts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            keywords = {keyword.arg: keyword for keyword in node.keywords}
            if name in INPUTS and "key" in keywords:
                key = keywords["key"].value
                if isinstance(key, ast.Name) and key.id in EXEMPT:
                    continue
                yield f"{path.relative_to(ROOT)}:{node.lineno}", keywords


def test_every_keyed_input_widget_persists_for_the_session():
    found = list(keyed_inputs())
    assert len(found) > 60
    missing = [place for place, keywords in found
               if not (isinstance(keywords.get("persist_state"), ast.keyword)
                       and getattr(keywords["persist_state"].value, "value", None) == "session")]
    assert missing == []


def test_every_multiselect_has_a_placeholder_in_the_users_language():
    # Streamlit's own placeholder ("Choose options") is English only: an empty box on the Chinese page showed it
    calls = []
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "optviz" / "ui").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "multiselect":
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", {k.arg for k in node.keywords}))
    assert len(calls) >= 4
    assert [place for place, keywords in calls if "placeholder" not in keywords] == []
