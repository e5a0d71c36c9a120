"""The workbench layout every page shares: one compact header row, and the picture beside its controls.

At 1366 × 768 a learner must see the chart and the control that changes it together (shared/DESIGN.md §8). So a
page's title is one line, with its guide and introduction folded into a "How to use this page" popover and the
language switch beside them; the main picture sits in a wide column and the controls in a column beside it.
"""

from __future__ import annotations

import streamlit as st

from .guide import guide_text
from .i18n import language, language_switch, t

# Streamlit's defaults leave ~6 rem above the first element and large h1s; a workbench needs the room.
STYLE = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.9rem; padding-bottom: 2rem;
                                       padding-left: 1.5rem; padding-right: 1.5rem; }
.st-key-ov_header h1 { font-size: 1.55rem; line-height: 2.3rem; padding: 0; margin: 0; white-space: nowrap;
                       overflow: hidden; text-overflow: ellipsis; }
.ov-lane-head { font-weight: 600; margin: 0; line-height: 1.6rem; }
[data-testid="stVerticalBlock"] { gap: 0.55rem; }
</style>
"""

# Fixed heights at which the chart and the controls' scrolling column fit a 1366 × 768 screen together.
CHART_HEIGHT = 520
CONTROLS_HEIGHT = 600


def style() -> None:
    """The workbench's few style rules (smaller top padding and title, tighter gaps)."""
    st.html(STYLE)


def page_header(title: str, page: str, intro: str | None = None,
                extra: bool = False) -> st.delta_generator.DeltaGenerator | None:
    """One row: the page's title, its guide (with `intro` first) in a popover, the language switch.

    `page` names the guide (docs/guide/<language>/<page>.md). With `extra`, returns a container between the title
    and the guide for a page's own header control (a lesson picker); without, the title has that room."""
    style()
    header = st.container(key="ov_header")
    if extra:
        title_column, extra_column, guide_column, language_column = header.columns(
            [4.4, 3, 2.1, 1.7], vertical_alignment="center")
    else:
        title_column, guide_column, language_column = header.columns([7.4, 2.1, 1.7], vertical_alignment="center")
        extra_column = None
    title_column.title(title, anchor=False)
    with guide_column.popover(t("app.guide"), icon=":material/menu_book:", width="stretch"):
        if intro:
            st.markdown(intro)
        st.markdown(guide_text(language(), page))
        st.caption(t("app.guide_file", path=f"docs/guide/{language()}/{page}.md"))
    language_switch(language_column)
    return extra_column
