"""A batch and a comparison in real JupyterLab and Chromium: the table fills in live with a
progress bar, a failed input shows its error in its row, a row opens its run's own view, and
two rows compared. Screenshots of a 50-row batch and of the comparison, light and dark, go to
/work/shots/batch/ (override with LGW_BATCH_SHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.harness import (
    open_notebook,
    run_all,
    set_theme,
    wait_run_all_done,
    write_notebook,
)

SHOTS = Path(os.environ.get("LGW_BATCH_SHOTS", "/work/shots/batch"))


def test_the_table_a_row_opening_its_run_and_the_progress_bar(jupyterlab, page, server_url):
    nb = "batch.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        "inputs = [{'n': k, 'delay': 0.05, 'fail': k == 7} for k in range(50)]\n"
        f"b = lgwidget.batch('items', inputs, url={server_url!r})\nb",
        "await b.run()\nb.status",
        "c = lgwidget.compare(b.runs[2], b.runs[6])\nc",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    batch = page.locator(".lgw-batch").first
    batch.wait_for()
    rows = batch.locator("tbody .lgw-batch-row")
    page.wait_for_function("() => document.querySelectorAll('.lgw-batch-row').length === 50")
    # Live: the bar moves while runs are still going (the server runs one at a time).
    page.wait_for_function("""() => { const p = document.querySelector('.lgw-progress');
        const now = Number(p?.getAttribute('aria-valuenow'));
        return now > 0 && now < 50; }""", timeout=60_000)
    assert "--n-jobs-per-worker 8" in batch.locator(".lgw-batch-notes").text_content()
    wait_run_all_done(page, timeout=180)
    page.wait_for_function(
        "() => document.querySelector('.lgw-progress')?.getAttribute('aria-valuenow') === '50'")
    widths = batch.locator(".lgw-progress-bar").evaluate_all("bars => bars.map(b => b.style.width)")
    assert widths == ["98%", "2%"]  # 49 finished well, 1 failed
    assert rows.nth(7).get_attribute("data-status") == "error"
    assert "cannot label 7" in rows.nth(7).locator(".lgw-batch-error").text_content()
    assert rows.nth(3).locator(".lgw-batch-status").text_content() == "done"
    output = rows.nth(3).locator(".lgw-batch-output").text_content()
    assert output == '{"result": 6, "label": "odd"}'
    assert "49 done" not in batch.locator(".lgw-batch-summary").text_content()
    assert batch.locator(".lgw-batch-summary").text_content() == "50 of 50 finished · 1 error"

    rows.nth(3).click()
    opened = batch.locator(".lgw-batch-open .lgw-root")
    opened.wait_for()
    assert rows.nth(3).get_attribute("aria-selected") == "true"
    page.wait_for_function("""() => document.querySelector('.lgw-batch-open .lgw-badge')
        ?.textContent === 'done'""")
    assert opened.locator(".lgw-panel[data-node='double']").count() == 1
    assert opened.locator(".lgw-panel[data-node='label']").count() == 1

    comparison = page.locator(".lgw-compare").first
    comparison.wait_for()
    marks = comparison.locator(".lgw-compare-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.change, r.children[1].textContent])")
    assert marks == [["changed", "double"], ["same", "label"]]

    SHOTS.mkdir(parents=True, exist_ok=True)
    batch.locator(".lgw-batch-open button", has_text="Close").click()
    for dark in (False, True):
        set_theme(page, dark)
        name = "dark" if dark else "light"
        batch.screenshot(path=str(SHOTS / f"batch-{name}.png"))
        comparison.screenshot(path=str(SHOTS / f"compare-{name}.png"))
    set_theme(page, False)
    rows.nth(7).click()
    batch.locator(".lgw-batch-open .lgw-root").wait_for()
    batch.screenshot(path=str(SHOTS / "batch-opened-light.png"))
