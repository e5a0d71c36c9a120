"""optviz: the entry point. Builds the navigation; every page honours the language chosen in the sidebar."""

import streamlit as st

from optviz.ui import language_switch, t

st.set_page_config(page_title="optviz", page_icon=":material/insights:", layout="wide")
language_switch()
navigation = st.navigation(
    [
        st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
    ]
)
navigation.run()
