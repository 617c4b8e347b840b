"""`w.to_html(path)`: one file that shows a run with no kernel, no Jupyter and no network.

The page is made by a real run (graph `agent`: three nodes, the answer streamed token by token)
in a separate Python process (this module's Playwright holds the event loop), then opened from
file:// in Chromium with every request that is not file: aborted.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
