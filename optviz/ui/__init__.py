"""Streamlit helpers shared by the pages: the language switch, translated text, formula panels."""

from .i18n import language, language_switch, t

__all__ = ["language", "language_switch", "t"]
