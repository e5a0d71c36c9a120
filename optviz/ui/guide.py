"""Each page's user guide (docs/guide/<language>/<page>.md), shown in a collapsed expander under the page's title."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from .i18n import language, t

GUIDES = Path(__file__).resolve().parents[2] / "docs" / "guide"


@lru_cache(maxsize=32)
def guide_text(lang: str, page: str) -> str:
    """The guide of `page` in `lang`, without its title (the page has one) and with smaller headings."""
    lines = (GUIDES / lang / f"{page}.md").read_text(encoding="utf-8").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#### " + line[3:] if line.startswith("## ") else line for line in lines).strip()


def guide(page: str) -> None:
    """The guide of `page` in the user's language, in an expander (closed until the user opens it)."""
    with st.expander(t("app.guide"), icon=":material/menu_book:"):
        st.markdown(guide_text(language(), page))
        st.caption(t("app.guide_file", path=f"docs/guide/{language()}/{page}.md"))
