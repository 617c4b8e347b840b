"""RunWidget in marimo (0.25), in real Chromium, against the real server.

What marimo does differently from Jupyter: the anywidget front end is created while the cells
run, so the first batch message can come before it listens (anywidget issue #436); a request
from the front end (`sync`, Stop) reaches the kernel only when no cell is running; there are no
magics. The view lives in a shadow root (the `hosts.DEEP` queries look inside).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.hosts import (
    BADGE,
    DEEP,
    STATS,
    answer_as_json,
    chunks_shown,
    marimo_app,
    sample_while_running,
    start_marimo,
)
from tests.support.server import cancel_busy_runs, eventually_idle

STEPS = 20  # 20 x 0.1 s: a run of about 2 s
RUNNING = f"() => ({BADGE})() === 'running' && /[1-9][\\d,]* chunks/.test(({STATS})() || '')"


def _app(tmp_path: Path, url: str, steps: int, *last: str) -> Path:
    app = tmp_path / "app.py"
    app.write_text(marimo_app([
        "import lgwidget",
        f"w = lgwidget.RunWidget('slow', {{'steps': {steps}}}, url={url!r})\nw",
        *last,
    ]))
    return app


def _text_shown(page, text: str, timeout: float = 30.0) -> None:
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text,
                           timeout=timeout * 1000, polling=50)


@pytest.fixture
def server(server_url):
    yield server_url
    cancel_busy_runs(server_url)  # a run a failed test left going


def test_marimo_shows_a_run_live_and_whole(tmp_path, page, server):
    """`marimo run`: the cells run when the page opens; `await w.run()` in the third."""
    app = _app(tmp_path, server, STEPS, "await w.run()\nw.status",
               "f'finished: {w.status} with {len(w.chunks)} chunks'")
    with start_marimo(app, mode="run") as mo:
        page.goto(mo.url, wait_until="domcontentloaded")
        seen = sample_while_running(page, timeout=60)
        _text_shown(page, "finished: done with ")
        full = int(page.evaluate("() => document.body.innerText.match(/with (\\d+) chunks/)[1]"))
        page.wait_for_function(f"(n) => ({STATS})().includes(n + ' chunks')", arg=f"{full:,}")
        assert page.evaluate(BADGE) == "done"
    assert full == STEPS + 1  # the run's metadata, then one update per step
    # The count rose while the badge said running: the view was live, not filled at the end.
    assert len(seen) >= 3, seen
    assert seen == sorted(set(seen)), seen
    assert seen[-1] < full or len(seen) > 3, seen


def test_marimo_stop_is_held_while_a_cell_awaits_the_run(tmp_path, page, server):
    """The Stop click is a front-end message: marimo handles it only after the cell ends, so
    the run goes on to its end. (This documents the host; see docs/hosts.md.)"""
    app = _app(tmp_path, server, STEPS, "await w.run()",
               "f'finished: {w.status} with {len(w.chunks)} chunks'")
    with start_marimo(app, mode="run") as mo:
        page.goto(mo.url, wait_until="domcontentloaded")
        page.wait_for_function(RUNNING, timeout=60_000, polling=20)
        page.locator(".lgw-stop").click()
        _text_shown(page, "finished: ")
        assert "finished: done with 21 chunks" in page.inner_text("body")
        page.wait_for_function(f"() => ({BADGE})() === 'done'")


def test_marimo_stop_works_on_a_run_started_with_start(tmp_path, page, server):
    """`w.start()` returns at once; the run goes on on marimo's loop, live, and Stop cancels it
    (on the server too)."""
    app = _app(tmp_path, server, 600, "task = w.start()")
    with start_marimo(app, mode="run") as mo:
        page.goto(mo.url, wait_until="domcontentloaded")
        page.wait_for_function(RUNNING, timeout=60_000, polling=20)
        first = chunks_shown(page)
        page.wait_for_function(
            f"(n) => Number((({STATS})().match(/([\\d,]+) chunks/) || [0, '0'])[1]) > n + 2",
            arg=first, timeout=30_000, polling=20)
        page.locator(".lgw-stop").click()
        page.wait_for_function(f"() => ({BADGE})() === 'cancelled'", timeout=15_000)
        stopped_at = chunks_shown(page)
        assert first + 2 < stopped_at < 601
        assert eventually_idle(server)


def test_marimo_edit_interrupt_cancels_an_awaited_run(tmp_path, page, server):
    """`marimo edit`: run all, then marimo's own interrupt button stops `await w.run()`: the
    widget says cancelled and the server's run is cancelled; the cell shows "Interrupted"."""
    app = _app(tmp_path, server, 600, "await w.run()")
    with start_marimo(app, mode="edit") as mo:
        page.goto(mo.url, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='cell-editor']", timeout=60_000)
        page.locator("[data-testid='run-button']").last.click()  # run all (bottom right)
        page.wait_for_function(RUNNING, timeout=60_000, polling=20)
        page.locator("[data-testid='interrupt-button']").click()
        page.wait_for_function(f"() => ({BADGE})() === 'cancelled'", timeout=15_000)
        _text_shown(page, "Interrupted")
        assert eventually_idle(server)
        # What came stays in the view (its panels are laid out a frame at a time).
        page.wait_for_function(f"() => !!{DEEP}('.lgw-panel')", timeout=30_000)



def test_marimo_answers_an_interrupt_from_the_view(tmp_path, page, server):
    """A thread run stops at interrupt(); the answer typed in the card reaches the kernel once
    the cell has ended (marimo's rule for front-end messages) and the run resumes in the view."""
    app = tmp_path / "app.py"
    app.write_text(marimo_app([
        "import lgwidget",
        f"w = lgwidget.RunWidget('interrupting', {{'request': 'x'}}, url={server!r}, "
        "thread=True)\nw",
        "await w.run()\nw.status",
    ]))
    with start_marimo(app, mode="run") as mo:
        page.goto(mo.url, wait_until="domcontentloaded")
        answer_as_json(page, "true")
        page.wait_for_function(f"() => ({BADGE})() === 'done'", timeout=60_000)
        assert page.locator(".lgw-section").inner_text() == "resumed with true"
        assert "answered: true" in page.locator(".lgw-answer-done").inner_text()
