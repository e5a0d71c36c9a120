"""The message catalog: every user-visible string of the interface, one JSON file per language.

Keys are dotted names (``home.title``); values may hold ``{name}`` fields filled by ``text(..., name=...)``.
Registry entries (optimizers, tricks, schedules, hyperparameters) carry their own labels in both languages.
"""

from __future__ import annotations

import json
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"

_FOLDER = Path(__file__).parent
CATALOGS: dict[str, dict[str, str]] = {
    code: json.loads((_FOLDER / f"{code}.json").read_text(encoding="utf-8")) for code in LANGUAGES
}


def text(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """The message `key` in `lang` with `fields` filled in; KeyError if the key is missing (a bug)."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    message = catalog[key]
    return message.format(**fields) if fields else message
