"""optviz's server: `streamlit run server.py` (what `make run`, the Dockerfile, the tests and the benches start).

The app itself is app.py (the navigation) and pages/; this file only wraps it in an st.App whose start-up skips
Streamlit's pages/ fallback run, warms the imports and starts the training workers, lets the browser load the chart
library early, and keeps a page working after its replica died behind a load balancer (optviz/ui/serve.py explains
each). `streamlit run app.py` serves the same app without them.
"""

import streamlit as st
from starlette.middleware import Middleware

from optviz.ui.serve import PreloadMiddleware, ReconnectMiddleware, lifespan

app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(PreloadMiddleware), Middleware(ReconnectMiddleware)])
