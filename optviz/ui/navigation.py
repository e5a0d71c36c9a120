"""A guard for deep links into a freshly started server.

Streamlit keeps a v1 fallback for apps that have a pages/ folder: until some session has called
st.navigation, it lists pages/ itself and runs a linked page (e.g. /playground) without app.py, so the
first visitor of a deep link would see the page without the language switch and the real navigation. Every page
calls ``ensure_navigation()`` first: in that fallback it switches Streamlit to st.navigation and reruns, and
app.py then routes the same URL as usual. (streamlit 1.67: PagesManager.uses_pages_directory.)
Served through server.py, the fallback is switched off before the first session (optviz/ui/serve.py) and this guard only
matters for `streamlit run app.py`.
"""

from __future__ import annotations

import streamlit as st


def ensure_navigation() -> None:
    """Rerun through app.py's st.navigation if Streamlit ran this page by its pages/ fallback."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the fallback
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
