"""RunWidget in real JupyterLab and Chromium, against the real server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.harness import (
    open_notebook,
    run_all,
    save_notebook,
    wait_run_all_done,
    write_notebook,
)

SECRET = "sk-browser-secret-0042"
PANELS = "() => document.querySelectorAll('.lgw-panel').length"
BADGE = "() => document.querySelector('.lgw-badge')?.textContent"
STATS = "() => document.querySelector('.lgw-stats')?.textContent"


def test_a_run_renders_live_collapses_and_survives_a_reload(jupyterlab, page, browser, server_url):
    nb = "live.ipynb"
    # The key comes from a file, as a careful user keeps it out of the notebook's source.
    (Path(jupyterlab.root_dir) / "key.txt").write_text(SECRET + "\n")
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        f"w = lgwidget.RunWidget('bulk', {{'n': 1500, 'size': 200}}, url={server_url!r},"
        " api_key=open('key.txt').read())\nw",
        "await w.run()\nw.status",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)

    # Live: panels appear while the run is still going.
    page.wait_for_function(
        f"() => ({BADGE})() === 'running' && ({PANELS})() > 10", timeout=60_000, polling=50
    )
    assert page.evaluate(BADGE) == "running"
    assert page.locator(".lgw-stop").is_visible()

    wait_run_all_done(page, timeout=120)
    page.wait_for_function(f"() => ({BADGE})() === 'done'", timeout=30_000)
    page.wait_for_function(f"() => ({STATS})().includes('1,501 chunks')", timeout=30_000)
    # The DOM holds a window of panels, not one per chunk. Panels are laid out a frame at a time
    # after the chunks are counted: wait for them, then check that no more come.
    page.wait_for_function(f"() => ({PANELS})() === 200", timeout=30_000)
    page.wait_for_timeout(300)
    assert page.evaluate(PANELS) == 200
    assert page.locator(".lgw-earlier").text_content() == "Show earlier (1,300 more)"
    assert not page.locator(".lgw-stop").is_visible()

    # The newest panel is open, the others are closed and have no body yet.
    panels = page.locator(".lgw-panel")
    last = panels.nth(199)
    assert "lgw-open" in last.get_attribute("class")
    assert last.locator(".lgw-panel-body").count() == 1
    first = panels.nth(0)
    assert first.locator(".lgw-panel-body").count() == 0
    first.locator(".lgw-panel-head").click()
    assert "lgw-open" in first.get_attribute("class")
    assert "payload" in first.locator(".lgw-panel-body").inner_text()
    first.locator(".lgw-panel-head").click()
    assert "lgw-open" not in first.get_attribute("class")
    page.locator(".lgw-earlier").click()
    page.wait_for_function(f"() => ({PANELS})() === 400", timeout=30_000)

    save_notebook(page)
    saved = (Path(jupyterlab.root_dir) / nb).read_text()
    assert SECRET not in saved
    notebook = json.loads(saved)
    output = notebook["cells"][0]["outputs"][0]
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    # Where no widget front end exists, the output reads as a summary of the finished run.
    assert "LangGraph run of 'bulk': done, 1501 chunks" in "".join(output["data"]["text/plain"])
    assert "widgets" in notebook["metadata"]

    # A fresh page (no kernel state in the browser) shows the whole run from the saved state.
    jupyterlab.shutdown_all_kernels()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        fresh = context.new_page()
        open_notebook(fresh, jupyterlab, nb)
        fresh.wait_for_function(f"() => ({STATS})()?.includes('1,501 chunks')", timeout=30_000)
        assert fresh.evaluate(BADGE) == "done"
        fresh.wait_for_function(f"() => ({PANELS})() === 200", timeout=30_000)
    finally:
        context.close()


def test_the_stop_button_works_while_a_lgrun_cell_runs(jupyterlab, page, server_url):
    """%%lgrun runs as a top-level await on the kernel's loop, so the browser's Stop message is
    handled while the cell is still running (a thread-blocked cell would handle it only after)."""
    nb = "stop.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        f"%load_ext lgwidget\n%config LGRun.url = {server_url!r}",
        '%%lgrun bulk -o w\n{"n": 20000, "size": 10}',
        "w.status, len(w.chunks)",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    page.wait_for_function(
        f"() => ({BADGE})() === 'running' && ({PANELS})() > 5", timeout=60_000, polling=50)
    page.locator(".lgw-stop").click()
    page.wait_for_function(f"() => ({BADGE})() === 'cancelled'", timeout=15_000)
    state = wait_run_all_done(page, timeout=30)
    assert state["done"]
    shown = page.evaluate(STATS)
    count = int(shown.split(" chunks")[0].split("· ")[-1].replace(",", ""))
    assert 5 < count < 20001  # stopped part-way; what came is shown
    last = page.locator(".jp-OutputArea-output").last.inner_text()
    assert "'cancelled'" in last  # the next cell ran after the stopped one, in order
