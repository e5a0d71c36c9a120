"""The Dockerfile, checked without a Docker engine (none runs on the CI machine): it installs the pinned
requirements, and the files it copies are enough to run the app. The test lays out exactly those files in an
empty folder, starts the server there on 127.0.0.1 with this environment's packages, and opens every page."""

import asyncio
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import start_streamlit, stop_streamlit
from tests.streamlit_client import PAGES, Session

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def copied_paths() -> list[str]:
    """The sources of the Dockerfile's COPY instructions after requirements.txt."""
    paths = []
    for line in DOCKERFILE.splitlines():
        match = re.match(r"COPY\s+(.+?)\s+\S+$", line)
        if match:
            paths += match.group(1).split()
    return paths


def test_the_image_installs_the_pinned_requirements():
    assert re.search(r"^FROM python:3\.11", DOCKERFILE, re.M)
    assert "pip install -r requirements.txt" in DOCKERFILE
    pins = dict(re.findall(r"^([\w-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    # torch's version is read from requirements.txt by the same sed the image runs
    version = subprocess.run(["sed", "-n", "s/^torch==//p", str(ROOT / "requirements.txt")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert version == pins["torch"] and "whl/cpu" in DOCKERFILE
    assert "--server.address\", \"0.0.0.0" in DOCKERFILE and "HEALTHCHECK" in DOCKERFILE
    assert "USER optviz" in DOCKERFILE


def test_nothing_the_image_copies_is_excluded_by_dockerignore():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()]
    for path in copied_paths():
        assert path not in ignored and not any(path.startswith(rule.rstrip("/") + "/") for rule in ignored)
    needed = {"requirements.txt", "app.py", "server.py", "pages", "optviz", "docs/guide", ".streamlit"}
    assert needed <= set(copied_paths())


@pytest.mark.server
@pytest.mark.timeout(240)
def test_the_copied_files_run_the_app(tmp_path):
    for path in copied_paths():
        source, target = ROOT / path, tmp_path / path
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    process, url = start_streamlit(tmp_path / "server.log", tmp_path / "server.py", tmp_path, environment)
    try:

        async def visit() -> list[str]:
            session = Session(url)
            await session.connect()
            problems = []
            for page in (*PAGES, "playground"):
                run = await session.run(page=page, query_string="")
                problems += [f"{page or 'home'}: {error}" for error in run.exceptions]
                if run.status != "FINISHED_SUCCESSFULLY":
                    problems.append(f"{page or 'home'}: {run.status}")
            await session.close()
            return problems

        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, visit()).result() == []
    finally:
        stop_streamlit(process)


def test_the_compose_file_and_the_kubernetes_manifest_use_the_tested_balancer_and_settings(tmp_path):
    """deploy/compose.yaml and deploy/kubernetes.yaml are not run here (no Docker engine, no cluster): their text is
    held to what tests/test_balancer.py runs. The compose file mounts the tested template and fills in exactly its
    placeholders, with values nginx accepts; both give every replica one training worker and a shared cookie
    secret; the probes ask Streamlit's health endpoint on the port the image exposes."""
    import sys

    sys.path.insert(0, str(ROOT / "deploy"))
    import classroom

    template = classroom.TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{(OPTVIZ_\w+)\}", template))
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "./optviz.conf.template:/etc/nginx/templates/" in compose
    values = dict(re.findall(r"^\s+(OPTVIZ_\w+): \"?([^\"#]*?)\"?\s*(?:#.*)?$", compose, re.MULTILINE))
    assert placeholders == {"OPTVIZ_LISTEN", "OPTVIZ_UPSTREAMS", "OPTVIZ_LOGS"} <= set(values)
    assert values["OPTVIZ_WORKERS"] == "1" and "STREAMLIT_SERVER_COOKIE_SECRET:" in compose
    # nginx accepts the compose file's values (the replicas' name and the port made local: nothing resolves here)
    if classroom.nginx_binary() is not None:
        from string import Template

        from tests.conftest import free_port

        site = Template(template).safe_substitute(
            OPTVIZ_LISTEN=f"127.0.0.1:{free_port()}", OPTVIZ_LOGS=str(tmp_path),
            OPTVIZ_UPSTREAMS=values["OPTVIZ_UPSTREAMS"].replace("optviz:", "127.0.0.1:"))
        (tmp_path / "optviz.conf").write_text(site)
        (tmp_path / "nginx.conf").write_text(classroom.main_config(tmp_path, tmp_path / "optviz.conf"))
        checked = subprocess.run([classroom.nginx_binary(), "-t", "-p", str(tmp_path), "-c",
                                  str(tmp_path / "nginx.conf")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    manifest = (ROOT / "deploy" / "kubernetes.yaml").read_text()
    exposed = re.search(r"^EXPOSE (\d+)", DOCKERFILE, re.MULTILINE).group(1)
    assert manifest.count("path: /_stcore/health") == 2 and manifest.count(f"port: {exposed}") == 2
    assert "name: STREAMLIT_SERVER_COOKIE_SECRET" in manifest and "sessionAffinity: ClientIP" in manifest
    assert re.search(r"name: OPTVIZ_WORKERS\n\s+value: \"1\"", manifest)


def test_the_deployment_guide_shows_the_tested_nginx_configuration():
    template = (ROOT / "deploy" / "optviz.conf.template").read_text().rstrip("\n")
    for guide in ("deploy.md", "deploy.zh.md"):
        text = (ROOT / "docs" / guide).read_text()
        shown = re.search(r"```nginx\n(.*?)\n```", text, re.DOTALL)
        assert shown and shown.group(1) == template, f"docs/{guide} does not show deploy/optviz.conf.template"
