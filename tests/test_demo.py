"""The demo: the bundled agent, the notebooks (executed against it), and ``lgwidget demo``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from lgwidget._server import run_langgraph_dev
from lgwidget.demo.command import CONFIG

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with run_langgraph_dev(CONFIG) as url:
        yield url


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, demo_url: str, monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path) -> None:
    monkeypatch.setenv("LANGGRAPH_API_URL", demo_url)  # as `lgwidget demo` sets it
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]
    assert errors == []
    summaries = [o["data"]["text/plain"] for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs if "application/vnd.jupyter.widget-view+json"
                 in o.get("data", {})]
    kinds = ("LangGraph run of", "LangGraph batch of", "LangGraph run comparison")
    assert summaries and all(s.startswith(kinds) for s in summaries), summaries


def test_quickstart_shows_each_ending(demo_url: str, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    monkeypatch.setenv("LANGGRAPH_API_URL", demo_url)
    nb = nbformat.read(NOTEBOOKS[NOTEBOOKS.index(
        next(p for p in NOTEBOOKS if p.name == "quickstart.ipynb"))], as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "'agent': done" in text
    assert "'approval': interrupted" in text
    assert "done - It is 18 °C and sunny in Paris today." in text  # answered on a thread
    assert "['run', 'resume', 'rerun']" in text  # re-run from the checkpoint before review
    assert "'no-such-assistant': error" in text
    assert "It is 18 °C and sunny in Paris today." in text
    assert "{'n': 41}" in text  # the in-process graph


def test_the_demo_command_starts_and_stops_cleanly(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lgwidget", "demo", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
             "JUPYTER_CONFIG_DIR": str(tmp_path / "config")},
    )
    try:
        server = lab = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while lab is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "the demo exited before JupyterLab was up"
            if found := re.search(r"Agent Server: (http://\S+)", line):
                server = found.group(1)
            if found := re.search(r"JupyterLab: (http://\S+)", line):
                lab = found.group(1)
        assert server and lab
        assert httpx.get(f"{server}/ok").status_code == 200
        assert httpx.get(lab).status_code == 200
        assert "quickstart.ipynb" in lab
        assistants = httpx.post(f"{server}/assistants/search", json={}).json()
        assert {a["graph_id"] for a in assistants} == {"agent", "approval"}

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=60) == 0
        for url in (server, lab):
            with pytest.raises(httpx.ConnectError):
                httpx.get(url, timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
