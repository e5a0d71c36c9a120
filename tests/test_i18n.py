"""The message catalogs: the same keys in both languages, the same {fields}, nothing empty."""

import re
import string

from optviz.i18n import CATALOGS, LANGUAGES, text

CJK = re.compile(r"[\u4e00-\u9fff]")


def fields(message):
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_both_languages_have_the_same_keys():
    assert set(CATALOGS) == set(LANGUAGES) == {"en", "zh"}
    assert set(CATALOGS["en"]) == set(CATALOGS["zh"])


def test_same_fields_and_nothing_empty():
    for key, english in CATALOGS["en"].items():
        chinese = CATALOGS["zh"][key]
        assert english.strip() and chinese.strip(), key
        assert fields(english) == fields(chinese), key


def test_chinese_catalog_is_translated():
    """A Chinese message may equal the English one only if it holds no English word: names and formulas."""
    words = re.compile(r"[A-Za-z]{4,}")
    names = {"optviz", "Language", "Xavier", "Glorot", "Kaiming", "Adam"}  # people, the app, Adam keep their names
    untranslated = [key for key, value in CATALOGS["zh"].items()
                    if value == CATALOGS["en"][key] and set(words.findall(value)) - names]
    assert untranslated == []
    chinese = sum(bool(CJK.search(value)) for value in CATALOGS["zh"].values())
    assert chinese >= 0.9 * len(CATALOGS["zh"])


def test_text_fills_fields():
    assert "“xx”" in text("app.bad_query", "en", name="lang", value="xx")
    assert text("nav.home", "zh") == "首页"
