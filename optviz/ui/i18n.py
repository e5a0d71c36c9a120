"""The language of the interface: a switch in every page's header, mirrored in the URL (?lang=zh), and a lookup of
messages."""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.errors import StreamlitAPIException

from optviz.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

LANGUAGE_KEY = "lang"
SWITCH_KEY = "lang_switch"


def language() -> str:
    """The language the user chose ('en' or 'zh')."""
    chosen = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **fields: object) -> str:
    """The message `key` in the user's language."""
    return text(key, language(), **fields)


def resend_widget_values() -> None:
    """Hand every widget's value back to Streamlit, so that the browser receives it again in the new language.

    A select box (and a multiselect, a segmented control, a select slider) sends back the *label* of its choice,
    as its format_func wrote it. After a language switch the browser still holds the old language's label; on the
    next interaction it would send that label, which matches no option any more, and the widget would fall back to
    its default (two moons → circle, the chosen lesson → nothing). Assigning each value to itself in the switch's
    callback makes Streamlit send the value with its new label. Only plain values are re-sent: true/false (buttons,
    which refuse assignment, and toggles, which have no labels) and chart selections are left alone.
    """
    for name in list(st.session_state):
        value = st.session_state.get(name)
        if name in (LANGUAGE_KEY, SWITCH_KEY) or isinstance(value, bool) or not isinstance(
                value, (str, int, float, list, tuple)):
            continue
        with contextlib.suppress(StreamlitAPIException, KeyError):
            st.session_state[name] = value


def _remember_choice() -> None:
    chosen = st.session_state.get(SWITCH_KEY)
    if chosen in LANGUAGES and chosen != language():
        st.session_state[LANGUAGE_KEY] = chosen
        resend_widget_values()


def init_language() -> str:
    """A session starts in the language of its URL (?lang=zh), so a shared link opens as it was shared; an unknown
    value there is ignored with a warning. Called by app.py before the navigation (whose titles it translates)."""
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get(LANGUAGE_KEY)
        st.session_state[LANGUAGE_KEY] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
        if requested is not None and requested not in LANGUAGES:
            st.warning(text("app.bad_query", DEFAULT_LANGUAGE, name=LANGUAGE_KEY, value=requested[:40]))
    chosen = language()
    if chosen == DEFAULT_LANGUAGE:
        if LANGUAGE_KEY in st.query_params:
            del st.query_params[LANGUAGE_KEY]
    elif st.query_params.get(LANGUAGE_KEY) != chosen:
        st.query_params[LANGUAGE_KEY] = chosen
    return chosen


def language_switch(container=None) -> str:
    """Draw the language switch (in `container`, default the current place) and return the chosen language.

    The choice is kept under its own session key, copied there by the switch's callback: under st.navigation the
    first rerun of a session (when the browser learns which page is the default) resets the widgets of the
    entry script, and the choice would otherwise be lost on the first click.
    """
    place = container if container is not None else st
    st.session_state[SWITCH_KEY] = language()
    place.segmented_control(
        "Language / 语言", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key=SWITCH_KEY, required=True,
        on_change=_remember_choice, label_visibility="collapsed", persist_state="session",
    )
    init_language()
    return language()
