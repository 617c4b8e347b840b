"""Notebook hosts other than JupyterLab, for the real-browser tests: marimo and Notebook 7.

Same rules as ``harness.py``: loopback only, a free port, an isolated home, every process marked
with ``LGW_HARNESS_MARKER`` and run in a session of its own, stopped by process group (then by
marker and session) also when the test fails.

* ``start_marimo(app_path, mode="run"|"edit") -> ContextManager[Marimo]``
* ``start_notebook7(root_dir, *, save_widget_state) -> ContextManager[JupyterLab]`` (the same
  server object as JupyterLab's; ``nb_url(name)`` gives ``/notebooks/<name>``)
* ``marimo_app(cells) -> str``: the text of a marimo app file, one cell per source
* ``chunks_shown(page)``: the count in the first ``.lgw-stats`` (None before a view exists)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import harness
from tests.support.harness import (
    MARKER_ENV,
    JupyterLab,
    _free_loopback_port,
    _kill_group,
    _new_marker,
    _wait_reaped,
    kill_harness_processes,
    record_sessions,
)

#: JS: the first element matching a selector, also inside (open) shadow roots: marimo renders
#: an anywidget in the shadow root of its output element.
DEEP = """((sel) => {
  const walk = (root) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const h = walk(el.shadowRoot); if (h) return h; }
    }
    return null;
  };
  return walk(document);
})"""
STATS = f"() => {DEEP}('.lgw-stats')?.textContent ?? null"
BADGE = f"() => {DEEP}('.lgw-badge')?.textContent ?? null"


def chunks_shown(page: Any) -> int | None:
    """The chunk count the (first) view shows, e.g. 12 for '… · 12 chunks · …'."""
    text = page.evaluate(STATS)
    if text is None:
        return None
    m = re.search(r"([\d,]+) chunks?", text)
    return int(m.group(1).replace(",", "")) if m else 0


def sample_while_running(page: Any, *, timeout: float = 30.0) -> list[int]:
    """Read the chunk count each time it changes while the badge says 'running'.

    Each read waits on the page for a different count (or the end of the run), so the list is
    the distinct counts the reader could see during the run, in order.
    """
    seen: list[int] = []
    page.wait_for_function(f"() => ({BADGE})() === 'running'", timeout=timeout * 1000,
                           polling=20)
    while True:
        last = seen[-1] if seen else -1
        page.wait_for_function(
            f"""(last) => {{
              const badge = ({BADGE})();
              const m = (({STATS})() || '').match(/([\\d,]+) chunks?/);
              const n = m ? Number(m[1].replace(/,/g, '')) : 0;
              return badge !== 'running' || n !== last;
            }}""",
            arg=last,
            timeout=timeout * 1000,
            polling=20,
        )
        if page.evaluate(BADGE) != "running":
            return seen
        count = chunks_shown(page)
        if count is not None and count != last:
            seen.append(count)


# --------------------------------------------------------------------------------------------
# marimo
# --------------------------------------------------------------------------------------------


def marimo_app(cells: Sequence[str]) -> str:
    """A marimo app file: each source becomes one cell; names flow between cells as marimo
    finds them (every name a cell defines is returned; a cell that starts with ``await`` is
    an async cell)."""
    out = ["import marimo", "", "app = marimo.App()", ""]
    for src in cells:
        src = textwrap.dedent(src).strip("\n")
        is_async = "await " in src
        out.append("@app.cell")
        out.append(f"{'async ' if is_async else ''}def _():")
        out.append(textwrap.indent(src, "    "))
        out.append("")
    out += ['if __name__ == "__main__":', "    app.run()", ""]
    return "\n".join(out)


@dataclass
class Marimo:
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    home: Path
    marker: str
    leftovers: dict[int, str] = field(default_factory=dict)
    _stopped: bool = field(default=False, repr=False)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, *, timeout: float = 10.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        sessions = {self.proc.pid} | record_sessions(self.marker)
        _kill_group(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        _kill_group(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.leftovers = kill_harness_processes(self.marker, sessions)
        _wait_reaped(sessions - {self.proc.pid})


@contextlib.contextmanager
def start_marimo(app_path: str | os.PathLike[str], *, mode: str = "run",
                 startup_timeout: float = 60.0) -> Iterator[Marimo]:
    """`marimo run|edit APP --headless --no-token` on a free 127.0.0.1 port; yields a `Marimo`.

    The server is stopped (its process group, then anything with its marker) on exit.
    HOME and XDG dirs point into a private temp dir, so no user config applies.
    """
    app = Path(app_path).resolve()
    home = Path(tempfile.mkdtemp(prefix="lgw-marimo-"))
    marker = _new_marker()
    env = {
        **os.environ,
        MARKER_ENV: marker,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "PYTHONUNBUFFERED": "1",
        "MARIMO_SKIP_UPDATE_CHECK": "1",
    }
    log_path = home / "marimo.log"
    server: Marimo | None = None
    try:
        for attempt in range(3):  # the port can be taken between probe and bind
            port = _free_loopback_port()
            cmd = [sys.executable, "-m", "marimo", mode, str(app), "--headless", "--no-token",
                   "--host", "127.0.0.1", "--port", str(port), "--no-sandbox"]
            if mode == "edit":
                cmd.append("--skip-update-check")
            if shutil.which("setpriv"):
                cmd = ["setpriv", "--pdeathsig", "TERM", "--", *cmd]
            with open(log_path, "ab") as log:
                log.write(f"\n=== attempt {attempt}: {' '.join(cmd)}\n".encode())
                log.flush()
                proc = subprocess.Popen(cmd, cwd=app.parent, env=env, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
            server = Marimo(f"http://127.0.0.1:{port}", port, proc, log_path, home, marker)
            try:
                _wait_http(server.url + "/health", proc, server.log_text, startup_timeout)
            except RuntimeError:
                server.stop()
                if "address already in use" in server.log_text().lower() and attempt < 2:
                    continue
                raise
            break
        assert server is not None
        yield server
    finally:
        if server is not None:
            server.stop()
        kill_harness_processes(marker, set())
        shutil.rmtree(home, ignore_errors=True)


def _wait_http(url: str, proc: subprocess.Popen, log: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            last = e
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s ({last!r}):\n{log()[-4000:]}")


# --------------------------------------------------------------------------------------------
# Notebook 7
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def start_notebook7(root_dir: str | os.PathLike[str], *, save_widget_state: bool | None
                    ) -> Iterator[JupyterLab]:
    """`python -m notebook` (Notebook 7) with the harness's isolation and process hygiene.

    ``save_widget_state``: None writes no setting for the widget manager, so its default
    applies (off: "Save Widget State Automatically" unchecked); True/False set it.
    """
    widgets = "@jupyter-widgets/jupyterlab-manager/plugin"
    base = {k: dict(v) for k, v in harness.LAB_SETTINGS.items() if k != widgets}
    if save_widget_state is not None:
        base[widgets] = {"saveState": save_widget_state}
    with harness.start_jupyterlab(root_dir, app_module="notebook", base_settings=base) as server:
        yield server


def nb_url(server: JupyterLab, name: str) -> str:
    """Notebook 7's page for one notebook."""
    return f"{server.url}/notebooks/{urllib.request.quote(name)}?token={server.token}"


def open_notebook7(page: Any, server: JupyterLab, name: str, *, timeout: float = 60.0) -> None:
    """Open `/notebooks/<name>` in Notebook 7 and wait until its kernel is connected and idle
    (the harness's JupyterLab checks work: Notebook 7 is built on the same application)."""
    page.goto(nb_url(server, name), wait_until="domcontentloaded", timeout=timeout * 1000)
    page.wait_for_function(harness._JS_KERNEL_IDLE, arg=name, timeout=timeout * 1000,
                           polling=100)


def answer_as_json(page: Any, text: str) -> None:
    """Type ``text`` in the view's answer box of a plain interrupt, as JSON, and submit it."""
    form = page.locator(".lgw-answer")
    form.wait_for(timeout=60_000)
    form.locator("textarea").fill(text)
    form.get_by_label("send as").select_option("json")
    form.locator(".lgw-answer-submit").click()
