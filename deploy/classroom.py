"""optviz for a class on one machine: one Streamlit replica per core behind nginx (`make class`).

A Streamlit server runs every session's script in threads of one Python process, so one server uses about one core
whatever the machine has. This starts `--replicas` servers (default: one per core) on 127.0.0.1 ports after
`--port`, and nginx on `--address:--port` with deploy/optviz.conf.template (sticky by cookie, websockets passed
through, /healthz), then waits; Ctrl-C (or SIGTERM) stops everything it started. Each replica's pool of training
workers (optviz.jobs) gets cores ÷ replicas workers, so that the trainings of the whole class share the cores.

    python deploy/classroom.py [--replicas N] [--port 8501] [--address 127.0.0.1] [--workers W]

The functions are what tests/test_balancer.py starts, so the configuration tested is the one a class gets.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "optviz.conf.template"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def nginx_binary() -> str | None:
    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def upstream_lines(ports: list[int], host: str = "127.0.0.1") -> str:
    """The upstream block's servers: a replica that refuses a connection is skipped for 10 s."""
    return "\n    ".join(f"server {host}:{port} max_fails=1 fail_timeout=10s;" for port in ports)


def site_config(listen: str, ports: list[int], logs: Path) -> str:
    """deploy/optviz.conf.template with its three ${…} filled in (nginx's own $variables are left alone)."""
    return Template(TEMPLATE.read_text()).safe_substitute(
        OPTVIZ_LISTEN=listen, OPTVIZ_UPSTREAMS=upstream_lines(ports), OPTVIZ_LOGS=str(logs))


def main_config(folder: Path, site: Path) -> str:
    """A main nginx.conf that runs unprivileged in `folder` (pid, temporary files, error log) and includes `site`."""
    temporary = "\n    ".join(f"{name}_temp_path {folder / (name + '_temp')};"
                              for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes auto;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{
    worker_connections 4096;
}}
http {{
    {temporary}
    include {site};
}}
"""


def start_nginx(folder: Path, listen: str, ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground, in a process group of its own, configured in `folder`; returns once it answers."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light; `make class` does it)")
    folder.mkdir(parents=True, exist_ok=True)
    site = folder / "optviz.conf"
    site.write_text(site_config(listen, ports, folder))
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, site))
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
    with open(folder / "nginx.out", "wb") as output:
        process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                                   stdout=subprocess.DEVNULL, stderr=output, start_new_session=True)
    host, _, port = listen.rpartition(":")
    wait_for(f"http://{host or '127.0.0.1'}:{port}/healthz", process)
    return process


def shared_secret() -> str:
    """The cookie secret every replica must share: Streamlit signs its XSRF cookie with it, so a browser whose
    replica died is refused by the next one unless they all use the same (STREAMLIT_SERVER_COOKIE_SECRET, else a
    new random one for this class)."""
    return os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32)


def start_replica(port: int, workers: int, log: Path, secret: str, address: str = "127.0.0.1") -> subprocess.Popen:
    """One optviz server (`streamlit run server.py`) on `address:port` with `workers` training workers and the
    class's cookie `secret`, in a process group of its own (its workers are in it too)."""
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.address", address,
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    environment = {**os.environ, "OPTVIZ_WORKERS": str(workers), "STREAMLIT_SERVER_COOKIE_SECRET": secret}
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_for(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answered at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, kill: bool = False) -> None:
    """End a process this module started, with its process group (a replica's workers, nginx's workers)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=cores(), help="Streamlit servers (default: one per core)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port; the replicas take the next ones")
    parser.add_argument("--address", default="127.0.0.1", help="nginx's address (0.0.0.0 to serve a class)")
    parser.add_argument("--workers", type=int, default=None,
                        help="training workers per replica (default: cores ÷ replicas, at least 1)")
    parser.add_argument("--folder", type=Path, default=ROOT / "build" / "classroom",
                        help="where nginx's configuration, logs and the replicas' logs go")
    arguments = parser.parse_args()
    replicas = max(1, arguments.replicas)
    workers = arguments.workers if arguments.workers is not None else max(1, cores() // replicas)
    ports = [arguments.port + 1 + number for number in range(replicas)]
    arguments.folder.mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen] = []
    secret = shared_secret()
    try:
        for port in ports:
            started.append(start_replica(port, workers, arguments.folder / f"replica-{port}.log", secret))
        for port, process in zip(ports, started, strict=True):
            wait_for(f"http://127.0.0.1:{port}/_stcore/health", process)
        started.append(start_nginx(arguments.folder, f"{arguments.address}:{arguments.port}", ports))
        print(f"optviz for a class: http://{arguments.address}:{arguments.port}  ({replicas} replicas on ports "
              f"{ports[0]}-{ports[-1]}, {workers} training worker(s) each; logs in {arguments.folder})", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while started[-1].poll() is None:  # nginx runs: a replica that ended is started again (its sessions
            time.sleep(1.0)                # reconnect to another replica meanwhile, as nginx skips it)
            for number, port in enumerate(ports):
                if started[number].poll() is not None:
                    print(f"replica on port {port} ended ({started[number].returncode}); starting it again",
                          file=sys.stderr, flush=True)
                    started[number] = start_replica(port, workers, arguments.folder / f"replica-{port}.log", secret)
        print("nginx stopped; stopping the replicas", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(started):
            stop(process)


if __name__ == "__main__":
    main()
