// Values, messages, "show more", and untrusted text that must stay text.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, batchText, buttonByText, clearDocument, container, pumpFrames, tick, window } from "./setup.js";
import { ENTRY_LIMIT, STRING_LIMIT, h, longText, valueNode } from "../src/dom.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { RunView } from "../src/view.js";
import { runOf } from "../src/widget.js";

const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

function viewOf(chunks, traits = {}) {
  const model = new FakeModel(traits);
  const store = new RunStore();
  const el = container();
  views.push(new RunView(el, runOf(model), store));
  store.add(parseBatch(batchText(0, chunks)));
  pumpFrames();
  return { el, model, store };
}

/** Rows directly under a tree's children (not those of nested trees). */
const rowsOf = (details) => $$(details.querySelector(".lgw-children"), ":scope > .lgw-row");
const moreOf = (node) => node.querySelector(":scope > .lgw-children > .lgw-more, :scope > .lgw-more");

describe("h", () => {
  test("text, className, attributes, listeners and children", () => {
    let clicks = 0;
    const el = h("button", { className: "a b", text: "<b>x</b>", title: "t", onclick: () => clicks++, skipped: undefined }, null, false);
    assert.equal(el.className, "a b");
    assert.equal(el.textContent, "<b>x</b>");
    assert.equal(el.children.length, 0);
    assert.equal(el.getAttribute("title"), "t");
    assert.equal(el.hasAttribute("skipped"), false);
    el.click();
    assert.equal(clicks, 1);
    const parent = h("div", {}, "one ", h("span", { text: "two" }), "<i>three</i>");
    assert.equal(parent.textContent, "one two<i>three</i>");
    assert.ok(parent.querySelector("i") === null);
  });
});

describe("long strings", () => {
  test("a short string has no button", () => {
    const span = longText("short");
    assert.equal(span.textContent, "short");
    assert.ok(span.querySelector("button") === null);
  });

  test('"show more" reveals the whole text', () => {
    const text = "a".repeat(STRING_LIMIT) + "b".repeat(700);
    const span = longText(text);
    container().append(span);
    const more = span.querySelector("button.lgw-more");
    assert.ok(more);
    assert.match(more.textContent, /show more \(1,200 chars\)/);
    assert.ok(span.textContent.startsWith("a".repeat(STRING_LIMIT) + "…"));
    assert.ok(!span.textContent.includes("b"));
    more.click();
    assert.equal(span.textContent, text);
    assert.ok(span.querySelector("button") === null);
  });

  test("a long string value in a tree", () => {
    const s = "x".repeat(2000);
    const node = valueNode({ long: s });
    const str = node.querySelector(".lgw-str");
    assert.ok(str.textContent.length < 700);
    str.querySelector(".lgw-more").click();
    assert.equal(str.textContent, JSON.stringify(s));
  });

  test('"show more" in a panel body does not close the panel', () => {
    const { el } = viewOf([["updates", { agent: { text: "y".repeat(3000) } }]]);
    const panel = el.querySelector(".lgw-panel");
    assert.ok(panel.classList.contains("lgw-open"));
    buttonByText(panel, "show more").click();
    assert.ok(panel.classList.contains("lgw-open"));
    assert.equal(panel.querySelector(".lgw-str").textContent, JSON.stringify("y".repeat(3000)));
  });

  test("long message text and long error message get show more", () => {
    const { el } = viewOf([
      ["values", { messages: [{ type: "ai", content: "m".repeat(5000) }] }],
      ["error", { error: "RuntimeError", message: "e".repeat(5000) }],
    ]);
    buttonByText(el, "Expand all").click();
    const msg = el.querySelector(".lgw-msg-text");
    assert.ok(msg.textContent.length < 4100);
    msg.querySelector(".lgw-more").click();
    assert.equal(msg.textContent, "m".repeat(5000));
    const err = el.querySelector(".lgw-error-msg");
    assert.ok(err.textContent.length < 4100);
    err.querySelector(".lgw-more").click();
    assert.equal(err.textContent, "e".repeat(5000));
  });
});

describe("trees", () => {
  test(`an array longer than ${ENTRY_LIMIT} shows ${ENTRY_LIMIT} rows and "show N more"`, () => {
    const array = Array.from({ length: 120 }, (_, i) => i * 10);
    const node = valueNode(array);
    assert.equal(node.querySelector(".lgw-summary").textContent, "[120]");
    assert.equal(rowsOf(node).length, 50);
    let more = moreOf(node);
    assert.equal(more.textContent, "show 50 more of 70");
    more.click();
    assert.equal(rowsOf(node).length, 100);
    more = moreOf(node);
    assert.equal(more.textContent, "show 20 more of 20");
    more.click();
    assert.equal(rowsOf(node).length, 120);
    assert.ok(moreOf(node) === null, "no more button");
    assert.equal(rowsOf(node).at(-1).textContent, "119: 1190");
  });

  test("an object with many keys", () => {
    const object = Object.fromEntries(Array.from({ length: 55 }, (_, i) => [`k${i}`, i]));
    const node = valueNode(object);
    assert.equal(node.querySelector(".lgw-summary").textContent, "{55} k0, k1, k2, k3, …");
    assert.equal(rowsOf(node).length, 50);
    moreOf(node).click();
    assert.equal(rowsOf(node).length, 55);
  });

  test("scalars and empty containers", () => {
    assert.equal(valueNode(42).className, "lgw-number");
    assert.equal(valueNode(true).textContent, "true");
    assert.equal(valueNode(null).className, "lgw-null");
    assert.equal(valueNode("hi").textContent, '"hi"');
    assert.equal(valueNode([]).textContent, "[]");
    assert.equal(valueNode({}).textContent, "{}");
  });

  test("deep levels are closed and built only when opened", async () => {
    const node = valueNode({ a: { b: { c: { d: 1 } } } });
    container().append(node);
    // the root holds a (depth 0), a's value holds b (depth 1), b's value (depth 2) holds c
    const trees = [node, ...$$(node, "details")];
    assert.equal(trees.length, 3, "c's value is not built yet");
    const [root, a, b] = trees;
    assert.equal(root.open, true);
    assert.equal(a.open, true);
    assert.equal(b.open, false);
    assert.equal(b.querySelector(".lgw-children").children.length, 0);
    b.open = true;
    await tick();
    assert.equal(rowsOf(b).length, 1);
    assert.ok(b.querySelector("details"), "c is built now");
    b.open = false;
    await tick();
    b.open = true;
    await tick();
    assert.equal(rowsOf(b).length, 1, "built once");
  });
});

describe("messages", () => {
  test("a list of messages is shown as chat bubbles", () => {
    const node = valueNode([
      { type: "human", content: "What is the weather?" },
      {
        type: "ai",
        name: "planner",
        content: [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "call_1" }],
        tool_calls: [{ name: "weather", args: { city: "Paris" }, id: "call_1" }],
      },
      { type: "tool", content: "22 °C", tool_call_id: "call_1" },
      { role: "assistant", content: "It is 22 °C." },
    ]);
    assert.ok(node.classList.contains("lgw-msgs"));
    const bubbles = $$(node, ".lgw-msg");
    assert.deepEqual(
      bubbles.map((b) => [...b.classList].find((c) => c.startsWith("lgw-role-"))),
      ["lgw-role-user", "lgw-role-assistant", "lgw-role-tool", "lgw-role-assistant"],
    );
    assert.deepEqual(bubbles.map((b) => b.querySelector(".lgw-msg-role").textContent), ["user", "assistant · planner", "tool", "assistant"]);
    assert.equal(bubbles[1].querySelector(".lgw-msg-text").textContent, "Let me check.");
    assert.equal(bubbles[1].querySelector(".lgw-tool-call").textContent, '→ weather({"city":"Paris"})');
    assert.equal(bubbles[2].querySelector(".lgw-msg-meta").textContent, "result of call_1");
    assert.equal($$(node, ".lgw-key").length, 0, "no index keys in a chat");
  });

  test("an AIMessageChunk on its own", () => {
    const bubble = valueNode({ type: "AIMessageChunk", content: "Hel" });
    assert.ok(bubble.classList.contains("lgw-role-assistant"));
    assert.equal(bubble.querySelector(".lgw-msg-text").textContent, "Hel");
  });

  test(
    "a long chat has no index keys after show more either",

    () => {
      const node = valueNode(Array.from({ length: 60 }, (_, i) => ({ type: i % 2 ? "ai" : "human", content: `m${i}` })));
      assert.equal($$(node, ".lgw-msg").length, 50);
      buttonByText(node, "show 10 more").click();
      assert.equal($$(node, ".lgw-msg").length, 60);
      assert.deepEqual($$(node, ".lgw-key").map((k) => k.textContent), []);
    },
  );
});

describe("odd data does not break the view", () => {
  test(
    "a message whose role is 'constructor' or whose tool_calls is not a list is still shown",

    () => {
      const { el } = viewOf([
        ["updates", { a: { messages: [{ type: "constructor", content: "hi" }] } }],
        ["updates", { b: { messages: [{ type: "ai", content: "there", tool_calls: { name: "t" } }] } }],
      ]);
      buttonByText(el, "Expand all").click();
      assert.deepEqual($$(el, ".lgw-msg-text").map((m) => m.textContent), ["hi", "there"]);
    },
  );

  test("odd but harmless values", () => {
    const { el } = viewOf([
      ["values", { __lgwidget_truncated__: "many", preview: null }],
      ["updates", 'RAW:{"__proto__": {"x": 1}, "constructor": 2}'],
      ["error", null],
      ["messages", [{ type: "ai", content: { weird: true }, name: { n: 1 }, tool_calls: [null, { args: 1 }] }]],
    ]);
    buttonByText(el, "Expand all").click();
    assert.equal($$(el, ".lgw-panel").length, 5);
    // a messages chunk with no metadata (so no node) is a message panel of its own
    assert.deepEqual($$(el, ".lgw-title").map((t) => t.textContent), ["values", "__proto__", "constructor", "Error", "message"]);
    const message = el.querySelector(".lgw-panel.lgw-kind-message");
    assert.equal(message.querySelector(".lgw-msg-text").textContent, '{"weird":true}');
    assert.equal($$(message, ".lgw-tool-call").length, 2);
    assert.match(message.querySelector(".lgw-msg-role").textContent, /^assistant/);
  });
});

describe("untrusted text stays text", () => {
  const IMG = '<img src=x onerror="globalThis.__xss=1">';
  const SCRIPT = "<script>globalThis.__xss=1</script>";
  const JS = "javascript:alert(1)";
  const payloads = [IMG, SCRIPT, JS];
  // a messages-tuple chunk as the server sends it
  const token = (content, { name = null, last = false, toolCallChunks = [] } = {}) => ({
    content,
    additional_kwargs: {},
    response_metadata: {},
    type: "AIMessageChunk",
    name,
    id: "run-hostile",
    tool_calls: [],
    invalid_tool_calls: [],
    tool_call_chunks: toolCallChunks.map((c) => ({ type: "tool_call_chunk", name: null, id: null, ...c })),
    usage_metadata: null,
    ...(last ? { chunk_position: "last" } : {}),
  });
  // a node named SCRIPT inside a subgraph node named IMG
  const tokenMeta = { langgraph_node: SCRIPT, langgraph_checkpoint_ns: `${IMG}:9|${SCRIPT}:8` };

  function hostileView() {
    return viewOf(
      [
        ["updates", { [IMG]: { [SCRIPT]: JS, nested: { [JS]: IMG }, list: [SCRIPT, IMG] } }],
        ["updates", { [SCRIPT]: IMG }],
        ["updates", { [JS]: { href: JS, src: JS, [IMG]: 1 } }],
        [`updates|${IMG}:9`, { inner: SCRIPT }],
        ["error", { error: IMG, message: SCRIPT }],
        [
          "values",
          {
            messages: [
              { type: "ai", name: SCRIPT, content: IMG, tool_calls: [{ name: IMG, args: { q: SCRIPT } }] },
              { type: "human", content: [{ type: "text", text: SCRIPT }] },
              { type: "tool", content: JS, tool_call_id: IMG },
              { type: IMG, content: SCRIPT },
            ],
          },
        ],
        ["messages", [{ type: "AIMessageChunk", content: SCRIPT }, { langgraph_node: IMG }]],
        ["custom", `RAW:${SCRIPT}`],
        ["updates", { __interrupt__: [{ value: IMG }] }],
        ["values", { __lgwidget_truncated__: 52428800, preview: SCRIPT }],
        // streamed tokens: the text, the speaker's name and a tool call's name and args arrive in pieces
        ["messages", [token("<img src=x ", { name: JS, toolCallChunks: [{ name: "<scr", args: '{"q": "<im', id: "c9", index: 0 }] }), tokenMeta]],
        ["messages", [token('onerror="globalThis.', { name: JS, toolCallChunks: [{ name: "ipt>globalThis.__xss=1</script>", args: 'g src=x onerror=\\"globalThis.__xss=1\\">"}', index: 0 }] }), tokenMeta]],
        ["messages", [token('__xss=1">', { name: JS, last: true }), tokenMeta]],
        // messages mode: metadata, the text so far, then the whole message
        ["messages/metadata", { [IMG]: { metadata: { langgraph_node: JS, langgraph_checkpoint_ns: `${JS}-node:1` } } }],
        ["messages/partial", [{ type: "ai", id: IMG, content: SCRIPT.slice(0, 9) }]],
        ["messages/partial", [{ type: "ai", id: IMG, content: SCRIPT }]],
        ["messages/complete", [{ type: "ai", id: IMG, content: SCRIPT + JS, tool_calls: [{ name: IMG, args: { [SCRIPT]: JS }, id: "c1" }] }]],
        // state snapshots: their diff names keys
        ["values", { [IMG]: 1, [SCRIPT]: JS }],
        // custom data, in the timeline and in a subgraph
        ["custom", { progress: 0.3, [IMG]: SCRIPT }],
        [`custom|${SCRIPT}:7`, { [JS]: IMG }],
        // tasks and debug: names, inputs, results and errors
        ["tasks", { id: "t1", name: IMG, input: { [SCRIPT]: JS }, triggers: [JS] }],
        ["tasks", { id: "t1", name: IMG, error: SCRIPT, result: null, interrupts: [] }],
        ["debug", { type: "task", timestamp: "2025-01-01T00:00:00.000Z", step: 1, payload: { id: "t2", name: SCRIPT, input: null, triggers: [] } }],
        ["debug", { type: "task_result", timestamp: "2025-01-01T00:00:00.250Z", step: 1, payload: { id: "t2", name: SCRIPT, error: null, result: { [JS]: IMG }, interrupts: [] } }],
        // events: the event and runnable names make the title
        ["events", { event: IMG, name: SCRIPT, run_id: "r", tags: [JS], metadata: {}, data: { input: JS }, parent_ids: [] }],
      ],
      { status: "running", assistant_id: IMG, run_id: SCRIPT, error: { error: IMG, message: SCRIPT } },
    );
  }

  /** Open every panel (nested ones too) and every tree, click every "show more". */
  async function openEverything(el) {
    buttonByText(el, "Expand all").click();
    for (let round = 0; round < 6; round++) {
      for (const head of $$(el, ".lgw-panel:not(.lgw-open) > .lgw-panel-head")) head.click();
      for (const details of $$(el, "details:not([open])")) details.open = true;
      for (const more of $$(el, ".lgw-more:not(.lgw-earlier)")) more.click();
      await tick();
    }
  }

  const GEOMETRY = /^((left|right|top|width|height|padding-left): (calc\()?-?[\d.]+(e-?\d+)?(%|px)( \+ \d+px\))?;? ?)+$/;
  test("no element, no script, no handler comes from the data", async () => {
    delete globalThis.__xss;
    const { el } = hostileView();
    await openEverything(el);
    await tick();
    // 16 top-level panels; nested: the subgraph's "inner" update, the SCRIPT node inside the IMG
    // node, and the custom item inside the other SCRIPT node
    assert.equal($$(el, ".lgw-list > .lgw-panel").length, 16);
    assert.equal(el.querySelectorAll(".lgw-panel").length, 19);
    assert.equal(el.querySelectorAll(".lgw-node-children .lgw-msg").length, 3, "three live bubbles");
    assert.deepEqual($$(document, "img, script, iframe, a, svg, object, embed").map((e) => e.tagName), []);
    for (const element of $$(el, "*")) {
      for (const { name, value } of element.attributes) {
        assert.ok(!name.startsWith("on"), `${element.tagName} has ${name}`);
        // The waterfall places its bars with numbers it computed, never with text from the data.
        if (name === "style" && element.closest(".lgw-wf")) assert.match(value, GEOMETRY);
        else assert.ok(!["src", "href", "style"].includes(name), `${element.tagName} has ${name}`);
        if (name === "class") assert.doesNotMatch(value, /[<>"=]/);
      }
    }
    assert.equal(globalThis.__xss, undefined);
    assert.equal(window.__xss, undefined);
    // text is escaped when serialized (attribute values may hold a literal "<", as in browsers)
    const serialized = new window.XMLSerializer().serializeToString(el);
    const copy = new window.DOMParser().parseFromString(serialized, "text/html");
    assert.equal(copy.querySelectorAll("img, script").length, 0);
  });

  test("each payload is the exact text of its node", async () => {
    const { el } = hostileView();
    await openEverything(el);
    const texts = (selector) => $$(el, selector).map((e) => e.textContent);
    // node names
    const titles = texts(".lgw-title");
    for (const p of payloads) assert.ok(titles.includes(p), `title ${p}`);
    assert.ok(titles.includes(IMG), "error type as the title");
    assert.ok(!titles.some((t) => t.includes("›")), "no flat namespace paths");
    /** The panels directly inside a node panel. */
    const inside = (panel) => $$(panel, ":scope > .lgw-panel-body > .lgw-node-body > .lgw-node-children > .lgw-panel");
    const titleOf = (panel) => panel.querySelector(":scope > .lgw-panel-head > .lgw-title").textContent;
    const nodePanels = $$(el, ".lgw-panel.lgw-kind-node");
    // the subgraph namespace IMG is a node panel holding the subgraph's "inner" update
    const imgNode = nodePanels.find((p) => titleOf(p) === IMG);
    assert.ok(imgNode, "namespace as a node panel");
    assert.equal(imgNode.dataset.node, IMG);
    const [inner, scriptNode] = inside(imgNode);
    assert.equal(titleOf(inner), "inner");
    assert.equal(inner.querySelector(".lgw-str").textContent, JSON.stringify(SCRIPT));
    // tokens of the node SCRIPT, inside the subgraph IMG (langgraph_checkpoint_ns)
    assert.equal(titleOf(scriptNode), SCRIPT);
    const streamed = scriptNode.querySelector(".lgw-msg");
    assert.equal(streamed.querySelector(".lgw-msg-text").textContent, IMG, "tokens appended as text");
    assert.equal(streamed.querySelector(".lgw-msg-role").textContent, `assistant · ${JS}`);
    const args = '{"q": "<im' + 'g src=x onerror=\\"globalThis.__xss=1\\">"}';
    assert.equal(JSON.parse(args).q, IMG);
    assert.equal(streamed.querySelector(".lgw-tool-call").textContent, `→ ${SCRIPT}(${args})`, "tool call chunks merged as text");
    // the whole-message token inside the IMG node
    assert.equal(imgNode.querySelector(":scope > .lgw-panel-body > .lgw-node-body > .lgw-node-children > .lgw-msg .lgw-msg-text").textContent, SCRIPT);
    // messages mode: the partial text replaced by the complete message, under the node JS
    const jsNode = nodePanels.find((p) => titleOf(p) === JS);
    assert.equal(jsNode.querySelector(".lgw-msg-text").textContent, SCRIPT + JS);
    assert.equal(jsNode.querySelector(".lgw-tool-call").textContent, `→ ${IMG}(${JSON.stringify({ [SCRIPT]: JS })})`);
    // custom data in a subgraph: inside the node panel SCRIPT at the top
    const customNode = nodePanels.find((p) => titleOf(p) === SCRIPT && p !== scriptNode);
    const [custom] = inside(customNode);
    assert.ok(custom.classList.contains("lgw-kind-custom"));
    assert.equal(custom.querySelector(".lgw-key").textContent, `${JS}: `);
    assert.equal(custom.querySelector(".lgw-str").textContent, JSON.stringify(IMG));
    // custom progress: the other keys as words
    const progress = el.querySelector(".lgw-panel.lgw-kind-custom .lgw-progress-row");
    assert.equal(progress.querySelector(".lgw-note").textContent, `${IMG}: ${SCRIPT}`);
    // values: the diff line names the keys
    assert.ok(texts(".lgw-diff-added").includes(`+ ${IMG}, ${SCRIPT}`));
    assert.ok(texts(".lgw-diff-removed").includes("− messages"));
    // tasks: the name as the title, the input keys, the error and the result
    const tasks = $$(el, ".lgw-panel.lgw-kind-task");
    assert.deepEqual(tasks.map(titleOf), [IMG, SCRIPT]);
    assert.equal(tasks[0].querySelector(".lgw-error-msg").textContent, `error: ${SCRIPT}`);
    assert.ok($$(tasks[0], ".lgw-key").some((k) => k.textContent === `${SCRIPT}: `));
    assert.ok($$(tasks[1], ".lgw-key").some((k) => k.textContent === `${JS}: `));
    assert.ok($$(tasks[1], ".lgw-str").some((k) => k.textContent === JSON.stringify(IMG)));
    // events: the event and the runnable's name make the title
    assert.ok(titles.includes(`${IMG} · ${SCRIPT}`));
    // the node filter lists the names as text
    const options = $$(el, ".lgw-node-filter option").map((o) => o.textContent);
    for (const p of payloads) assert.ok(options.includes(p), `option ${p}`);
    assert.deepEqual($$(el, "option").filter((o) => o.children.length > 0), []);
    // keys and values
    const keys = texts(".lgw-key");
    for (const p of payloads) assert.ok(keys.includes(`${p}: `), `key ${p}`);
    const strings = texts(".lgw-str");
    for (const p of payloads) assert.ok(strings.includes(JSON.stringify(p)), `value ${p}`);
    // the error and the truncated preview
    assert.equal(el.querySelector(".lgw-kind-error .lgw-error-msg").textContent, SCRIPT);
    assert.equal(el.querySelector(".lgw-pre").textContent, SCRIPT);
    // a line that was not JSON
    assert.ok(strings.includes(JSON.stringify(SCRIPT)));
    // messages
    const msgTexts = texts(".lgw-msg-text");
    assert.ok(msgTexts.includes(IMG));
    assert.ok(msgTexts.includes(SCRIPT));
    assert.ok(msgTexts.includes(JS));
    assert.ok(texts(".lgw-msg-role").includes(`assistant · ${SCRIPT}`));
    assert.ok(texts(".lgw-tool-call").includes(`→ ${IMG}(${JSON.stringify({ q: SCRIPT })})`));
    assert.ok(texts(".lgw-msg-meta").includes(`result of ${IMG}`));
    // data-node is an attribute value, nothing more
    assert.ok($$(el, ".lgw-panel").some((p) => p.getAttribute("data-node") === SCRIPT));
    // header
    assert.equal(el.querySelector(".lgw-assistant").textContent, IMG);
    assert.equal(el.querySelector(".lgw-runid").textContent, `run ${SCRIPT}`);
    assert.equal(el.querySelector(".lgw-error-line").textContent, `${IMG}: ${SCRIPT}`);
  });

  test("a streamed message's speaker line (role · name) stays text while it streams: messages-tuple and messages/partial", async () => {
    delete globalThis.__xss;
    // Markup in the role (the chunk's type) and in the name, as a hostile server could send.
    const ROLE = IMG;
    const NAME = `<b id="who">Ada</b>${SCRIPT}`;
    const shownRole = IMG.toLowerCase(); // messageRole lower-cases a role it does not know
    const next = (store, chunks) => {
      store.add(parseBatch(batchText(store.count, chunks)));
      pumpFrames();
    };
    const tupleToken = (content, last = false) => ["messages", [{ type: ROLE, name: NAME, id: "tuple-1", content, ...(last ? { chunk_position: "last" } : {}) }, { langgraph_node: "writer" }]];
    const partial = (mode, content) => [mode, [{ type: ROLE, name: NAME, id: "partial-1", content }]];
    // Every element ever put inside a speaker line, even one a later refresh took out again.
    const made = [];
    const { el, store } = viewOf([tupleToken("Hel")], { status: "running" });
    const observer = new window.MutationObserver((records) => {
      for (const record of records) {
        const inRole = record.target.closest?.(".lgw-msg-role");
        for (const node of record.addedNodes) if (inRole && node.nodeType === 1) made.push(node.nodeName);
      }
    });
    observer.observe(el, { childList: true, subtree: true });
    const speaker = (bubble) => bubble.querySelector(".lgw-msg-role");
    try {
      const [tuple] = $$(el, ".lgw-kind-node .lgw-msg");
      assert.ok(tuple, "the node panel opened and shows the live bubble");
      assert.equal(speaker(tuple).textContent, `${shownRole} · ${NAME} · streaming…`);
      assert.equal(speaker(tuple).children.length, 0);
      next(store, [tupleToken("lo")]);
      assert.equal(speaker(tuple).textContent, `${shownRole} · ${NAME} · streaming…`);
      assert.equal(speaker(tuple).children.length, 0);

      next(store, [partial("messages/partial", "Hi")]);
      const partialPanel = el.querySelector(".lgw-list > .lgw-panel.lgw-kind-message");
      assert.ok(partialPanel.classList.contains("lgw-open"), "the newest panel opened");
      const [bubble] = $$(partialPanel, ".lgw-msg");
      assert.equal(speaker(bubble).textContent, `${shownRole} · ${NAME} · streaming…`);
      assert.equal(speaker(bubble).children.length, 0);
      next(store, [partial("messages/partial", "Hi there")]);
      assert.equal(speaker(bubble).textContent, `${shownRole} · ${NAME} · streaming…`);

      next(store, [tupleToken("", true), partial("messages/complete", "Hi there.")]);
      for (const done of [tuple, bubble]) {
        assert.equal(speaker(done).textContent, `${shownRole} · ${NAME}`);
        assert.equal(speaker(done).children.length, 0);
      }
      await tick();
      assert.deepEqual(made, []);
      assert.equal(el.querySelector("#who, img, script"), null);
      assert.equal(globalThis.__xss, undefined);
    } finally {
      observer.disconnect();
    }
  });

  test("a hostile status only reaches the badge as text", () => {
    const { el } = viewOf([], { status: IMG });
    const badge = el.querySelector(".lgw-badge");
    assert.equal(badge.textContent, IMG);
    assert.doesNotMatch(badge.className, /[<>"=]/);
    assert.equal(document.querySelectorAll("img").length, 0);
  });
});
