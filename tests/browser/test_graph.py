"""The graph's diagram in real JupyterLab and Chromium, against the real server: every node
drawn, lit during a run of a graph with a subgraph, a click filters the timeline, a saved
notebook reopened shows it; the note for a graph the server cannot draw; ``show_graph`` with
nothing leaving loopback."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tests.support.harness import (
    open_notebook,
    run_all,
    save_notebook,
    wait_run_all_done,
    write_notebook,
)

BADGE = "() => document.querySelector('.lgw-badge')?.textContent"
#: The classes of a node of the (first) diagram, by its id.
CLASSES = """(id) => [...document.querySelectorAll('.lgw-graph-svg [data-node]')]
  .find((el) => el.getAttribute('data-node') === id)?.getAttribute('class') ?? ''"""
NODES = """() => [...document.querySelectorAll('.lgw-graph-svg .lgw-gnode-node')]
  .map((el) => el.getAttribute('data-node'))"""
SVG_TEXT = "() => document.querySelector('.lgw-graph-svg')?.textContent ?? ''"
PIPELINE = ["finish", "prepare", "team:search", "team:write"]
TWELVE_RUNS = "\u00d712"  # the badge of a node that ran 12 times


def has_class(page, node: str, name: str, timeout: float = 60_000) -> None:
    page.wait_for_function(f"() => ({CLASSES})({node!r}).split(' ').includes({name!r})",
                           timeout=timeout, polling=50)


def test_the_diagram_lights_up_filters_and_survives_a_reload(jupyterlab, page, browser,
                                                              server_url):
    nb = "graph.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        f"w = lgwidget.RunWidget('pipeline', {{'steps': 12}}, url={server_url!r},"
        " stream_subgraphs=True)\nw",
        "await w.run()\nw.status",
        f"u = lgwidget.RunWidget('undrawable', {{}}, url={server_url!r})\nu",
        "await u.run()\nu.status",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)

    # Live: the subgraph's node and its cluster are lit while it runs; prepare is done.
    has_class(page, "team:search", "lgw-g-done")  # its first runs ended, the next go on
    has_class(page, "team", "lgw-g-running")
    assert page.evaluate(BADGE) == "running"
    assert "lgw-g-done" in page.evaluate(CLASSES, "prepare")
    assert "lgw-g-idle" in page.evaluate(CLASSES, "finish")
    assert page.evaluate("() => document.querySelectorAll('.lgw-gedge-taken').length") == 1

    wait_run_all_done(page, timeout=120)
    page.wait_for_function(f"() => ({BADGE})() === 'done'", timeout=30_000)
    has_class(page, "team", "lgw-g-done")
    for node in PIPELINE:
        has_class(page, node, "lgw-g-done", 10_000)
    # Every node drawn, named as text; the loop counted.
    assert sorted(page.evaluate(NODES)) == PIPELINE
    text = page.evaluate(SVG_TEXT)
    for name in ("prepare", "search", "write", "finish", "team"):
        assert name in text
    search = page.locator(".lgw-graph-svg [data-node='team:search']").first
    assert search.locator(".lgw-gbadge text").text_content() == TWELVE_RUNS
    assert "12 runs" in search.locator("title").first.text_content()
    taken = page.locator(".lgw-gedge-taken")
    assert (taken.get_attribute("data-source"), taken.get_attribute("data-target")) == (
        "finish", "__end__")

    # The graph the server cannot draw: its run works, the pane says why in one line.
    note = page.locator(".lgw-graph-note").last
    note.wait_for(state="visible", timeout=30_000)
    assert note.text_content() == ("No graph diagram: the server cannot draw this graph "
                                   "(The graph does not support visualization).")
    assert page.locator(".lgw-root").last.locator(".lgw-graph-svg").count() == 0

    # A click on a node filters the first run's timeline to it; a second click clears.
    root = page.locator(".lgw-root").first
    panels = root.locator(".lgw-list > .lgw-panel")
    before = panels.count()
    root.locator("[data-node='prepare'] > rect").click()
    page.wait_for_function("() => document.querySelector('.lgw-node-filter').value === 'prepare'")
    page.wait_for_function(
        "() => [...document.querySelector('.lgw-list').children].every("
        "(p) => p.dataset.node === 'prepare')", timeout=10_000)
    assert panels.count() == 1
    assert "lgw-g-selected" in page.evaluate(CLASSES, "prepare")
    root.locator("[data-node='prepare'] > rect").click()
    page.wait_for_function("() => document.querySelector('.lgw-node-filter').value === ''")
    page.wait_for_function(
        f"() => document.querySelector('.lgw-list').children.length === {before}")

    # Saved with its widget state, reopened in a fresh page: the diagram, lit as the run ended.
    save_notebook(page)
    jupyterlab.shutdown_all_kernels()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        fresh = context.new_page()
        open_notebook(fresh, jupyterlab, nb)
        fresh.wait_for_function(f"() => ({NODES})().length === {len(PIPELINE)}", timeout=30_000)
        for node in PIPELINE:
            has_class(fresh, node, "lgw-g-done", 30_000)
        badge = fresh.locator(".lgw-graph-svg [data-node='team:search'] .lgw-gbadge text")
        assert badge.first.text_content() == TWELVE_RUNS
        assert fresh.locator(".lgw-graph-note").last.text_content().startswith("No graph diagram")
    finally:
        context.close()


def test_show_graph_draws_offline(jupyterlab, page, server_url):
    """The standalone diagram, of a graph in the kernel and of an assistant on the server:
    nothing is fetched from anywhere but loopback (where JupyterLab and the server are)."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    nb = "show.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        "import lgwidget\n"
        "from langgraph.graph import StateGraph, START, END\n"
        "from typing_extensions import TypedDict\n"
        "class S(TypedDict, total=False):\n    x: int\n"
        "b = StateGraph(S)\n"
        "for name in ['plan', 'act', 'check']:\n    b.add_node(name, lambda s: {})\n"
        "b.add_edge(START, 'plan'); b.add_edge('plan', 'act')\n"
        "b.add_conditional_edges('act', lambda s: END, ['check', END])\n"
        "b.add_edge('check', 'plan')\n"
        "lgwidget.show_graph(b.compile())",
        f"lgwidget.show_graph('supervisor', url={server_url!r}, xray=True)",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    wait_run_all_done(page, timeout=120)
    page.wait_for_function("() => document.querySelectorAll('.lgw-graph-only svg').length === 2",
                           timeout=30_000)
    first, second = page.locator(".lgw-graph-only svg").all()
    assert sorted(n.get_attribute("data-node") for n in first.locator(".lgw-gnode-node").all()) \
        == ["act", "check", "plan"]
    assert first.locator(".lgw-gedge-conditional").count() == 2
    assert sorted(n.get_attribute("data-node") for n in second.locator(".lgw-gnode-node").all()) \
        == ["finish", "research:search:fetch", "research:search:rank", "research:write",
            "supervisor"]
    assert second.locator(".lgw-gcluster").count() == 2
    assert page.lgw_console_errors == []
    hosts = {urlsplit(u).hostname for u in requests if urlsplit(u).scheme in ("http", "https")}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
    assert not [u for u in requests if "mermaid" in u]
