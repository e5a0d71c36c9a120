"""Small tables as Markdown: a leaderboard of six rows does not need pandas and pyarrow in the server
(together about 60 MiB of memory and half a second of start-up)."""

from __future__ import annotations

import streamlit as st


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[dict[str, object]]) -> str:
    """A GitHub-style Markdown table of `rows` (dicts with the same keys, in order)."""
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(_cell(name) for name in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(row[name]) for name in header) + " |" for row in rows]
    return "\n".join(lines)


def table(rows: list[dict[str, object]]) -> None:
    """Draw `rows` as a Markdown table."""
    st.markdown(markdown_table(rows))
