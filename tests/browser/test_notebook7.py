"""RunWidget in Notebook 7 (`jupyter notebook`), in real Chromium, against the real server:
live updates, Stop, a reload with the kernel alive, and a saved notebook reopened without its
kernel, with the widget manager's default settings and with "Save Widget State Automatically"
on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.harness import run_all, save_notebook, wait_run_all_done, write_notebook
from tests.support.hosts import (
    BADGE,
    STATS,
    answer_as_json,
    chunks_shown,
    open_notebook7,
    sample_while_running,
    start_notebook7,
)
from tests.support.server import cancel_busy_runs, eventually_idle

STEPS = 20
FULL = STEPS + 1  # the run's metadata, then one update per step
ALL_STATS = "() => [...document.querySelectorAll('.lgw-stats')].map(e => e.textContent)"
ALL_BADGES = "() => [...document.querySelectorAll('.lgw-badge')].map(e => e.textContent)"


def _cells(url: str) -> list[str]:
    return [
        f"import lgwidget\nw = lgwidget.RunWidget('slow', {{'steps': {STEPS}}}, url={url!r})\nw",
        "await w.run()\nw.status",
    ]


def test_notebook7_live_stop_and_reload_with_the_kernel_alive(tmp_path, browser, page,
                                                               server_url):
    nb = "live.ipynb"
    write_notebook(tmp_path / nb, [
        *_cells(server_url),
        f"w2 = lgwidget.RunWidget('slow', {{'steps': 600}}, url={server_url!r})\nw2",
        "await w2.run()\nw2.status",
    ])
    try:
        with start_notebook7(tmp_path, save_widget_state=None) as server:
            open_notebook7(page, server, nb)
            run_all(page)
            # Live: the count rises while the badge says running.
            seen = sample_while_running(page, timeout=60)
            assert len(seen) >= 3 and seen == sorted(set(seen)), seen
            page.wait_for_function(f"() => ({STATS})().includes('{FULL} chunks')")
            assert page.evaluate(BADGE) == "done"
            # Stop, while the second run's cell awaits it.
            page.wait_for_function(
                "() => { const b = (" + ALL_BADGES + ")(); const s = (" + ALL_STATS + ")();"
                " return b[1] === 'running' && /[1-9][\\d,]* chunks/.test(s[1]); }",
                timeout=60_000, polling=20)
            page.locator(".lgw-stop").nth(1).click()
            page.wait_for_function(f"() => ({ALL_BADGES})()[1] === 'cancelled'", timeout=15_000)
            wait_run_all_done(page, timeout=30)
            assert eventually_idle(server_url)
            assert "'cancelled'" in page.locator(".jp-OutputArea-output").last.inner_text()
            stopped = page.evaluate(ALL_STATS)[1]

            # Reload with the kernel alive: both views come back from the kernel's widgets.
            # (Saved first, as a page reload reads the notebook from disk; the default settings
            # save no widget state, so the views must come from the live kernel.)
            save_notebook(page)
            assert "widgets" not in json.loads((tmp_path / nb).read_text())["metadata"]
            page.reload(wait_until="domcontentloaded")
            page.wait_for_function(
                "([a, b]) => { const s = (" + ALL_STATS + ")();"
                " return s.length === 2 && s[0].includes(a) && s[1] === b; }",
                arg=[f"{FULL} chunks", stopped], timeout=60_000, polling=100)
            assert page.evaluate(ALL_BADGES) == ["done", "cancelled"]
    finally:
        cancel_busy_runs(server_url)


def _run_save_and_reopen(tmp_path: Path, browser, page, url: str, save_widget_state):
    """Run the notebook, save it, stop its kernel; open it on a fresh page. Returns
    (fresh page's context, fresh page, saved notebook JSON)."""
    nb = "saved.ipynb"
    write_notebook(tmp_path / nb, _cells(url))
    server_cm = start_notebook7(tmp_path, save_widget_state=save_widget_state)
    server = server_cm.__enter__()
    try:
        open_notebook7(page, server, nb)
        run_all(page)
        wait_run_all_done(page, timeout=60)
        page.wait_for_function(f"() => ({STATS})().includes('{FULL} chunks')")
        save_notebook(page)
        saved = json.loads((tmp_path / nb).read_text())
        server.shutdown_all_kernels()
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        fresh = context.new_page()
        open_notebook7(fresh, server, nb)
        return server_cm, context, fresh, saved
    except BaseException:
        server_cm.__exit__(None, None, None)
        raise


def test_notebook7_saved_notebook_with_default_settings(tmp_path, browser, page, server_url):
    """The widget manager's default is not to save widget state: the reopened notebook shows
    an error where the run was, and no summary (the summary is in the file, not shown)."""
    server_cm, context, fresh, saved = _run_save_and_reopen(tmp_path, browser, page, server_url,
                                                            None)
    try:
        output = saved["cells"][0]["outputs"][0]["data"]
        assert "application/vnd.jupyter.widget-view+json" in output
        assert "LangGraph run of 'slow': done" in "".join(output["text/plain"])
        assert "widgets" not in saved["metadata"]  # no state saved with the default settings
        area = fresh.locator(".jp-Cell").first.locator(".jp-OutputArea")
        area.get_by_text("Error displaying widget: model not found").wait_for(timeout=30_000)
        assert fresh.evaluate(STATS) is None
        assert "LangGraph run of" not in area.inner_text()
    finally:
        context.close()
        server_cm.__exit__(None, None, None)


def test_notebook7_saved_notebook_with_widget_state_saved(tmp_path, browser, page, server_url):
    """With "Save Widget State Automatically" on, the reopened notebook shows the whole run."""
    server_cm, context, fresh, saved = _run_save_and_reopen(tmp_path, browser, page, server_url,
                                                            True)
    try:
        assert "widgets" in saved["metadata"]
        fresh.wait_for_function(f"() => ({STATS})()?.includes('{FULL} chunks')", timeout=30_000)
        assert fresh.evaluate(BADGE) == "done"
        assert chunks_shown(fresh) == FULL
        # One panel per update (the metadata chunk has none).
        fresh.wait_for_function(
            f"() => document.querySelectorAll('.lgw-panel').length === {STEPS}")
    finally:
        context.close()
        server_cm.__exit__(None, None, None)


def test_notebook7_answers_an_interrupt_from_the_view(tmp_path, page, server_url):
    """A thread run stops at interrupt(); the answer typed in the card resumes it in the view."""
    nb = "answer.ipynb"
    write_notebook(tmp_path / nb, [
        f"import lgwidget\nw = lgwidget.RunWidget('interrupting', {{'request': 'x'}}, "
        f"url={server_url!r}, thread=True)\nw",
        "await w.run()\nw.status",
    ])
    with start_notebook7(tmp_path, save_widget_state=None) as server:
        open_notebook7(page, server, nb)
        run_all(page)
        wait_run_all_done(page, timeout=60)
        answer_as_json(page, "true")
        page.wait_for_function(f"() => ({BADGE})() === 'done'", timeout=60_000)
        assert page.locator(".lgw-section").inner_text() == "resumed with true"
