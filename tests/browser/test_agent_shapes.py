"""Agents shaped like real ones (tests/graphs/shapes.py) in real JupyterLab and Chromium.

Parallel Send branches each hold their own tokens, interrupt cards read without a click, and
the end of a run (which refreshes the output) leaves the reader where they were. Screenshots of
each shape, light and dark, go to /tmp/shots/ (override with LGW_SHOTS).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.harness import (
    open_notebook,
    run_all,
    screenshot,
    set_theme,
    wait_run_all_done,
    write_notebook,
)

SHOTS = Path(os.environ.get("LGW_SHOTS", "/tmp/shots"))
TOPICS = [f"topic{i:02d}" for i in range(1, 13)]
BADGES = "() => [...document.querySelectorAll('.lgw-badge')].map(b => b.textContent)"


def _cell(name: str, graph: str, input: object, url: str, **params: object) -> str:
    args = "".join(f", {k}={v!r}" for k, v in params.items())
    return (f"import lgwidget\n{name} = lgwidget.RunWidget({graph!r}, {json.dumps(input)}, "
            f"url={url!r}{args})\n{name}")


def _widget(page, index: int):
    """The index-th widget of the notebook (one per cell)."""
    return page.locator(".lgw-root").nth(index)


def test_shapes_fanout_and_interrupt_cards(jupyterlab, page, server_url):
    nb = "shapes.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [
        _cell("fan", "fanout", {"topics": TOPICS}, server_url,
              stream_mode=["updates", "messages-tuple"]),
        _cell("inbox", "inbox", {"request": "x"}, server_url),
        _cell("hitl", "hitl", {"request": "x"}, server_url, stream_mode=["values"]),
        _cell("schema", "schema", {"request": "x"}, server_url, stream_mode=["tasks"]),
        _cell("grow", "growing", {"messages": []}, server_url, stream_mode=["values"]),
        "for w in (fan, inbox, hitl, schema, grow):\n    await w.run()\n"
        "[w.status for w in (fan, inbox, hitl, schema, grow)]",
    ])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    wait_run_all_done(page, timeout=180)
    want = json.dumps(["done", "interrupted", "interrupted", "interrupted", "done"],
                      separators=(",", ":"))
    page.wait_for_function(f"() => JSON.stringify(({BADGES})()) === {json.dumps(want)}",
                           timeout=60_000)

    # -- fan-out: each of the 12 branches' panels holds its own summary, and only it ----------
    fan = _widget(page, 0)
    fan.locator(".lgw-toolbar button", has_text="Expand all").click()
    branches = fan.locator(".lgw-list > .lgw-panel[data-node='summarize']")
    page.wait_for_function(
        "() => [...document.querySelectorAll(\".lgw-root\")][0]"
        ".querySelectorAll(\".lgw-panel[data-node='summarize'] .lgw-msg\").length === 12",
        timeout=30_000)
    assert branches.count() == 12
    texts = branches.evaluate_all(
        "ps => ps.map(p => [...p.querySelectorAll('.lgw-msg-text')].map(t => t.textContent))")
    assert sorted(texts) == [[f"Summary of {t}: all about {t}."] for t in TOPICS]
    # each branch's update (its summary, no task id) is in the panel that streamed it
    updates = branches.evaluate_all(
        "ps => ps.map(p => p.querySelector('.lgw-node-update')?.textContent ?? '')")
    for bubble, update in zip(texts, updates, strict=True):
        topic = bubble[0].split()[2].rstrip(":")
        assert f"Summary of {topic}:" in update
    # one step, twelve in parallel, told apart by their place
    metas = branches.locator(":scope > .lgw-panel-head .lgw-meta").all_text_contents()
    assert all("step 2 · 12 in parallel" in m for m in metas), metas
    labels = branches.locator(":scope > .lgw-panel-head .lgw-label").all_text_contents()
    assert sorted(labels) == sorted(f"#{i}" for i in range(1, 13))

    # -- interrupt cards: the action, its arguments and the description, without a click ------
    inbox = _widget(page, 1).locator(".lgw-kind-interrupt")
    assert inbox.count() == 1
    assert inbox.locator(".lgw-icard-name").inner_text() == "send_email"
    assert inbox.locator(".lgw-icard-name").is_visible()
    args = inbox.locator(".lgw-icard-args").inner_text()
    assert "ada@example.com" in args and "Plans" in args and "Hi Ada" in args
    desc = inbox.locator(".lgw-icard-desc")
    assert desc.is_visible()
    assert desc.inner_text() == "Please review this email.\n\nIt goes to **Ada**."
    chips = inbox.locator(".lgw-icard-chip").all_text_contents()
    assert chips == ["accept", "edit", "respond"]

    # values mode: the state's __interrupt__ is a card, not a changed key
    hitl = _widget(page, 2)
    card = hitl.locator(".lgw-kind-interrupt")
    assert card.count() == 1
    assert card.locator(".lgw-icard-name").inner_text() == "delete_file"
    assert "/tmp/report.txt" in card.locator(".lgw-icard-args").inner_text()
    assert card.locator(".lgw-icard-desc").inner_text() == "Tool execution requires approval"
    assert card.locator(".lgw-icard-chip").all_text_contents() == ["approve", "edit", "reject"]
    hitl.locator(".lgw-toolbar button", has_text="Expand all").click()
    diffs = hitl.locator(".lgw-diff").all_inner_texts()
    assert len(diffs) == 3 and not any("__interrupt__" in d for d in diffs), diffs

    # tasks mode: the card is in the asking task's panel, with the schema's fields
    schema = _widget(page, 3).locator(".lgw-icard")
    assert schema.count() == 1 and schema.is_visible()
    assert "Ship it?" in schema.inner_text()
    fields = schema.locator(".lgw-icard-field").all_inner_texts()
    assert fields == ["approved: boolean (required)", "reason: string"]

    # values of a growing message list: the 10 new messages, not the list from its start
    grow = _widget(page, 4)
    states = grow.locator(".lgw-list > .lgw-panel.lgw-kind-values")
    assert states.count() == 4
    last = states.nth(3)
    assert last.locator(".lgw-label").inner_text() == "step 3"
    appended = last.locator(".lgw-appended")
    assert appended.locator(".lgw-diff-added").inner_text() == "+10 messages"
    bubbles = appended.locator(".lgw-msg-text").all_inner_texts()
    assert bubbles == [f"step 2 message {i}" for i in range(10)]

    _shoot(page, "light")
    set_theme(page, dark=True)
    try:
        _shoot(page, "dark")
    finally:
        set_theme(page, dark=False)


def _shoot(page, theme: str) -> None:
    for index, name in enumerate(["fanout", "inbox", "hitl", "schema", "growing"]):
        root = _widget(page, index)
        root.scroll_into_view_if_needed()
        screenshot(page, SHOTS / f"{name}-{theme}.png")
        root.screenshot(path=str(SHOTS / f"{name}-{theme}-widget.png"))


SLOW_GRAPH = """
import asyncio, lgwidget
from typing_extensions import TypedDict
from langgraph.graph import StateGraph, START, END

class S(TypedDict, total=False):
    i: int

async def tick(s):
    await asyncio.sleep(0.06)
    return {"i": s.get("i", 0) + 1}

b = StateGraph(S)
b.add_node("tick", tick)
b.add_edge(START, "tick")
b.add_conditional_edges("tick", lambda s: "tick" if s["i"] < 80 else END, ["tick", END])
w = lgwidget.RunWidget.from_graph(b.compile(), {"i": 0}, config={"recursion_limit": 500})
w
"""


def test_the_end_of_a_run_keeps_the_readers_place(jupyterlab, page):
    nb = "place.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, [SLOW_GRAPH, "await w.run()\nw.status"])
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    # While it runs: scroll up to an early panel, open it, mark the view's root element.
    page.wait_for_function(
        "() => document.querySelector('.lgw-badge')?.textContent === 'running'"
        " && document.querySelectorAll('.lgw-panel').length > 40", timeout=60_000, polling=50)
    fifth = page.locator(".lgw-list > .lgw-panel").nth(4)
    fifth.locator(".lgw-panel-head").click()
    assert "lgw-open" in fifth.get_attribute("class")
    page.evaluate("""() => {
      const root = document.querySelector('.lgw-root');
      root.__lgwMark = 'the same view';
      const s = root.querySelector('.lgw-scroll');
      s.scrollTop = 120;
      s.dispatchEvent(new Event('scroll'));
    }""")
    before = page.evaluate("() => document.querySelector('.lgw-scroll').scrollTop")
    assert before == 120
    # the run ends (Python refreshes the output's display data)
    wait_run_all_done(page, timeout=120)
    page.wait_for_function("() => document.querySelector('.lgw-badge')?.textContent === 'done'",
                           timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.lgw-stats').textContent.includes('81 chunks')",
        timeout=30_000)
    page.wait_for_timeout(500)  # let a re-render (if any) happen before reading the page
    state = page.evaluate("""() => {
      const root = document.querySelector('.lgw-root');
      const panel = root.querySelectorAll('.lgw-list > .lgw-panel')[4];
      return {mark: root.__lgwMark ?? null, roots: document.querySelectorAll('.lgw-root').length,
              top: root.querySelector('.lgw-scroll').scrollTop,
              open: panel.classList.contains('lgw-open')};
    }""")
    assert state == {"mark": "the same view", "roots": 1, "top": 120, "open": True}
