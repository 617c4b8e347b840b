"""XSS: whatever a server or a model sends is text in the view, never markup, in real JupyterLab.

A loopback server (tests/support/loopback.py) speaks the Agent Server's wire format (chunked
``text/event-stream``, CRLF line ends, an ``event:`` and a compact-JSON ``data:`` line per event)
and puts a corpus of payloads (script tags, event-handler attributes, javascript: URLs, CSS that
would hide the page, srcdoc iframes, template-literal and unicode tricks) everywhere a value
reaches the view: node names, update keys and values, subgraph namespaces, token chunks, whole
messages, tool call names and args, custom data, interrupts, state keys, tasks, events, the
error event, the run id and the assistant id, and the speaker line (role · name) of messages
still streaming (messages-tuple tokens and messages/partial): the server pauses while they are
live, so their bubbles are drawn mid-stream. A MutationObserver installed before the page loads
records any element or handler a payload makes in the widget at any moment, even one a later
refresh took out again. The widget runs it, every panel is opened (state
snapshots shown, "Show earlier", Expand all, every closed panel and <details>, every "show
more"), and then: no payload ran (``window.__xss`` stays undefined), no element or attribute of
a payload exists, every payload reads as text, and JupyterLab's layout is intact. The same again
after the notebook is saved and reopened in a fresh page (the snapshot path).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.support.harness import (
    open_notebook,
    run_all,
    save_notebook,
    wait_run_all_done,
    write_notebook,
)
from tests.support.loopback import (
    LAST_CHUNK,
    chunk,
    http_response,
    serve,
    sse_event,
    sse_response_head,
)

PAYLOADS: dict[str, str] = {
    "script": '<script>window.__xss="script"</script>',
    "img": "<img src=x onerror=\"window.__xss='img'\">",
    "svg": "<svg onload=\"window.__xss='svg'\"><circle r=9 /></svg>",
    "svg-script": '<svg><script>window.__xss="svg-script"</script></svg>',
    "js-url": 'javascript:window.__xss="js-url"',
    "a-href": "<a href=\"javascript:window.__xss='a'\" id=lgwxss-a>click me</a>",
    "css-break": "</style><style>body{display:none} .lgwxss{color:red}</style>",
    "style-attr": '<div class="lgwxss" style="position:fixed;inset:0;z-index:99999;'
                  'background:red">cover</div>',
    "iframe": "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    "object": '<object data="javascript:window.__xss=1"></object>'
              '<embed src="javascript:window.__xss=1">',
    "attr-break": "\"'><img src=x onerror=window.__xss='attr'>",
    "details": "<details open ontoggle=\"window.__xss='details'\">x</details>",
    "mxss": "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss='mxss'>",
    "template": "${window.__xss='tpl'}`+(window.__xss='tpl2')+`"
                "{{constructor.constructor('window.__xss=1')()}}",
    "rtl": "\u202egnp.exe\u202c invoice \u2066admin\u2069",
    "zero-width": "zero\u200dwidth\u200bjoin\ufeffer\u2060",
    # Cyrillic a (U+0430), Latin alpha (U+0251), Cyrillic dze (U+0455) among Latin letters
    "homoglyph": "p\u0430yp\u0430l.com \u0251dmin \u0455cript",
    "nul-lines": "nul\x00byte\u2028line\u2029para",
}
MODES = ["updates", "messages-tuple", "custom", "values", "debug", "tasks", "events"]

#: Elements no payload may create inside the widget (the widget itself makes none of them,
#: but for the graph's diagram: one <svg> of its own class).
FORBIDDEN_TAGS = ("script,img,svg:not(.lgw-graph-svg),iframe,a,style,object,embed,link,meta,base,"
                  "form,math,video,audio,source,frame,frameset,template,noscript,image,use")
FORBIDDEN_ATTRIBUTES = ["href", "src", "srcdoc", "style", "action", "formaction", "data",
                        "xlink:href", "background", "poster"]


def tag(where: str, name: str) -> str:
    """A payload placed at one location: a prefix tells every placement apart."""
    return f"[{where}/{name}] {PAYLOADS[name]}"


def corpus() -> tuple[list[tuple[str, Any]], list[str], list[str], str, int]:
    """(events, strings shown as they are, strings shown lower-cased, assistant id, the index
    of the first event after the pause with messages still streaming)."""
    events: list[tuple[str, Any]] = []
    shown: list[str] = []
    lowered: list[str] = []
    run_id = " ".join(tag("run-id", n) for n in PAYLOADS)
    assistant = " ".join(tag("assistant", n) for n in PAYLOADS)
    shown += [tag("run-id", n) for n in PAYLOADS] + [tag("assistant", n) for n in PAYLOADS]
    events.append(("metadata", {"run_id": run_id, "attempt": 1}))

    for i, n in enumerate(PAYLOADS):
        def t(where: str, n: str = n) -> str:
            shown.append(tag(where, n))
            return tag(where, n)

        # updates: node name, key, value, a value deep enough to start folded
        events.append(("updates", {t("node"): {t("key"): t("value"),
                                               "nested": {"deep": {"deeper": t("deep")}}}}))
        # a subgraph's namespace (the view names it by the part before ":") and its node
        namespace = tag("ns", n).replace("|", "/")
        shown.append(namespace.split(":")[0])
        events.append((f"updates|{namespace}:task-{i}", {t("subnode"): {"v": t("subvalue")}}))
        # messages-tuple: token chunks, a tool call forming, under a node named by metadata
        meta = {"langgraph_node": t("lg-node"), "run_id": "r", "thread_id": "th"}
        events.append(("messages", [{"id": f"tok-{i}", "type": "AIMessageChunk",
                                     "content": t("token1"), "tool_call_chunks": [
                                         {"index": 0, "name": t("tc-name"),
                                          "args": t("tc-args1"), "id": f"call-{i}"}]}, meta]))
        events.append(("messages", [{"id": f"tok-{i}", "type": "AIMessageChunk",
                                     "content": t("token2"), "chunk_position": "last",
                                     "tool_call_chunks": [{"index": 0, "args": t("tc-args2")}]},
                                    meta]))
        # whole messages in an update: user, assistant with a tool call, tool result, a role
        lowered.append(tag("role", n).lower())
        events.append(("updates", {t("msg-node"): {"messages": [
            {"type": "human", "content": t("human")},
            {"type": "ai", "content": t("ai"), "name": t("ai-name"), "id": f"ai-{i}",
             "tool_calls": [{"name": t("call-name"), "args": {t("arg-key"): t("arg-value")},
                             "id": f"c-{i}"}]},
            {"type": "tool", "content": t("tool-result"), "tool_call_id": t("tool-call-id"),
             "name": "lookup"},
            {"role": tag("role", n), "content": t("role-content")},
        ]}}))
        # messages/partial: a whole message so far, not under a node
        events.append(("messages/partial", [{"id": f"part-{i}", "type": "ai",
                                             "content": t("partial"), "tool_calls": [
                                                 {"name": t("p-call"), "args": {"q": t("p-arg")},
                                                  "id": f"p-{i}"}]}]))
        # custom: a value, and a progress dict whose other keys are words in the title line
        events.append(("custom", t("custom")))
        events.append(("custom", {"progress": 0.5, t("progress-key"): t("progress-value")}))
        # an interrupt
        events.append(("updates", {"__interrupt__": [{"value": {"question": t("interrupt")},
                                                      "id": f"int-{i}"}]}))
        # values: keys added, changed and removed
        events.append(("values", {t("state-key"): t("state-value"), "n": i}))
        events.append(("values", {t("state-key"): t("state-value2"), t("state-key2"): 1}))
        # debug: a task's start and result
        events.append(("debug", {"type": "task", "timestamp": "2025-01-01T00:00:00Z", "step": 1,
                                 "payload": {"id": f"d-{i}", "name": t("debug-name"),
                                             "input": {"x": t("debug-input")}, "triggers": []}}))
        events.append(("debug", {"type": "task_result", "timestamp": "2025-01-01T00:00:01Z",
                                 "step": 1, "payload": {
                                     "id": f"d-{i}", "name": tag("debug-name", n),
                                     "result": [[t("debug-key"), t("debug-result")]],
                                     "error": None, "interrupts": []}}))
        # tasks: a task that fails with a message
        events.append(("tasks", {"id": f"t-{i}", "name": t("task-name"), "input": t("task-input"),
                                 "triggers": []}))
        events.append(("tasks", {"id": f"t-{i}", "name": tag("task-name", n),
                                 "error": t("task-error"), "result": None, "interrupts": []}))
        # events: the compact one-line panels
        events.append(("events", {"event": t("ev-event"), "name": t("ev-name"),
                                  "data": {"chunk": t("ev-data")}, "run_id": "r"}))

    # Long values behind "show more": a string, a message, 60 entries, a truncated chunk.
    long_string = "L" * 600 + " " + " ".join(tag("long", n) for n in PAYLOADS)
    long_message = "M" * 4100 + " " + " ".join(tag("long-message", n) for n in PAYLOADS)
    many = {f"k{j}": tag(f"many{j}", n) for j, n in enumerate(list(PAYLOADS) * 4)}
    shown += [tag("long", n) for n in PAYLOADS] + [tag("long-message", n) for n in PAYLOADS]
    shown += list(many.values())
    events.append(("custom", {"long": long_string}))
    events.append(("updates", {"long-node": {"messages": [{"type": "ai", "content": long_message}],
                                             "many": many}}))
    big = " ".join(tag("big", n) for n in PAYLOADS) + " " + "x" * 300_000
    shown += [tag("big", n) for n in PAYLOADS]
    events.append(("updates", {"big-node": {"big": big}}))
    # Messages still streaming, markup in their speaker line: the role (a chunk's type, a
    # partial's role) and the name. All under one node, whose panel opens as the newest and
    # draws every live bubble; the server pauses after these (STREAMING_PAUSE_AT) so the view
    # shows them mid-stream, then sends their last chunks.
    stream_node = tag("stream-node", "script")
    shown.append(stream_node)
    closing: list[tuple[str, Any]] = []
    for n in PAYLOADS:
        lowered.append(tag("stream-role", n).lower())
        lowered.append(tag("partial-role", n).lower())
        meta = {"langgraph_node": stream_node, "run_id": "r", "thread_id": "th"}
        name = tag("stream-name", n)
        shown.append(name)
        events.append(("messages", [{"id": f"live-{n}", "type": tag("stream-role", n),
                                     "name": name, "content": "live "}, meta]))
        closing.append(("messages", [{"id": f"live-{n}", "type": tag("stream-role", n),
                                      "name": name, "content": "done",
                                      "chunk_position": "last"}, meta]))
        events.append(("messages/metadata", {f"live-part-{n}": {"metadata": meta}}))
        partial = {"id": f"live-part-{n}", "role": tag("partial-role", n),
                   "name": tag("partial-name", n)}
        shown.append(tag("partial-name", n))
        events.append(("messages/partial", [{**partial, "content": "so far"}]))
        closing.append(("messages/complete", [{**partial, "content": "so far, and done"}]))
    pause_at = len(events)
    events += closing

    # The error event ends the run: type and message (long: behind "show more" too).
    error_type = " ".join(tag("error-type", n) for n in PAYLOADS)
    error_message = " ".join(tag("error-message", n) for n in PAYLOADS) + " " + "E" * 4000
    shown += [tag("error-type", n) for n in PAYLOADS] + [tag("error-message", n) for n in PAYLOADS]
    events.append(("error", {"error": error_type, "message": error_message}))
    return events, shown, lowered, assistant, pause_at


EVENTS, SHOWN, LOWERED, ASSISTANT, STREAMING_PAUSE_AT = corpus()
#: Seconds the server waits with messages still streaming: long enough for the kernel to send
#: them and the view to draw their bubbles live, on a loaded machine too.
STREAMING_PAUSE_S = 3.0


def hostile_graph() -> tuple[dict[str, Any], list[str]]:
    """The run's graph (``GET /assistants/{id}/graph``) with payloads in node names, subgraph
    prefixes (xray's ``parent:child``) and edge labels; and the strings it must show as text."""
    nodes: list[dict[str, Any]] = [{"id": "__start__"}, {"id": "__end__"}]
    edges: list[dict[str, Any]] = []
    shown: list[str] = []
    previous = "__start__"
    for i, n in enumerate(PAYLOADS):
        node = tag("graph-node", n)
        child = f"{tag('graph-sub', n).replace(':', ';')}:{tag('graph-child', n)}"
        label = tag("graph-edge", n)
        shown += [node, child, label]
        nodes += [{"id": node, "type": "runnable", "data": {"name": node}},
                  {"id": child, "type": "runnable", "data": {"name": child}}]
        edges += [{"source": previous, "target": node, "conditional": i % 2 == 1},
                  {"source": node, "target": child, "data": label, "conditional": True}]
        previous = child
    edges.append({"source": previous, "target": "__end__"})
    return {"nodes": nodes, "edges": edges}, shown


GRAPH, GRAPH_SHOWN = hostile_graph()


async def agent_server(request, conn) -> None:
    """The run as the Agent Server sends it: chunked SSE, CRLF, compact JSON, no end event; its
    graph, asked for once the run started, as JSON."""
    if request.method == "GET":
        await conn.send(http_response(200, json.dumps(GRAPH)))
        return
    await conn.send(sse_response_head(extra_headers={"location": "/runs/r/stream"}))
    # In bursts, so batches reach the view while it runs; a long pause with messages live.
    starts = sorted({*range(0, len(EVENTS), 25), STREAMING_PAUSE_AT})
    for start, end in zip(starts, [*starts[1:], len(EVENTS)], strict=True):
        data = b"".join(sse_event(event, value) for event, value in EVENTS[start:end])
        await conn.send(chunk(data))
        await asyncio.sleep(STREAMING_PAUSE_S if end == STREAMING_PAUSE_AT else 0.02)
    await conn.send(LAST_CHUNK)


# --------------------------------------------------------------------------- the checks

OPEN_EVERYTHING = """() => {
  const root = document.querySelector('.lgw-root');
  let acted = 0;
  const toggle = root.querySelector('.lgw-state-toggle');
  const box = toggle && toggle.querySelector('input');
  if (toggle && !toggle.hidden && box && !box.checked) { box.click(); acted++; }
  const earlier = root.querySelector('.lgw-earlier');
  if (earlier && !earlier.hidden) { earlier.click(); acted++; }
  if (acted) return acted;  // the list is laid out again: let it settle first
  for (const head of root.querySelectorAll('.lgw-panel:not(.lgw-open) > .lgw-panel-head')) {
    head.click(); acted++;
  }
  for (const d of root.querySelectorAll('details:not([open])')) { d.open = true; acted++; }
  for (const b of root.querySelectorAll('button.lgw-more:not(.lgw-earlier)')) {
    if (!b.hidden) { b.click(); acted++; }
  }
  return acted;
}"""

INSPECT = """([forbiddenTags, forbiddenAttributes]) => {
  const root = document.querySelector('.lgw-root');
  const bad = [...root.querySelectorAll(forbiddenTags)].map((e) => e.outerHTML.slice(0, 200));
  const attributes = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      // The waterfall places its bars with inline geometry it computes (numbers only).
      const geometry = name === 'style' && el.closest('.lgw-wf') && new RegExp(
        '^((left|right|top|width|height|padding-left): (calc\\\\()?-?[\\\\d.]+(e-?\\\\d+)?' +
        '(%|px)( \\\\+ \\\\d+px\\\\))?;? ?)+$').test(a.value);
      if ((name.startsWith('on') || forbiddenAttributes.includes(name)) && !geometry) {
        attributes.push(`${el.tagName}[${name}=${a.value.slice(0, 80)}]`);
      }
    }
  }
  // Anywhere in the page: what the payloads would have made, had one been parsed as HTML.
  const anywhere = [...document.querySelectorAll(
    '[onerror],[onload],[ontoggle],iframe[srcdoc],img[src="x"],#lgwxss-a,.lgwxss,' +
    'object[data^="javascript"],embed[src^="javascript"],a[href^="javascript"]')]
    .map((e) => e.outerHTML.slice(0, 200));
  const injectedRules = [];
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = [...sheet.cssRules]; } catch (e) { continue; }
    for (const rule of rules) if (rule.cssText.includes('lgwxss')) injectedRules.push(rule.cssText);
  }
  const box = (sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + Math.min(10, r.width / 2), r.top + r.height / 2);
    return {width: r.width, height: r.height, onTop: !!hit && el.contains(hit)};
  };
  return {
    made: window.__lgwMade ?? null,
    xss: [typeof window.__xss, typeof window.top.__xss],
    bad, attributes, anywhere, injectedRules,
    text: root.textContent,
    panels: root.querySelectorAll('.lgw-panel').length,
    closed: root.querySelectorAll('.lgw-panel:not(.lgw-open), details:not([open])').length,
    more: [...root.querySelectorAll('button.lgw-more')].filter((b) => !b.hidden).length,
    bodyDisplay: getComputedStyle(document.body).display,
    layout: {toolbar: box('.jp-NotebookPanel-toolbar'), menu: box('#jp-top-panel'),
             widgetToolbar: box('.lgw-toolbar')},
  };
}"""


#: Installed before the page loads (an init script): records every element or on* handler that
#: appears inside the widget at any moment, so a payload parsed as HTML for one frame (a live
#: bubble's speaker line, redrawn as text when the message ends) is still seen.
OBSERVE = """(forbiddenTags) => {
  window.__lgwMade = [];
  const record = (el) => {
    for (const e of [el, ...el.querySelectorAll('*')]) {
      const handlers = [...e.attributes].filter((a) => a.name.toLowerCase().startsWith('on'));
      if (e.matches(forbiddenTags) || handlers.length) {
        window.__lgwMade.push(e.outerHTML.slice(0, 200));
      }
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!target || !target.closest('.lgw-root')) continue;
      for (const node of r.addedNodes) if (node.nodeType === 1) record(node);
    }
  }).observe(document, {childList: true, subtree: true});
}"""

#: Bubbles drawn while their message streams: markup in the name, and the "streaming…" mark.
LIVE_BUBBLES = """() => {
  const live = [...document.querySelectorAll('.lgw-root .lgw-msg-role')]
    .map((r) => r.textContent).filter((t) => t.endsWith('streaming…'));
  return live.some((t) => t.includes('[stream-name/script]'))
    && live.some((t) => t.includes('[partial-name/img]'));
}"""


def observe(page_or_context: Any) -> None:
    page_or_context.add_init_script(f"({OBSERVE})({json.dumps(FORBIDDEN_TAGS)})")


STATS_SAY = "(text) => document.querySelector('.lgw-stats')?.textContent.includes(text)"


def open_everything(page: Any) -> None:
    """Expand all, then open whatever is still closed until nothing is left to open."""
    page.get_by_role("button", name="Expand all").click()
    quiet = 0
    for _ in range(80):
        acted = page.evaluate(OPEN_EVERYTHING)
        page.wait_for_timeout(120)  # toggle events, and the view's per-frame appends
        quiet = quiet + 1 if acted == 0 else 0
        if quiet >= 3:
            return
    raise AssertionError("the view kept finding closed panels to open")


def json_inner(text: str) -> str:
    """How the tree shows a string value: as JSON, without the quotes."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def assert_inert(page: Any) -> dict[str, Any]:
    page.wait_for_timeout(500)  # an onerror or a srcdoc script would have run by now
    seen = page.evaluate(INSPECT, [FORBIDDEN_TAGS, FORBIDDEN_ATTRIBUTES])
    assert seen["xss"] == ["undefined", "undefined"], "a payload ran"
    assert seen["made"] is not None, "the MutationObserver was not installed"
    assert seen["made"] == [], "elements or handlers from the payloads were made at some point"
    assert seen["bad"] == [], "elements from the payloads exist in the widget"
    assert seen["attributes"] == [], "attributes from the payloads exist in the widget"
    assert seen["anywhere"] == [], "elements from the payloads exist in the page"
    assert seen["injectedRules"] == [], "CSS from the payloads is in a stylesheet"
    assert seen["closed"] == 0 and seen["more"] == 0, "not every panel was opened"

    text = seen["text"]
    missing = [s for s in SHOWN if s not in text and json_inner(s) not in text]
    missing += [s for s in GRAPH_SHOWN if s not in text]  # the diagram's names and hovers
    missing += [s for s in LOWERED if s not in text]
    assert missing == [], f"{len(missing)} payloads not shown as text, e.g. {missing[:3]!r}"
    # The unicode tricks reach the page unchanged (not normalized, not stripped).
    for name in ("rtl", "zero-width", "homoglyph"):
        assert tag("node", name) in text
    assert "nul\x00byte\u2028line\u2029para" in text

    # The page is intact: nothing hidden, nothing laid over it.
    assert seen["bodyDisplay"] != "none"
    for name, box in seen["layout"].items():
        assert box and box["width"] > 0 and box["height"] > 0 and box["onTop"], (name, box)
    assert page.locator(".jp-NotebookPanel-toolbar").is_visible()
    return seen


def test_payloads_everywhere_render_as_text_live_and_after_reload(jupyterlab, page, browser):
    nb = "xss.ipynb"
    with serve(agent_server) as srv:
        write_notebook(Path(jupyterlab.root_dir) / nb, [
            "import lgwidget\n"
            f"w = lgwidget.RunWidget({ASSISTANT!r}, {{'q': 1}}, url={srv.url!r},"
            f" stream_mode={MODES!r})\nw",
            "await w.run()\nw.status, w.chunk_count",
        ])
        observe(page)
        open_notebook(page, jupyterlab, nb)
        run_all(page)
        # The server pauses with messages still streaming: their bubbles are drawn live.
        page.wait_for_function(LIVE_BUBBLES, timeout=60_000, polling=100)
        wait_run_all_done(page, timeout=120)
    made = page.evaluate("() => ({xss: typeof window.__xss, made: window.__lgwMade})")
    assert made == {"xss": "undefined", "made": []}, "a payload was parsed as HTML during the run"
    page.wait_for_function(
        "() => document.querySelector('.lgw-badge')?.textContent === 'error'", timeout=30_000)
    count = f"{len(EVENTS):,} chunks"
    page.wait_for_function(STATS_SAY, arg=count, timeout=30_000)
    # The run got all of it, and the error line says what the error event said.
    assert page.locator(".lgw-error-line").is_visible()

    open_everything(page)
    live = assert_inert(page)
    assert live["panels"] > 200  # "Show earlier" was used: every panel is on the page
    assert page.locator(".lgw-graph-svg .lgw-gnode-node").count() == 2 * len(PAYLOADS)

    # The filter box takes a payload as text too.
    page.locator(".lgw-text-filter").fill(PAYLOADS["img"])
    page.wait_for_timeout(500)
    assert page.locator(".lgw-list > .lgw-panel").count() > 0
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.locator(".lgw-text-filter").fill("")
    page.wait_for_timeout(300)
    errors = [e for e in page.lgw_console_errors if "pageerror" in e or "lgwidget" in e]
    assert errors == []

    # Saved, and reopened in a fresh page: the snapshot renders the same, as text.
    save_notebook(page)
    saved = (Path(jupyterlab.root_dir) / nb).read_text()
    assert "application/vnd.jupyter.widget-state+json" in saved
    jupyterlab.shutdown_all_kernels()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        observe(context)
        fresh = context.new_page()
        fresh_errors: list[str] = []
        fresh.on("pageerror", lambda e: fresh_errors.append(str(e)))
        open_notebook(fresh, jupyterlab, nb)
        fresh.wait_for_function(STATS_SAY, arg=count, timeout=30_000)
        assert fresh.evaluate("() => document.querySelector('.lgw-badge').textContent") == "error"
        open_everything(fresh)
        reloaded = assert_inert(fresh)
        assert reloaded["panels"] == live["panels"]
        assert fresh.locator(".lgw-graph-svg .lgw-gnode-node").count() == 2 * len(PAYLOADS)
        assert fresh_errors == []

        # Negative control: had a payload been parsed as HTML, these checks would have seen it.
        fresh.evaluate("(html) => { document.querySelector('.lgw-root .lgw-title').innerHTML ="
                       " html; }", PAYLOADS["img"] + PAYLOADS["style-attr"])
        fresh.wait_for_function("() => window.__xss === 'img'", timeout=5_000)
        caught = fresh.evaluate(INSPECT, [FORBIDDEN_TAGS, FORBIDDEN_ATTRIBUTES])
        assert caught["xss"][0] == "string"
        assert any(b.startswith("<img") for b in caught["bad"])
        assert any("[onerror=" in a for a in caught["attributes"])
        assert any("[style=" in a for a in caught["attributes"])
        assert any(b.startswith('<div class="lgwxss"') for b in caught["anywhere"])
        assert any(m.startswith("<img") for m in caught["made"])
    finally:
        context.close()
