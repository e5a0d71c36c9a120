"""Lazy tabs: only the open tab's code runs, and the open tab stays open across a language switch."""

from __future__ import annotations

import streamlit as st

from optviz.i18n import text

from .i18n import language, t


def lazy_tabs(keys: tuple[str, ...], session_key: str) -> list:
    """st.tabs titled by the i18n `keys`; test `tab.open` before computing inside a tab.

    Streamlit remembers the open tab by its title: after a language switch the title is translated here first.
    """
    lang = language()
    opened = st.session_state.get(session_key)
    for other in ("en", "zh"):
        titles = [text(key, other) for key in keys]
        if other != lang and opened in titles:
            st.session_state[session_key] = t(keys[titles.index(opened)])
    return st.tabs([t(key) for key in keys], key=session_key, on_change="rerun")
