"""The user guides (docs/guide/<language>/<page>.md): one per page in both languages, the same sections, every
control they name in bold spelled as the interface spells it, and each shown by its page."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "docs" / "guide"
PAGES = sorted(re.findall(r'st\.Page\("pages/(\w+)\.py"', (ROOT / "app.py").read_text()))


def test_every_page_has_a_guide_in_both_languages():
    assert len(PAGES) == 7
    for lang in ("en", "zh"):
        assert sorted(path.stem for path in (GUIDES / lang).glob("*.md")) == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_the_two_languages_have_the_same_sections(page):
    english = (GUIDES / "en" / f"{page}.md").read_text(encoding="utf-8")
    chinese = (GUIDES / "zh" / f"{page}.md").read_text(encoding="utf-8")
    assert english.startswith("# ") and chinese.startswith("# ")
    assert len(re.findall(r"^## ", english, re.M)) == len(re.findall(r"^## ", chinese, re.M)) >= 2
    assert len(english) > 1000 and len(chinese) > 500
    assert re.search(r"[\u4e00-\u9fff]", chinese) and not re.search(r"[\u4e00-\u9fff]", english)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_controls_in_bold_are_named_as_the_interface_names_them(lang):
    labels = set(json.loads((ROOT / "optviz" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")).values())
    for path in sorted((GUIDES / lang).glob("*.md")):
        for name in re.findall(r"\*\*(.+?)\*\*", path.read_text(encoding="utf-8")):
            assert name in labels, f"{path.name}: **{name}** is not a label of the interface"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_page_shows_its_guide(lang):
    for page in ("playground", "labs"):
        app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.run()
        assert not app.exception
        # the guide sits in the header's "How to use this page" popover (AppTest draws a popover's content)
        assert len(app.get("popover")) >= 1
        first_section = re.search(r"^## (.+)$", (GUIDES / lang / f"{page}.md").read_text(encoding="utf-8"), re.M)
        assert any(first_section.group(1) in element.value for element in app.markdown)
