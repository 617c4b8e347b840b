"""A fast stream arrives whole in the browser, despite the Jupyter server's iopub rate limit.

The replay server (tests/support/replay_server.py, a process of its own) sends 10,000 ``updates``
events of 1 KB as fast as the socket takes them: about ten times the real server's rate. The Jupyter
server drops iopub messages above 1,000 per second averaged over 3 s (jupyter_server's IOPub rate
limit, ``ServerApp.iopub_msg_rate_limit`` and ``rate_limit_window``), so a widget
that sent one message per chunk would lose most of them; RunWidget batches them. The view must
end with every chunk: the header counts 10,001 chunks (the metadata event and 10,000 updates)
and the newest panel is chunk #10000.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import open_notebook, run_all, wait_run_all_done, write_notebook
from tests.support.replay_server import ReplayServer, replay_server

N = 10_000
SIZE = 1_000
BADGE = "() => document.querySelector('.lgw-badge')?.textContent"
STATS = "() => document.querySelector('.lgw-stats')?.textContent ?? ''"
RATE_EXCEEDED = "IOPub message rate exceeded"
#: The stream outputs of every cell of the current notebook, as its model holds them (what the
#: Jupyter server sends instead of the messages it drops goes there, as stderr).
STREAM_OUTPUTS = """() => {
  const texts = [];
  for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
    const outs = cell.model.outputs;
    if (!outs) continue;
    for (let i = 0; i < outs.length; i++) {
      const o = outs.get(i).toJSON();
      if (o.output_type === 'stream') texts.push(o.name + ': ' + [].concat(o.text).join(''));
    }
  }
  return texts;
}"""
NEWEST = ("() => { const p = [...document.querySelectorAll('.lgw-list > .lgw-panel')].at(-1);"
          " return p ? {meta: p.querySelector('.lgw-meta')?.textContent ?? '',"
          " open: p.classList.contains('lgw-open'), node: p.dataset.node} : null; }")


@pytest.fixture(scope="module")
def fast_server() -> Iterator[ReplayServer]:
    with replay_server(n=N, size=SIZE) as server:  # interval 0: as fast as the socket takes it
        yield server


def test_ten_thousand_fast_events_all_reach_the_view(jupyterlab, page, fast_server):
    nb = "fast_stream.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        f"w = lgwidget.RunWidget('bulk', {{'n': {N}, 'size': {SIZE}}}, url={fast_server.url!r})\n"
        "w",
        "import time\n_t0 = time.perf_counter()\nawait w.run()\n"
        "print(w.status, len(w.chunks), f'{time.perf_counter() - _t0:.2f}',"
        " w._transport.messages_sent)",
    ])
    open_notebook(page, jupyterlab, nb)
    log_before = len(jupyterlab.log_text())
    start = time.perf_counter()
    run_all(page)
    state = wait_run_all_done(page, timeout=120)
    assert state["error"] is None, state

    page.wait_for_function(f"() => ({STATS})().includes('{N + 1:,} chunks')", timeout=60_000,
                           polling=100)
    shown = time.perf_counter() - start
    page.wait_for_function(f"() => ({BADGE})() === 'done'", timeout=30_000)
    newest = page.evaluate(NEWEST)
    assert newest is not None
    assert newest["meta"].split(" · ")[0] == f"#{N}", newest
    assert newest["node"] == f"node_{N}" and newest["open"], newest

    # What the kernel says of the run: every chunk, in a few dozen batch messages, not 10,001.
    output = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".map(e => e.innerText).filter(t => t.startsWith('done'))")
    assert len(output) == 1, output
    status, chunks, seconds, messages = output[0].split()
    assert (status, int(chunks)) == ("done", N + 1)
    print(f"\n{N + 1:,} chunks: kernel run {seconds} s in {messages} batch messages; "
          f"whole view shown {shown:.1f} s after Run All")
    assert int(messages) < 200
    # The Jupyter server dropped nothing: when it does, it says so in the cell's stderr.
    streams = page.evaluate(STREAM_OUTPUTS)
    assert not [t for t in streams if RATE_EXCEEDED in t], streams
    assert "rate exceeded" not in jupyterlab.log_text()[log_before:]
    assert not [e for e in page.lgw_console_errors if "lgw" in e.lower() or "widget" in e.lower()]


def test_control_the_iopub_rate_limit_is_on_in_this_jupyterlab(jupyterlab, page):
    """Shows the test above can fail: the same server drops a burst of one message per item.

    The limit counts messages in a sliding 3 s window (over 3,000 trip it; an idle kernel resets
    the count). 20,000 display updates trip it even on a loaded machine; updates of one display
    keep the page light."""
    nb = "rate_limit.ipynb"
    sent = 20_000
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "from IPython.display import display\nh = display(0, display_id=True)\n"
        f"for i in range(1, {sent}):\n    h.update(i)",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    wait_run_all_done(page, timeout=180)
    streams = page.evaluate(STREAM_OUTPUTS)
    print(f"\ncontrol: {sent:,} display messages: {[t.splitlines()[0] for t in streams]}")
    assert any(RATE_EXCEEDED in t for t in streams), streams
