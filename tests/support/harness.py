"""Real-browser test harness: JupyterLab (subprocess) + Debian Chromium driven by Playwright.

Everything here runs on loopback only and never touches the network (no `playwright install`,
no news/update checks, no PyPI extension listing).

Public API (all synchronous, `playwright.sync_api`):

* ``start_jupyterlab(root_dir, env_extra=None, *, settings=None, startup_timeout=60,
  extra_args=()) -> ContextManager[JupyterLab]``
* ``launch_chromium(*, headless=True, extra_args=()) -> ContextManager[Browser]``
* ``write_notebook(path, cells) -> Path`` (code cells + python3 kernelspec)
* ``open_notebook(page, lab, nb_relpath, *, timeout=60)``
* ``run_all(page)`` / ``wait_run_all_done(page, timeout=60)``
* ``wait_kernel_idle(page, timeout=60, *, nb_relpath=None)``
* ``save_notebook(page, *, timeout=30)``
* ``set_theme(page, dark, *, timeout=30)`` / ``wait_no_splash(page, timeout=30)``
* ``screenshot(page, path, *, full_page=False)``
* ``long_task_observer(page) -> LongTaskObserver`` (``.read() -> LongTaskStats``, ``.reset()``)
* ``leaked_processes()``, ``harness_processes(prefix, sids)``,
  ``kill_harness_processes(prefix, sids)``, ``record_sessions(prefix)``

Process hygiene: every process this module starts (the Jupyter server, the kernels it spawns,
Chromium) gets the environment variable ``LGW_HARNESS_MARKER=<unique id>``, and the sessions they
lead are recorded. Kernels run in their own session (jupyter_client uses
``start_new_session=True``), so killing the server's process group does *not* kill them; Chromium's
helper processes overwrite their environment block (setproctitle) but stay in the session of the
Chromium main process. Marker + session ids find them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Override with LGW_CHROMIUM=/path/to/chromium.
CHROMIUM_PATH = os.environ.get("LGW_CHROMIUM", "/usr/bin/chromium")

#: Flags seen to work with Debian's Chromium (apt) as root in a container: ``--no-sandbox`` (no
#: user namespaces for root), ``--disable-dev-shm-usage`` (a small /dev/shm), ``--disable-gpu``
#: (none); the others keep it off the network (no QUIC, updates, sync or first-run fetches).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

MARKER_ENV = "LGW_HARNESS_MARKER"
#: Every marker created by this Python process starts with this prefix.
RUN_MARKER_PREFIX = f"lgw-{os.getpid()}-"

#: User settings written into the isolated JUPYTERLAB_SETTINGS_DIR.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    # Save widget state into the notebook on save (default is False!). Re-opened notebooks
    # (without the kernel that created the widgets) render from this saved state.
    "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
    # Never ask about / fetch news, never check for updates (both would hit the network).
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # No extension manager panel (and no PyPI listing).
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}


def _new_marker() -> str:
    return RUN_MARKER_PREFIX + secrets.token_hex(6)


# --------------------------------------------------------------------------------------------
# Process helpers (Linux /proc; no psutil needed)
# --------------------------------------------------------------------------------------------


def _proc_environ_value(pid: int, key: str) -> str | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            data = f.read()
    except OSError:
        return None
    needle = key.encode() + b"="
    for item in data.split(b"\0"):
        if item.startswith(needle):
            return item[len(needle) :].decode(errors="replace")
    return None


def _proc_cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class _Stat:
    pid: int
    state: str
    ppid: int
    pgid: int
    sid: int


def _proc_stat(pid: int) -> _Stat | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # the comm may contain spaces and parentheses
    return _Stat(pid, fields[0], int(fields[1]), int(fields[2]), int(fields[3]))


def _all_stats(*, zombies: bool = False) -> list[_Stat]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _proc_stat(int(name))
            if st is not None and (zombies or st.state != "Z"):
                out.append(st)
    return out


def _wait_reaped(sids: set[int], timeout: float = 3.0) -> None:
    """Wait until no process (not even a zombie awaiting its reaper) is left in `sids`."""
    deadline = time.monotonic() + timeout
    while sids and time.monotonic() < deadline:
        if not any(st.sid in sids for st in _all_stats(zombies=True)):
            return
        time.sleep(0.05)


#: Session ids (= pid of the session leader) of every process tree this module started.
#: Chromium's helpers (zygote, gpu, renderers) overwrite their environment block
#: (setproctitle), so the marker alone does not find them; they stay in the session of the
#: Chromium main process, which Playwright starts detached (setsid). Kernels are started by
#: jupyter_client with start_new_session=True, so they too lead their own session.
_KNOWN_SESSIONS: set[int] = set()


def _protected_pids() -> set[int]:
    """This process and its ancestors: never signal these."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        st = _proc_stat(pid)
        if st is None:
            break
        pid = st.ppid
    return pids


def harness_processes(
    prefix: str = RUN_MARKER_PREFIX, sids: set[int] | None = None
) -> dict[int, str]:
    """Live (non-zombie) processes started by the harness: {pid: cmdline}.

    A process counts if its environment carries MARKER_ENV starting with `prefix`, or if it
    belongs to one of `sids` (default: every session recorded by this module) or to a session
    led by a marked process.
    """
    sessions = set(_KNOWN_SESSIONS if sids is None else sids)
    stats = _all_stats()
    protected = _protected_pids()
    marked = set()
    for st in stats:
        value = _proc_environ_value(st.pid, MARKER_ENV)
        if value is not None and value.startswith(prefix):
            marked.add(st.pid)
            if st.sid == st.pid:
                sessions.add(st.sid)
    return {
        st.pid: _proc_cmdline(st.pid)
        for st in stats
        if st.pid not in protected and (st.pid in marked or st.sid in sessions)
    }


def leaked_processes(prefix: str = RUN_MARKER_PREFIX) -> dict[int, str]:
    """Processes started by this harness (in this Python process) that are still alive."""
    return harness_processes(prefix)


def record_sessions(prefix: str) -> set[int]:
    """Remember the sessions led by marked processes (call while their leaders are alive)."""
    sids = {
        st.sid
        for st in _all_stats()
        if st.sid == st.pid and (_proc_environ_value(st.pid, MARKER_ENV) or "").startswith(prefix)
    }
    _KNOWN_SESSIONS.update(sids)
    return sids


def kill_harness_processes(
    prefix: str = RUN_MARKER_PREFIX, sids: set[int] | None = None, timeout: float = 5.0
) -> dict[int, str]:
    """SIGKILL what `harness_processes(prefix, sids)` finds, until nothing is left.

    Returns every process it had to kill (empty dict: nothing was left over).
    """
    killed: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        found = harness_processes(prefix, sids)
        if not found or time.monotonic() > deadline:
            break
        for pid, cmd in found.items():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            killed.setdefault(pid, cmd)
        time.sleep(0.05)
    return killed


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


# --------------------------------------------------------------------------------------------
# JupyterLab server
# --------------------------------------------------------------------------------------------


@dataclass
class JupyterLab:
    """A running JupyterLab server (see `start_jupyterlab`)."""

    url: str  # base URL, e.g. "http://127.0.0.1:43123" (no trailing slash)
    token: str
    root_dir: Path
    port: int
    proc: subprocess.Popen
    log_path: Path
    home: Path  # private dir holding config/runtime/settings/workspaces dirs and the log
    marker: str
    startup_seconds: float = 0.0
    #: processes that were still alive after SIGTERM/SIGKILL of the group and had to be killed
    leftovers: dict[int, str] = field(default_factory=dict)
    _stopped: bool = field(default=False, repr=False)

    # -- URLs and REST -----------------------------------------------------------------------

    def lab_url(self, nb_relpath: str | os.PathLike[str], *, reset: bool = True) -> str:
        rel = Path(nb_relpath).as_posix().lstrip("/")
        query = ("reset&" if reset else "") + f"token={self.token}"
        return f"{self.url}/lab/tree/{urllib.request.quote(rel)}?{query}"

    def api(self, method: str, path: str, body: Any = None, *, timeout: float = 10.0) -> Any:
        """Call the Jupyter REST API (`path` like "/api/kernels"); returns the decoded JSON."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def list_kernels(self) -> list[dict[str, Any]]:
        return self.api("GET", "/api/kernels")

    def list_sessions(self) -> list[dict[str, Any]]:
        return self.api("GET", "/api/sessions")

    def shutdown_all_kernels(self, *, timeout: float = 10.0) -> None:
        """Delete every session and kernel through the REST API and wait until none is left."""
        for s in self.list_sessions():
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=timeout)
        for k in self.list_kernels():
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/kernels/{k['id']}", timeout=timeout)
        deadline = time.monotonic() + timeout
        while self.list_kernels() and time.monotonic() < deadline:
            time.sleep(0.1)

    def kernel_processes(self) -> dict[int, str]:
        """Live kernel processes started by this server (found by marker, not via the group)."""
        return {
            pid: cmd
            for pid, cmd in harness_processes(self.marker, set()).items()
            if "ipykernel" in cmd
        }

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- shutdown ----------------------------------------------------------------------------

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the server and everything it started. Idempotent; never raises on cleanup."""
        if self._stopped:
            return
        self._stopped = True
        sessions = {self.proc.pid} | record_sessions(self.marker)  # server + kernel sessions
        # 1. Politely shut down kernels while the server still answers.
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.shutdown_all_kernels(timeout=min(timeout, 5.0))
        # 2. SIGTERM the server's process group (the server is the group leader), then SIGKILL.
        pgid = self.proc.pid
        _kill_group(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        _kill_group(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        # 3. Anything else carrying our marker or in one of those sessions (kernels live in
        #    their own sessions, so the group kill above does not reach them).
        self.leftovers = kill_harness_processes(self.marker, sessions)
        _wait_reaped(sessions - {self.proc.pid})  # the server itself was reaped by wait()


def _write_lab_settings(settings_dir: Path, settings: dict[str, dict[str, Any]]) -> None:
    for plugin_id, values in settings.items():
        # "@scope/pkg-extension/plugin" -> "<dir>/@scope/pkg-extension/plugin.jupyterlab-settings"
        path = settings_dir / f"{plugin_id}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def _wait_ready(lab: JupyterLab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    status_url = f"{lab.url}/api/status?token={lab.token}"
    last_err: Exception | None = None
    while time.monotonic() < deadline:
        if lab.proc.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {lab.proc.returncode} before it was ready.\n"
                f"--- log {lab.log_path} ---\n{lab.log_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(status_url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            last_err = e
        time.sleep(0.1)
    raise TimeoutError(
        f"JupyterLab not ready after {timeout:.0f}s (last error: {last_err!r}).\n"
        f"--- log {lab.log_path} ---\n{lab.log_text()[-4000:]}"
    )


@contextlib.contextmanager
def start_jupyterlab(
    root_dir: str | os.PathLike[str],
    env_extra: dict[str, str] | None = None,
    *,
    settings: dict[str, dict[str, Any]] | None = None,
    startup_timeout: float = 60.0,
    extra_args: Sequence[str] = (),
    app_module: str = "jupyterlab",
    base_settings: dict[str, dict[str, Any]] | None = None,
) -> Iterator[JupyterLab]:
    """Start an isolated JupyterLab on a free 127.0.0.1 port; yields a `JupyterLab`.

    Isolated: JUPYTER_CONFIG_DIR, JUPYTER_RUNTIME_DIR, JUPYTERLAB_SETTINGS_DIR,
    JUPYTERLAB_WORKSPACES_DIR and IPYTHONDIR point into a private temp dir.
    JUPYTER_DATA_DIR is NOT overridden: it is the first entry of the data path and may hold
    user-installed (`pip install --user`) lab extensions and kernelspecs.
    `settings` (plugin id -> values) is merged over `base_settings` (default `LAB_SETTINGS`).
    `app_module="notebook"` starts Notebook 7 (`python -m notebook`) the same way.
    The server (and its kernels) are stopped on exit, also when the body raises.
    """
    root = Path(root_dir).resolve()
    home = Path(tempfile.mkdtemp(prefix="lgw-jlab-"))
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for d in dirs.values():
        d.mkdir(parents=True)
    base = LAB_SETTINGS if base_settings is None else base_settings
    merged_settings = {k: dict(v) for k, v in base.items()}
    for k, v in (settings or {}).items():
        merged_settings.setdefault(k, {}).update(v)
    _write_lab_settings(dirs["JUPYTERLAB_SETTINGS_DIR"], merged_settings)

    token = secrets.token_hex(16)
    marker = _new_marker()
    env = dict(os.environ)
    env.pop("JUPYTER_TOKEN", None)
    env.update({k: str(v) for k, v in dirs.items()})
    env.update(
        {
            MARKER_ENV: marker,
            "PYTHONUNBUFFERED": "1",
        }
    )
    if env_extra:
        env.update(env_extra)

    log_path = home / "jupyterlab.log"
    lab: JupyterLab | None = None
    try:
        for attempt in range(3):  # the free port can be taken between probe and bind
            port = _free_loopback_port()
            cmd = [
                sys.executable,
                "-m",
                app_module,
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                f"--port={port}",
                f"--IdentityProvider.token={token}",
                "--ServerApp.disable_check_xsrf=True",
                "--expose-app-in-browser",
                "--ServerApp.port_retries=0",
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
                f"--ServerApp.root_dir={root}",
                "--ServerApp.open_browser=False",
                "--ServerApp.terminals_enabled=False",
                *extra_args,
            ]
            if shutil.which("setpriv"):
                # If this Python process dies without cleanup (SIGKILL), the server gets SIGTERM
                # and shuts its kernels down. (pdeathsig follows the *thread* that started it.)
                cmd = ["setpriv", "--pdeathsig", "TERM", "--", *cmd]
            log = open(log_path, "ab")  # the child gets a dup of the fd
            log.write(f"\n=== attempt {attempt}: {' '.join(cmd)}\n".encode())
            log.flush()
            t0 = time.monotonic()
            try:
                proc = subprocess.Popen(
                    cmd,
                    cwd=root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            finally:
                log.close()
            lab = JupyterLab(
                url=f"http://127.0.0.1:{port}",
                token=token,
                root_dir=root,
                port=port,
                proc=proc,
                log_path=log_path,
                home=home,
                marker=marker,
            )
            try:
                _wait_ready(lab, startup_timeout)
            except RuntimeError:
                lab.stop()
                if "already in use" in lab.log_text() and attempt < 2:
                    continue
                raise
            lab.startup_seconds = time.monotonic() - t0
            break
        assert lab is not None
        yield lab
    finally:
        if lab is not None:
            lab.stop()
        kill_harness_processes(marker, set())
        if os.environ.get("LGW_KEEP_JUPYTER_HOME") != "1":
            shutil.rmtree(home, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def launch_chromium(
    *,
    headless: bool = True,
    extra_args: Sequence[str] = (),
    executable_path: str = CHROMIUM_PATH,
) -> Iterator[Any]:
    """Yield a Playwright `Browser` running Debian's Chromium; guarantees no Chromium survives.

    Raises FileNotFoundError (not a skip) when the executable is missing.
    """
    if not Path(executable_path).exists():
        raise FileNotFoundError(
            f"Chromium not found at {executable_path}: install Debian's `chromium` package "
            "(apt-get install chromium). Do not run `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    marker = _new_marker()
    env = {**os.environ, MARKER_ENV: marker}
    args = [a for a in CHROMIUM_ARGS if headless or not a.startswith("--headless")]
    args += list(extra_args)
    driver_before = {st.pid for st in _all_stats() if st.ppid == os.getpid()}
    sessions: set[int] = set()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=executable_path,
                headless=headless,
                args=args,
                env=env,
                # Playwright adds a bare --headless; we pass --headless=new ourselves.
                ignore_default_args=["--headless"] if headless else None,
            )
            sessions = record_sessions(marker)  # the Chromium main process leads its session
            try:
                yield browser
            finally:
                with contextlib.suppress(Exception):
                    browser.close()
    finally:
        leftovers = kill_harness_processes(marker, sessions)
        _wait_reaped(sessions)  # orphaned helpers linger as zombies until PID 1 reaps them
        # The Playwright node driver is our direct child; it must have exited with the context.
        for st in _all_stats():
            if st.ppid == os.getpid() and st.pid not in driver_before:
                cmd = _proc_cmdline(st.pid)
                if "playwright" in cmd:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(st.pid, signal.SIGKILL)
                    leftovers[st.pid] = cmd
        if leftovers:
            print(f"[harness] killed leftover browser processes: {leftovers}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# Page helpers (JupyterLab front end, via the `jupyterapp` global from --expose-app-in-browser)
# --------------------------------------------------------------------------------------------

# JS: find the notebook panel for a path (or the current one when path is null).
_JS_PANEL = """
const __lgwPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const isNb = (w) => w && w.context && w.content && w.sessionContext
                    && w.content.node && w.content.node.classList.contains('jp-Notebook');
  if (path == null) {
    const w = app.shell.currentWidget;
    return isNb(w) ? w : null;
  }
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (isNb(w) && w.context.path === path) return w;
  }
  return null;
};
"""

_JS_KERNEL_IDLE = (
    "(path) => {"
    + _JS_PANEL
    + """
  const p = __lgwPanel(path);
  if (!p || !p.context.isReady) return false;
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  if (!k || k.status !== 'idle' || k.connectionStatus !== 'connected') return false;
  const run = window.__lgwRunAll;
  if (run && !run.done) return false;
  return true;
}"""
)


_JS_NOTEBOOK_STATE = (
    "(path) => {"
    + _JS_PANEL
    + """
  const dlg = document.querySelector('.jp-Dialog');
  const p = __lgwPanel(path);
  const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
  return {
    app: !!window.jupyterapp,
    panel: !!p,
    ready: !!p && p.context.isReady,
    kernel: k ? k.status + '/' + k.connectionStatus : null,
    dialog: dlg ? dlg.innerText.slice(0, 300) : null,
  };
}"""
)


def open_notebook(
    page: Any, lab: JupyterLab, nb_relpath: str | os.PathLike[str], *, timeout: float = 60.0
) -> None:
    """Open a notebook (resetting the workspace) and wait until its kernel is connected and idle.

    Fails fast if JupyterLab shows a dialog instead (e.g. "Select Kernel" for a notebook without
    `metadata.kernelspec`: write notebooks with `write_notebook`).
    """
    rel = Path(nb_relpath).as_posix().lstrip("/")
    page.goto(lab.lab_url(rel), wait_until="domcontentloaded", timeout=timeout * 1000)
    try:
        page.wait_for_function(
            "(path) => (" + _JS_KERNEL_IDLE + ")(path) || !!document.querySelector('.jp-Dialog')",
            arg=rel,
            timeout=timeout * 1000,
            polling=100,
        )
    except Exception as e:
        state = page.evaluate(_JS_NOTEBOOK_STATE, rel)
        raise TimeoutError(f"notebook {rel!r} not ready after {timeout:.0f}s: {state}") from e
    state = page.evaluate(_JS_NOTEBOOK_STATE, rel)
    if state["dialog"]:
        raise RuntimeError(f"JupyterLab opened a dialog while opening {rel!r}: {state}")
    wait_no_splash(page, timeout=timeout)
    # Make it the current widget so commands (run-all, save) target it.
    page.evaluate(
        "(path) => {"
        + _JS_PANEL
        + " const p = __lgwPanel(path); window.jupyterapp.shell.activateById(p.id); }",
        rel,
    )


def write_notebook(path: str | os.PathLike[str], cells: Sequence[str]) -> Path:
    """Write a notebook of code cells with a python3 kernelspec (without one, JupyterLab asks
    for a kernel in a dialog instead of starting one)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    out = Path(path)
    nbformat.write(nb, str(out))
    return out


def run_all(page: Any) -> None:
    """Start 'notebook:run-all-cells' without awaiting it (it resolves only when all cells end).

    Completion is tracked in `window.__lgwRunAll` ({done, ok, error}); see `wait_run_all_done`.
    """
    page.evaluate(
        """() => {
      const st = window.__lgwRunAll = {done: false, ok: null, error: null, t0: performance.now()};
      window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        (r) => { st.ok = r; st.done = true; st.t1 = performance.now(); },
        (e) => { st.error = String(e); st.done = true; st.t1 = performance.now(); });
    }"""
    )


def wait_run_all_done(page: Any, timeout: float = 60.0) -> dict[str, Any]:
    """Wait until the last `run_all` finished; returns {done, ok, error, t0, t1}."""
    page.wait_for_function(
        "() => !window.__lgwRunAll || window.__lgwRunAll.done", timeout=timeout * 1000, polling=100
    )
    return page.evaluate("() => window.__lgwRunAll || null")


def wait_kernel_idle(page: Any, timeout: float = 60.0, *, nb_relpath: str | None = None) -> None:
    """Wait until the (current or given) notebook's kernel is idle and any `run_all` has ended."""
    page.wait_for_function(_JS_KERNEL_IDLE, arg=nb_relpath, timeout=timeout * 1000, polling=100)


def save_notebook(page: Any, *, timeout: float = 30.0) -> None:
    """Run 'docmanager:save' on the current notebook and wait until the save completed."""
    page.evaluate(
        """() => {
      const st = window.__lgwSave = {done: false, error: null};
      window.jupyterapp.commands.execute('docmanager:save').then(
        () => { st.done = true; }, (e) => { st.error = String(e); st.done = true; });
    }"""
    )
    page.wait_for_function(
        "() => {"
        + _JS_PANEL
        + """
      const st = window.__lgwSave;
      if (!st || !st.done) return false;
      if (st.error) return true;
      const p = __lgwPanel(null);
      return !!p && !p.context.model.dirty;
    }""",
        timeout=timeout * 1000,
        polling=100,
    )
    err = page.evaluate("() => window.__lgwSave.error")
    if err:
        raise RuntimeError(f"docmanager:save failed: {err}")


def set_theme(page: Any, dark: bool, *, timeout: float = 30.0) -> None:
    """Switch the JupyterLab theme ('JupyterLab Dark' / 'JupyterLab Light') and wait for it.

    Note: the choice is persisted in the server's (isolated) user settings, so it sticks for
    later pages of the same server.
    """
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "(theme) => { window.jupyterapp.commands.execute('apputils:change-theme', {theme}); }",
        theme,
    )
    page.wait_for_function(
        """([theme, light]) => document.body.dataset.jpThemeName === theme
             && document.body.dataset.jpThemeLight === light""",
        arg=[theme, "false" if dark else "true"],
        timeout=timeout * 1000,
        polling=100,
    )
    # The theme stylesheet is swapped asynchronously; wait until a theme variable reflects it.
    page.wait_for_function(
        """(dark) => {
      const bg = getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim();
      if (!bg) return false;
      const c = document.createElement('canvas').getContext('2d');
      c.fillStyle = bg; const hex = c.fillStyle;  // normalised "#rrggbb"
      const lum = parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16)
                + parseInt(hex.slice(5, 7), 16);
      return dark ? lum < 384 : lum >= 384;
    }""",
        arg=dark,
        timeout=timeout * 1000,
        polling=100,
    )
    # Changing the theme shows the splash screen (animated logo) until the new theme is loaded.
    wait_no_splash(page, timeout=timeout)


def wait_no_splash(page: Any, timeout: float = 30.0) -> None:
    """Wait until JupyterLab's splash screen (#jupyterlab-splash) is gone."""
    page.wait_for_function(
        "() => !document.getElementById('jupyterlab-splash')", timeout=timeout * 1000, polling=100
    )


def screenshot(page: Any, path: str | os.PathLike[str], *, full_page: bool = False) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=full_page)
    return out


# --------------------------------------------------------------------------------------------
# Long tasks (main-thread tasks > 50 ms)
# --------------------------------------------------------------------------------------------

LONG_TASK_JS = """
(() => {
  if (window.__lgwLongTasks) return;
  const store = window.__lgwLongTasks = {entries: [], error: null, supported: false, po: null};
  try {
    store.supported = (PerformanceObserver.supportedEntryTypes || []).includes('longtask');
    const push = (list) => {
      for (const e of list.getEntries()) {
        store.entries.push({start: e.startTime, duration: e.duration, name: e.name});
      }
    };
    store.po = new PerformanceObserver(push);
    store.po.observe({type: 'longtask', buffered: true});
    store.flush = () => push({getEntries: () => store.po.takeRecords()});
  } catch (e) {
    store.error = String(e);
  }
})();
"""


@dataclass
class LongTaskStats:
    count: int
    max_ms: float
    total_ms: float
    supported: bool
    entries: list[dict[str, Any]]
    error: str | None = None


class LongTaskObserver:
    """Records main-thread long tasks (> 50 ms) in a page; survives navigations.

    Measured with Chromium 156: tasks the page runs itself (timers, WebSocket/kernel messages,
    rAF, event handlers, script loading) are recorded with their real duration; JS executed
    synchronously *by* `page.evaluate` (CDP) is NOT recorded, however long it runs. To provoke
    a long task from a test, schedule it: `setTimeout(() => busy(200), 0)`.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        page.add_init_script(LONG_TASK_JS)  # for every future navigation
        with contextlib.suppress(Exception):  # and for the current document, if any
            page.evaluate(LONG_TASK_JS)

    def read(self, *, since_ms: float | None = None) -> LongTaskStats:
        """Stats of long tasks so far (optionally only those starting at/after `since_ms`,
        a `performance.now()` value of the current document)."""
        raw = self.page.evaluate(
            """(since) => {
          const s = window.__lgwLongTasks;
          if (!s) return null;
          if (s.flush) s.flush();
          const es = s.entries.filter(e => since == null || e.start >= since);
          return {entries: es, supported: s.supported, error: s.error};
        }""",
            since_ms,
        )
        if raw is None:
            return LongTaskStats(0, 0.0, 0.0, False, [], "observer not installed in this document")
        es = raw["entries"]
        durs = [e["duration"] for e in es]
        return LongTaskStats(
            count=len(es),
            max_ms=max(durs, default=0.0),
            total_ms=sum(durs),
            supported=raw["supported"],
            entries=es,
            error=raw["error"],
        )

    def reset(self) -> None:
        self.page.evaluate(
            "() => { const s = window.__lgwLongTasks; if (s) { if (s.flush) s.flush();"
            " s.entries = []; } }"
        )

    def now(self) -> float:
        """`performance.now()` in the page, for `read(since_ms=...)`."""
        return float(self.page.evaluate("() => performance.now()"))


def long_task_observer(page: Any) -> LongTaskObserver:
    """Install the long-task observer on `page` (call before `page.goto` to catch load tasks)."""
    return LongTaskObserver(page)
