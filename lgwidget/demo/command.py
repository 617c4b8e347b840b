"""Start the demo: ``langgraph dev`` serving ``agent.py``, then JupyterLab on the quickstart.

Both run in process groups of their own and are stopped, whatever ends the demo (Ctrl-C, SIGTERM,
JupyterLab quitting), so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .._process import free_port, start_group, stop_group
from .._server import run_langgraph_dev

HERE = Path(__file__).parent
CONFIG = HERE / "langgraph.json"
QUICKSTART = "quickstart.ipynb"


def notebook_dir() -> Path:
    """The notebooks: the source checkout's ``notebooks/``, else a copy of those in the wheel."""
    checkout = HERE.parent.parent / "notebooks"
    if (checkout / QUICKSTART).exists():
        return checkout
    target = Path.cwd() / "lgwidget-demo"
    if not target.exists():
        shutil.copytree(HERE / "notebooks", target)
        print(f"Copied the demo notebooks to {target}")
    return target


def run_demo(*, no_browser: bool = False, port: int | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    notebooks = notebook_dir()
    print("Starting the Agent Server (langgraph dev) with the demo agent…", flush=True)
    try:
        with run_langgraph_dev(CONFIG, port=port) as url:
            print(f"Agent Server: {url}  (assistants: agent, approval)", flush=True)
            return _run_lab(notebooks, url, no_browser)
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
        return 0


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends the demo as Ctrl-C does, through the same clean-up."""
    raise KeyboardInterrupt


def _run_lab(notebooks: Path, server_url: str, no_browser: bool) -> int:
    lab_port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", QUICKSTART,
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={lab_port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={notebooks}", f"--IdentityProvider.token={token}",
    ]
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    # The kernels inherit the URL: %%lgrun and RunWidget find the demo server by themselves.
    env = {**os.environ, "LANGGRAPH_API_URL": server_url}
    lab = start_group(cmd, cwd=notebooks, env=env)
    try:
        base = f"http://127.0.0.1:{lab_port}"
        _wait_for(lab, f"{base}/api/status?token={token}")
        print(f"JupyterLab: {base}/lab/tree/{QUICKSTART}?token={token}", flush=True)
        print("Press Ctrl-C to stop both.", flush=True)
        return lab.wait()
    finally:
        stop_group(lab, timeout=15)  # JupyterLab shuts its kernels down on SIGTERM


def _wait_for(proc: subprocess.Popen[bytes], url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"JupyterLab exited with code {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"JupyterLab did not answer at {url} within {timeout:.0f} s")
