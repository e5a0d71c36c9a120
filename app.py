"""optviz's page script: builds the navigation; every page honours the language chosen in the sidebar.

`make run` serves it through server.py (`streamlit run server.py`), whose start-up is optviz/ui/serve.py;
`streamlit run app.py` serves the same app without that start-up work.
"""

import streamlit as st

from optviz.engine.allocator import tune_allocator
from optviz.ui import language_switch, t

tune_allocator()  # large NumPy temporaries from the heap, not fresh mmaps (see optviz/engine/allocator.py)

st.set_page_config(page_title="optviz", page_icon=":material/insights:", layout="wide")
language_switch()
navigation = st.navigation(
    [
        st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
        st.Page("pages/playground.py", title=t("nav.playground"), icon=":material/scatter_plot:"),
        st.Page("pages/landscape.py", title=t("nav.landscape"), icon=":material/grid_on:"),
        st.Page("pages/networks.py", title=t("nav.networks"), icon=":material/hub:"),
        st.Page("pages/network_landscape.py", title=t("nav.network_landscape"), icon=":material/landscape:"),
        st.Page("pages/labs.py", title=t("nav.labs"), icon=":material/science:"),
    ]
)
navigation.run()
