"""The language of the interface: a sidebar switch mirrored in the URL (?lang=zh) and a lookup of messages."""

from __future__ import annotations

import streamlit as st

from optviz.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

LANGUAGE_KEY = "lang"
_SWITCH_KEY = "lang_switch"


def language() -> str:
    """The language the user chose ('en' or 'zh')."""
    chosen = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **fields: object) -> str:
    """The message `key` in the user's language."""
    return text(key, language(), **fields)


def _remember_choice() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state[_SWITCH_KEY]


def language_switch() -> str:
    """Draw the language switch in the sidebar and return the chosen language.

    A session starts in the language of its URL (?lang=zh), so a shared link opens as it was shared; an unknown
    value there is ignored with a warning. Every change is written back to the URL.

    The choice is kept under its own session key, copied there by the switch's callback: under st.navigation the
    first rerun of a session (when the browser learns which page is the default) resets the widgets of the
    entry script, and the choice would otherwise be lost on the first click.
    """
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get(LANGUAGE_KEY)
        st.session_state[LANGUAGE_KEY] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
        if requested is not None and requested not in LANGUAGES:
            st.warning(text("app.bad_query", DEFAULT_LANGUAGE, name=LANGUAGE_KEY, value=requested[:40]))
    st.session_state[_SWITCH_KEY] = language()
    st.sidebar.radio(
        "Language / 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=_SWITCH_KEY,
        horizontal=True,
        on_change=_remember_choice,
    )
    chosen = language()
    if chosen == DEFAULT_LANGUAGE:
        if LANGUAGE_KEY in st.query_params:
            del st.query_params[LANGUAGE_KEY]
    elif st.query_params.get(LANGUAGE_KEY) != chosen:
        st.query_params[LANGUAGE_KEY] = chosen
    return chosen
