# optviz in a container: the pinned requirements of `make run`, one Streamlit server on port 8501.
# torch comes from PyTorch's CPU wheel index (PyPI's Linux wheel of the same version pulls CUDA, several GB);
# every other package from PyPI at the versions in requirements.txt.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==$(sed -n 's/^torch==//p' requirements.txt)" \
    && pip install -r requirements.txt

COPY .streamlit .streamlit
COPY app.py server.py ./
COPY pages pages
COPY optviz optviz
COPY docs/guide docs/guide

RUN useradd --create-home --uid 10001 optviz
USER optviz

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
# 0.0.0.0 inside the container only: publish the port to the host (or a load balancer) as docs/deploy.md shows
CMD ["python", "-m", "streamlit", "run", "server.py", "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
