"""optviz's page script: builds the navigation (a bar at the top); every page honours the language chosen in its header.

`make run` serves it through server.py (`streamlit run server.py`), whose start-up is optviz/ui/serve.py;
`streamlit run app.py` serves the same app without that start-up work.
"""

import streamlit as st

from optviz.parallel import tune_allocator
from optviz.ui import init_language, t

tune_allocator()  # large NumPy temporaries from the heap, not fresh mmaps (see optviz/parallel.py)

st.set_page_config(page_title="optviz", page_icon=":material/insights:", layout="wide")
init_language()  # each page's header draws the switch itself
navigation = st.navigation(
    [
        st.Page("pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
        st.Page("pages/playground.py", title=t("nav.playground"), icon=":material/scatter_plot:"),
        st.Page("pages/landscape.py", title=t("nav.landscape"), icon=":material/grid_on:"),
        st.Page("pages/networks.py", title=t("nav.networks"), icon=":material/hub:"),
        st.Page("pages/network_landscape.py", title=t("nav.network_landscape"), icon=":material/landscape:"),
        st.Page("pages/labs.py", title=t("nav.labs"), icon=":material/science:"),
        st.Page("pages/momentum.py", title=t("nav.momentum"), icon=":material/speed:"),
    ],
    position="top",  # the sidebar's 300 px go to the workbench
)
navigation.run()
