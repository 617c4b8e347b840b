"""Every stream mode in real JupyterLab: tokens grow live, subgraphs nest, interrupts stand out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lgwidget._server import run_langgraph_dev
from lgwidget.demo.command import CONFIG
from tests.support.harness import open_notebook, run_all, wait_run_all_done, write_notebook

QUESTION = json.dumps({"messages": [{"role": "user", "content": "What's the weather in Paris?"}]})
ANSWER = "It is 18 °C and sunny in Paris today. A good day for a walk along the river."
BUBBLE = ("() => [...document.querySelectorAll('.lgw-msg .lgw-msg-text')]"
          ".map(e => e.textContent).filter(t => t.startsWith('It is'))[0] ?? ''")


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with run_langgraph_dev(CONFIG) as url:
        yield url


def test_tokens_grow_live_and_subgraphs_nest(jupyterlab, page, demo_url):
    nb = "modes.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        f"%load_ext lgwidget\n%config LGRun.url = {demo_url!r}",
        "%%lgrun agent --stream-mode updates --stream-mode messages-tuple --stream-mode custom"
        f" --subgraphs\n{QUESTION}",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)

    # The answer's bubble appears while the model streams, and its text grows.
    page.wait_for_function(f"() => ({BUBBLE})().length > 5", timeout=60_000, polling=10)
    first = page.evaluate(BUBBLE)
    assert first != ANSWER
    assert page.evaluate("() => document.querySelector('.lgw-badge').textContent") == "running"
    page.wait_for_function(f"() => ({BUBBLE})().length > {len(first)}", timeout=30_000, polling=10)
    wait_run_all_done(page, timeout=60)
    page.wait_for_function(f"() => ({BUBBLE})() === {json.dumps(ANSWER)}", timeout=30_000)

    # One top-level panel per node; the subgraph's nodes are inside "research".
    titles = page.evaluate(
        "() => [...document.querySelectorAll("
        "'.lgw-list > .lgw-panel > .lgw-panel-head .lgw-title')].map(e => e.textContent)")
    assert [t for t in titles if t != "custom"] == ["plan", "research", "answer"]
    research = page.locator(".lgw-list > .lgw-panel[data-node='research']")
    research.locator(":scope > .lgw-panel-head").click()
    nested = research.locator(".lgw-node-children > .lgw-panel .lgw-title").all_text_contents()
    assert [t for t in nested if t != "custom"] == ["call_tool", "read_result"]
    # No raw task ids in titles.
    assert not any(":" in t for t in titles + nested)
    # The streamed answer is not shown a second time in the answer node's update.
    # The answer's node is where the run ended: it is open, and the streamed answer is not
    # shown a second time in its update.
    answer = page.locator(".lgw-list > .lgw-panel[data-node='answer']")
    assert "lgw-open" in answer.get_attribute("class")
    assert answer.inner_text().count("A good day for a walk") == 1
    # Progress from the custom writer reads at a glance.
    assert page.locator("progress.lgw-progress").count() >= 2


def test_an_interrupt_is_a_distinct_panel(jupyterlab, page, demo_url):
    nb = "interrupt.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        f"%load_ext lgwidget\n%config LGRun.url = {demo_url!r}",
        f"%%lgrun approval\n{QUESTION}",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    wait_run_all_done(page, timeout=60)
    page.wait_for_function(
        "() => document.querySelector('.lgw-badge')?.textContent === 'interrupted'", timeout=30_000)
    panel = page.locator(".lgw-panel.lgw-kind-interrupt")
    assert panel.count() == 1
    assert "lgw-open" in panel.get_attribute("class")
    assert "Send this forecast?" in panel.inner_text()
