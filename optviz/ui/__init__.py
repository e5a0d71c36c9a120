"""Streamlit helpers shared by the pages: the language switch, translated text, formula panels."""

from .i18n import init_language, language, language_switch, t

__all__ = ["init_language", "language", "language_switch", "t"]
