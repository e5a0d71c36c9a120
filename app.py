"""optviz's server entry: `streamlit run app.py` (what `make run`, the Dockerfile and the tests start).

The app itself is streamlit_app.py (navigation) and pages/; this file only wraps it in an st.App whose start-up
skips Streamlit's pages/ fallback run, warms the imports, and lets the browser load the chart library early
(optviz/ui/serve.py explains each).
"""

import streamlit as st
from starlette.middleware import Middleware

from optviz.ui.serve import PreloadMiddleware, lifespan

app = st.App("streamlit_app.py", lifespan=lifespan, middleware=[Middleware(PreloadMiddleware)])
