"""Start and stop a real ``langgraph dev`` server (the LangGraph Agent Server) on loopback.

``run_langgraph_dev(config_path)`` is a context manager that yields the base URL of a fresh
server and always stops it (and any child it spawned) on exit. ``lgwidget demo`` and the tests
use it alike. It needs the ``server`` extra (``langgraph-cli[inmem]``).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from ._process import free_port, start_group, stop_group

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Offline and quiet: no analytics ping, no version check, no LangSmith tracing.
_ENV_SET = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "PYTHONUNBUFFERED": "1",  # so the log file is current when we show its tail
}
# A key in the environment would switch on LangSmith features that need the network.
_ENV_DROP = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_API_KEY")


def _absolute_config(config_path: Path, workdir: Path) -> Path:
    """Copy the config into workdir with graph file paths made absolute.

    The server resolves ``./agent.py:graph`` against its working directory, and it
    writes its state (``.langgraph_api/``) there too. Running it in a temp dir with
    absolute graph paths keeps that state out of the source tree.
    """
    config = json.loads(config_path.read_text())
    base = config_path.parent
    graphs = {}
    for name, spec in config.get("graphs", {}).items():
        if isinstance(spec, str) and ":" in spec and spec.split(":")[0].endswith(".py"):
            file, _, attr = spec.partition(":")
            spec = f"{(base / file).resolve()}:{attr}"
        graphs[name] = spec
    config["graphs"] = graphs
    if isinstance(config.get("env"), str):  # a .env file, also relative to the config
        config["env"] = str((base / config["env"]).resolve())
    out = workdir / "langgraph.json"
    out.write_text(json.dumps(config, indent=2))
    return out


def _tail(log_path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"langgraph dev exited with code {proc.returncode}; log tail:\n{_tail(log_path)}"
            )
        # The server silently moves to a random port when ours is taken; the only
        # trace is this warning. Fail fast instead of waiting for the timeout.
        if "already in use" in _tail(log_path):
            raise RuntimeError(f"port of {url} was taken; log tail:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{url}/ok", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(
        f"langgraph dev not ready at {url} after {timeout:.0f} s; log tail:\n{_tail(log_path)}"
    )


@contextlib.contextmanager
def run_langgraph_dev(
    config_path: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = START_TIMEOUT,
    n_jobs_per_worker: int | None = None,
) -> Iterator[str]:
    """Run ``langgraph dev`` for ``config_path``; yield its URL, e.g. ``http://127.0.0.1:PORT``.

    ``n_jobs_per_worker``: runs served at once (``langgraph dev`` runs one unless told).
    Raises RuntimeError/TimeoutError (with the tail of the server log) if it
    does not come up. The server's log and state live in a temp dir that is
    removed on exit.
    """
    port = port or free_port(host)
    url = f"http://{host}:{port}"
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP} | _ENV_SET
    with tempfile.TemporaryDirectory(prefix="langgraph-dev-") as tmp:
        workdir = Path(tmp)
        config = _absolute_config(Path(config_path).resolve(), workdir)
        log_path = workdir / "server.log"
        cmd = [
            sys.executable,
            "-m",
            "langgraph_cli",
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            host,
            "--port",
            str(port),
            "--config",
            str(config),
        ]
        if n_jobs_per_worker is not None:
            cmd += ["--n-jobs-per-worker", str(n_jobs_per_worker)]
        with open(log_path, "wb") as log:
            proc = start_group(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc, url, log_path, timeout)
            yield url
        finally:
            stop_group(proc, STOP_TIMEOUT)
