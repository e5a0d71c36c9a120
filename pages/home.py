"""The landing page: what optviz is, and the formula reference generated from the engine's registry."""

import streamlit as st

from optviz.engine import CONVENTIONS, OPTIMIZERS, SCHEDULES, TRICKS, format_plain
from optviz.engine.registry import optimizer_latex, schedule_curve, schedule_latex, trick_latex
from optviz.plots.schedules import schedule_figure
from optviz.ui import language, t
from optviz.ui.layout import page_header
from optviz.ui.navigation import ensure_navigation

ensure_navigation()
lang = language()


def defaults_text(entry) -> str:
    """'label = value' for every hyperparameter at its default, in the user's language."""
    parts = []
    for spec in entry.specs.values():
        value = spec.default
        shown = t("app.on" if value else "app.off") if isinstance(value, bool) else format_plain(value)
        parts.append(f"{spec.label(lang)} = {shown}")
    return t("home.defaults_caption", values=", ".join(parts) if parts else t("home.no_hyperparameters"))


page_header(t("home.title"), "home")
st.markdown(f"**{t('home.tagline')}**")
st.markdown(t("home.intro"))

st.header(t("home.start_heading"))
START = (
    ("pages/playground.py", ":material/scatter_plot:", "playground"),
    ("pages/landscape.py", ":material/grid_on:", "landscape"),
    ("pages/networks.py", ":material/hub:", "networks"),
    ("pages/network_landscape.py", ":material/landscape:", "network_landscape"),
    ("pages/labs.py", ":material/science:", "labs"),
    ("pages/momentum.py", ":material/speed:", "momentum"),
)
columns = st.columns(3) + st.columns(3)  # two rows of three cards
for column, (page, icon, name) in zip(columns, START, strict=False):
    with column.container(border=True):
        st.page_link(page, label=t(f"nav.{name}"), icon=icon)
        st.caption(t(f"home.about_{name}"))
st.markdown(t("home.start_text"))

st.header(t("home.conventions_heading"))
st.markdown(t("home.conventions_text"))
convention = st.segmented_control(
    t("home.convention_label"),
    CONVENTIONS,
    format_func=lambda name: t(f"convention.{name}"),
    default="pytorch",
    required=True,
    key="home_convention", persist_state="session",
)

optimizer_tab, trick_tab, schedule_tab = st.tabs(
    [t("home.optimizers_heading"), t("home.tricks_heading"), t("home.schedules_heading")]
)


def entry_cards(table, latex_of) -> None:
    """Two columns of cards: name, summary, formula and defaults of each registry entry."""
    columns = st.columns(2)
    for index, (name, entry) in enumerate(table.items()):
        with columns[index % 2].container(border=True):
            st.subheader(entry.label(lang))
            st.markdown(entry.summary(lang))
            st.latex(latex_of(name))
            st.caption(defaults_text(entry))


with optimizer_tab:
    entry_cards(OPTIMIZERS, lambda name: optimizer_latex(name, convention))
with trick_tab:
    st.markdown(t("home.tricks_text"))
    entry_cards(TRICKS, lambda name: trick_latex(name, convention))
with schedule_tab:
    st.markdown(t("home.schedules_text"))
    curves = {entry.label(lang): schedule_curve(name, 100) for name, entry in SCHEDULES.items()}
    st.plotly_chart(
        schedule_figure(curves, t("home.schedule_chart_title"), t("axis.step"), t("axis.lr")),
        width="stretch",
    )
    entry_cards(SCHEDULES, schedule_latex)

st.header(t("home.verified_heading"))
st.markdown(t("home.verified_text"))
