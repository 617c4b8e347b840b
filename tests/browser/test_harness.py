"""Self-test of the browser harness: real JupyterLab + Chromium, ipywidgets + anywidget,
saved widget state rendering in a re-opened notebook."""

from __future__ import annotations

import time

import nbformat
import pytest

from tests.support.harness import (
    long_task_observer,
    open_notebook,
    run_all,
    save_notebook,
    screenshot,
    set_theme,
    wait_kernel_idle,
    wait_run_all_done,
    write_notebook,
)

pytestmark = pytest.mark.browser

WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

CELL_SLIDER = """\
import ipywidgets
slider = ipywidgets.IntSlider(value=7, description='seven')
slider
"""

CELL_ANYWIDGET = '''\
import anywidget
import traitlets

class Hello(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      el.classList.add('lgw-hello');
      el.textContent = 'hello from anywidget ' + model.get('value');
    }
    export default { render };
    """
    value = traitlets.Int(3).tag(sync=True)

Hello()
'''

HELLO_TEXT = "hello from anywidget 3"

# The rendered anywidget's text, and the slider's readout (ipywidgets 8: div.widget-readout).
JS_HELLO_RENDERED = """(text) => Array.from(document.querySelectorAll('.lgw-hello'))
    .some(e => e.textContent === text)"""
JS_SLIDER_READOUT = """() => Array.from(
    document.querySelectorAll('.widget-slider .widget-readout'), e => e.textContent.trim())"""


def test_long_task_observer_records_busy_loop(page):
    obs = long_task_observer(page)
    page.set_content("<!doctype html><title>t</title><p>x</p>")
    assert obs.read().supported
    obs.reset()
    # The busy loop must run as a task of the page (here a timer). A loop run synchronously by
    # page.evaluate itself (CDP Runtime.callFunctionOn) is NOT reported as a longtask.
    page.evaluate(
        """() => new Promise((resolve) => setTimeout(() => {
          const t = performance.now(); while (performance.now() - t < 200) {} resolve();
        }, 0))"""
    )
    # The observer callback is queued after the task; read() also flushes takeRecords().
    deadline = time.monotonic() + 5
    stats = obs.read()
    while stats.count == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        stats = obs.read()
    assert stats.error is None
    assert stats.count >= 1
    assert stats.max_ms >= 200, stats  # the 200 ms loop; a loaded machine can only add to it


def test_widgets_render_save_and_reopen_from_saved_state(jupyterlab, browser, page):
    lab = jupyterlab
    nb_rel = "harness_widgets.ipynb"
    nb_path = lab.root_dir / nb_rel
    write_notebook(nb_path, [CELL_SLIDER, CELL_ANYWIDGET])
    timings = {"jupyterlab_startup": lab.startup_seconds}

    obs = long_task_observer(page)
    t0 = time.monotonic()
    open_notebook(page, lab, nb_rel)
    timings["open_notebook"] = time.monotonic() - t0

    t0 = time.monotonic()
    run_all(page)
    page.wait_for_function(JS_HELLO_RENDERED, arg=HELLO_TEXT, timeout=60_000, polling=100)
    timings["run_all_to_render"] = time.monotonic() - t0
    result = wait_run_all_done(page)
    assert result["ok"] is True and result["error"] is None, result
    wait_kernel_idle(page)
    page.wait_for_function(f"() => ({JS_SLIDER_READOUT})().includes('7')", polling=100)
    assert page.evaluate(JS_SLIDER_READOUT) == ["7"]
    screenshot(page, "/tmp/harness.png")

    t0 = time.monotonic()
    save_notebook(page)
    timings["save"] = time.monotonic() - t0

    # The saved file carries the widget state (needs saveState=true in the harness settings).
    saved = nbformat.read(str(nb_path), as_version=4)
    state = saved.metadata["widgets"][WIDGET_STATE_MIME]["state"]
    by_model = {m["model_name"]: m["state"] for m in state.values()}
    assert by_model["IntSliderModel"]["value"] == 7
    anywidget_states = [s for s in state.values() if "_esm" in s["state"]]
    assert len(anywidget_states) == 1
    assert anywidget_states[0]["state"]["value"] == 3
    longtasks = obs.read()

    # Kill the kernel that owns the widgets, so the re-opened notebook can only render them
    # from the state saved in the notebook (a new kernel knows nothing about them).
    lab.shutdown_all_kernels()
    assert lab.list_kernels() == []
    assert lab.kernel_processes() == {}

    context2 = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page2 = context2.new_page()
        t0 = time.monotonic()
        open_notebook(page2, lab, nb_rel)
        page2.wait_for_function(JS_HELLO_RENDERED, arg=HELLO_TEXT, timeout=30_000, polling=100)
        timings["reopen_to_render"] = time.monotonic() - t0
        page2.wait_for_function(f"() => ({JS_SLIDER_READOUT})().includes('7')", polling=100)
        assert page2.evaluate(JS_SLIDER_READOUT) == ["7"]

        set_theme(page2, dark=True)
        screenshot(page2, "/tmp/harness-dark.png")
        set_theme(page2, dark=False)  # persisted in the server's settings: restore the default
    finally:
        context2.close()

    print(f"timings (s): { {k: round(v, 2) for k, v in timings.items()} }")
    print(f"long tasks during open+run+save: count={longtasks.count} max={longtasks.max_ms:.0f} ms")
