"""The "Time & tokens" pane in real JupyterLab and Chromium: the table and the waterfall of a run
with parallel branches and a subgraph (tests/graphs/timing.py), a click on a bar, and a 300-step
run with the pane open. Screenshots, light and dark, go to /work/shots/timing/ (override with
LGW_TIMING_SHOTS)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lgwidget._stats import SEPARATOR as SEP
from tests.support.harness import (
    long_task_observer,
    open_notebook,
    run_all,
    set_theme,
    wait_run_all_done,
    write_notebook,
)

SHOTS = Path(os.environ.get("LGW_TIMING_SHOTS", "/work/shots/timing"))
INPUT = {"topics": ["a", "b", "c"], "messages": [{"role": "user", "content": "Write a report."}]}


def _bars(widget) -> list[dict]:
    """Each waterfall row: its node, lane and the bar's box on screen."""
    return widget.locator(".lgw-wf-row").evaluate_all(
        """rows => rows.map(r => {
             const b = r.querySelector('.lgw-wf-bar').getBoundingClientRect();
             const critical = r.querySelector('.lgw-wf-bar').classList.contains('lgw-critical');
             return {node: r.dataset.node, lane: r.dataset.lane, left: b.left, right: b.right,
                     critical}; })""")


def test_the_pane_shows_where_the_time_and_tokens_went(jupyterlab, page, server_url):
    nb = "timing.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        f"w = lgwidget.RunWidget('timed', {json.dumps(INPUT)}, url={server_url!r}, "
        "stream_mode=['updates', 'tasks', 'messages-tuple'], stream_subgraphs=True)\n"
        "w.trace_project = 'https://smith.langchain.com/o/org-1/projects/p/proj-2'\nw",
        "await w.run()\nw.status",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    wait_run_all_done(page, timeout=120)
    widget = page.locator(".lgw-root").first
    page.wait_for_function("() => document.querySelector('.lgw-badge')?.textContent === 'done'")
    stats = widget.locator(".lgw-stats")
    page.wait_for_function(
        "() => document.querySelector('.lgw-stats')?.textContent.endsWith('277 tokens')")
    assert stats.text_content().endswith("277 tokens")
    link = widget.locator(".lgw-trace a")
    run_id = widget.locator(".lgw-runid").get_attribute("title")
    assert link.get_attribute("href") == (
        f"https://smith.langchain.com/o/org-1/projects/p/proj-2/r/{run_id}?poll=true")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")

    widget.locator(".lgw-timing-summary").click()
    table = widget.locator(".lgw-timing-table tbody tr")
    table.first.wait_for()
    names = table.locator(".lgw-timing-node").evaluate_all(
        "cells => cells.map(c => c.firstChild.textContent)")
    assert names == ["plan", "research", "review", f"review{SEP}check", f"review{SEP}polish",
                     "write"]
    assert table.nth(1).locator(".lgw-mark-slow").count() == 1
    assert table.nth(5).locator(".lgw-mark-cost").count() == 1
    assert widget.locator(".lgw-timing-note").text_content().endswith("exact")

    bars = _bars(widget)
    assert [b["node"] for b in bars] == ["plan", "research", "research", "research", "review",
                                         f"review{SEP}check", f"review{SEP}polish", "write"]
    research = [b for b in bars if b["node"] == "research"]
    assert sorted(b["lane"] for b in research) == ["0", "1", "2"]
    # Side by side in time: each branch starts before any of them ends.
    assert max(b["left"] for b in research) < min(b["right"] for b in research)
    assert bars[0]["right"] <= min(b["left"] for b in research) + 2  # after plan
    assert bars[-1]["left"] >= max(b["right"] for b in research)  # write after them
    assert [b["node"] for b in bars if b["critical"]] == [
        "plan", "research", "review", f"review{SEP}check", f"review{SEP}polish", "write"]

    SHOTS.mkdir(parents=True, exist_ok=True)
    for dark in (False, True):
        set_theme(page, dark)
        widget.locator(".lgw-timing").screenshot(
            path=str(SHOTS / f"pane-{'dark' if dark else 'light'}.png"))
    set_theme(page, False)

    # A click on the subgraph's check bar opens its panel inside review's, in view.
    widget.locator(f".lgw-wf-row[data-node='review{SEP}check']").click()
    check = widget.locator(
        ".lgw-list > .lgw-panel[data-node='review'] .lgw-panel[data-node='check']")
    check.wait_for()
    assert "lgw-open" in check.get_attribute("class")
    assert check.evaluate("""p => { const r = p.getBoundingClientRect();
        const s = p.closest('.lgw-scroll').getBoundingClientRect();
        return r.top >= s.top - 1 && r.top < s.bottom; }""")
    widget.screenshot(path=str(SHOTS / "clicked-light.png"))


MEASURES = """(() => { window.__lgwDraws = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    if (e.name === 'lgwidget: time & tokens') window.__lgwDraws.push(e.duration); })
    .observe({type: 'measure', buffered: true}); })();"""


def test_a_300_step_run_with_the_pane_open_has_no_long_task(jupyterlab, page, server_url):
    nb = "timing_loop.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import asyncio, lgwidget\n"
        f"w = lgwidget.RunWidget('loop', {{'n': 300}}, url={server_url!r}, "
        "stream_mode=['updates', 'tasks'], config={'recursion_limit': 1000})\nw",
        # Time for the test to open the pane before the run starts.
        "await asyncio.sleep(3)\nawait w.run()\nw.status",
    ])
    page.add_init_script(MEASURES)
    observer = long_task_observer(page)
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    widget = page.locator(".lgw-root").first
    summary = widget.locator(".lgw-timing-summary")
    summary.click()  # open while the run streams: it redraws every 400 ms
    widget.locator(".lgw-timing-body").wait_for()
    wait_run_all_done(page, timeout=120)
    page.wait_for_function("() => document.querySelector('.lgw-badge')?.textContent === 'done'")
    page.wait_for_function("""() => [...document.querySelectorAll('.lgw-timing-table tbody td')]
        .some(td => td.textContent === '300')""", timeout=30_000)
    # The pane's own work while the run streamed: each redraw (the whole-page long tasks of that
    # time are the timeline's, measured by bench/, and a loaded machine stretches them).
    draws = page.evaluate("() => window.__lgwDraws")
    assert draws and max(draws) <= 50, draws

    # Then, the run over, nothing else at work: the pane redrawn, scrolled through, a click.
    summary.click()
    since = observer.now()
    summary.click()
    scroller = widget.locator(".lgw-wf-scroll")
    for fraction in (0.25, 0.5, 0.75, 1.0):
        scroller.evaluate("(s, f) => { s.scrollTop = s.scrollHeight * f; }", fraction)
        page.wait_for_timeout(150)
    rows = widget.locator(".lgw-wf-row")
    assert rows.count() < 60, rows.count()  # only the rows in sight are in the page
    assert rows.last.get_attribute("data-bar") == "299"
    rows.last.click()
    last = widget.locator(".lgw-list > .lgw-panel.lgw-open").last
    last.wait_for()
    page.wait_for_timeout(300)
    assert last.locator(".lgw-meta").text_content().startswith("#")
    tasks = observer.read(since_ms=since)
    assert tasks.supported
    assert tasks.max_ms <= 50, tasks.entries
