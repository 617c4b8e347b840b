"""`w.to_html(path)`: one file that shows a run with no kernel, no Jupyter and no network.

The page is made by a real run (graph `agent`: three nodes, the answer streamed token by token)
in a separate Python process (this module's Playwright holds the event loop), then opened from
file:// in Chromium with every request that is not file: aborted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap

from tests.support.harness import MARKER_ENV, RUN_MARKER_PREFIX, write_notebook

ANSWER = "The answer is 42, found by the lookup tool."
NODES = ("plan", "tools", "respond")

MAKE_PAGE = textwrap.dedent("""
    import sys
    import lgwidget
    url, path = sys.argv[1:]
    w = lgwidget.RunWidget("agent", {"messages": [{"role": "user", "content": "What?"}]},
                           url=url, stream_mode=["updates", "messages-tuple"])
    w.run_sync()
    assert w.status == "done", w.status
    w.to_html(path)
    print(len(w.chunks))
""")


def test_the_offline_page_shows_every_node_and_the_streamed_text(tmp_path, browser,
                                                                  server_url):
    path = tmp_path / "run.html"
    made = subprocess.run([sys.executable, "-c", MAKE_PAGE, server_url, str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    chunks = int(made.stdout.split()[-1])
    assert chunks > 10  # the tokens came one by one

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def block(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", block)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: errors.append(f"requestfailed: {r.url}"))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function(
            "(n) => document.querySelector('.lgw-stats')?.textContent.includes(n + ' chunks')",
            arg=f"{chunks:,}", timeout=30_000)
        assert page.locator(".lgw-badge").text_content() == "done"
        page.wait_for_function(
            "(nodes) => { const shown = new Set([...document.querySelectorAll('.lgw-panel')]"
            ".map(p => p.dataset.node)); return nodes.every(n => shown.has(n)); }",
            arg=list(NODES), timeout=30_000)
        # The streamed answer, whole, in the respond node's panel (open: the newest).
        page.get_by_text(ANSWER).first.wait_for(timeout=30_000)
        # The other panels open and show their updates.
        page.locator(".lgw-panel[data-node='plan'] .lgw-panel-head").first.click()
        page.locator(".lgw-panel[data-node='plan'] .lgw-panel-body").get_by_text(
            "lookup").first.wait_for()
        assert blocked == []  # the page asked for nothing outside the file
        assert errors == []
    finally:
        context.close()


def _nbconvert(*args: str, cwd, timeout: float = 180) -> None:
    """`jupyter nbconvert ...` in a session of its own (with the kernel it may start), killed
    by process group if it overruns; marked so the session's last check finds leftovers."""
    env = {**os.environ, MARKER_ENV: RUN_MARKER_PREFIX + "nbconvert"}
    proc = subprocess.Popen([sys.executable, "-m", "nbconvert", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == 0, out


def _open_offline(browser, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                  else r.abort())
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return context, page


def test_nbconvert_html_offline_keeps_the_summary_only_without_widget_state(tmp_path, browser,
                                                                           server_url):
    """An executed notebook exported to HTML and opened offline: by default the widget area is
    blank (the widget manager comes from a CDN) and the text summary is not in the page; with
    `--ClearMetadataPreprocessor.enabled=True` the page has the summary instead."""
    write_notebook(tmp_path / "nb.ipynb", [
        "import lgwidget\n"
        f"w = lgwidget.RunWidget('slow', {{'steps': 3}}, url={server_url!r})\nw",
        "await w.run();",
    ])
    _nbconvert("--to", "notebook", "--execute", "--output", "run.ipynb", "nb.ipynb", cwd=tmp_path)
    _nbconvert("--to", "html", "--output", "plain.html", "run.ipynb", cwd=tmp_path)
    _nbconvert("--to", "html", "--ClearMetadataPreprocessor.enabled=True",
               "--output", "summary.html", "run.ipynb", cwd=tmp_path)
    _nbconvert("--to", "markdown", "--output", "run", "run.ipynb", cwd=tmp_path)
    summary = "LangGraph run of 'slow': done, 4 chunks"
    assert summary in (tmp_path / "run.md").read_text()

    context, page = _open_offline(browser, tmp_path / "summary.html")
    try:
        page.get_by_text(summary).wait_for(timeout=30_000)
    finally:
        context.close()
    context, page = _open_offline(browser, tmp_path / "plain.html")
    try:
        page.locator(".jp-OutputArea").first.wait_for(state="attached", timeout=30_000)
        assert summary not in page.inner_text("body")
        assert page.locator(".lgw-stats").count() == 0
    finally:
        context.close()
