// dom.js on its own: h(), long text, value trees, and the message bubble fed item by item.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, clearDocument } from "./setup.js";
import { MESSAGE_LIMIT, PART_CHARS, STRING_LIMIT, h, longText, messageBubble, valueNode } from "../src/dom.js";

afterEach(() => clearDocument());

const item = (extra = {}) => ({ role: "ai", name: undefined, text: "", toolCalls: [], toolCallId: undefined, done: false, ...extra });
const parts = (bubble) => $$(bubble.el, ".lgw-msg-part").map((p) => p.textContent);
const speaker = (bubble) => bubble.el.querySelector(".lgw-msg-role").textContent;

describe("h", () => {
  test("skips null and undefined props and null, undefined and false children; keeps 0 and empty text", () => {
    const el = h("div", { title: null, id: undefined, "data-n": 0 }, null, undefined, false, "", "0");
    assert.equal(el.hasAttribute("title"), false);
    assert.equal(el.hasAttribute("id"), false);
    assert.equal(el.getAttribute("data-n"), "0");
    assert.equal(el.childNodes.length, 2);
    assert.equal(el.textContent, "0");
    assert.equal(h("span", { text: "" }).textContent, "");
    assert.equal(h("span", { className: "" }).className, "");
  });
});

describe("longText", () => {
  test(`${STRING_LIMIT} characters are shown whole; one more is cut`, () => {
    assert.equal(longText("a".repeat(STRING_LIMIT)).querySelector("button"), null);
    const cut = longText("a".repeat(STRING_LIMIT + 1));
    assert.equal(cut.firstChild.data, `${"a".repeat(STRING_LIMIT)}… `);
    assert.equal(cut.querySelector("button").textContent, `show more (${(STRING_LIMIT + 1).toLocaleString()} chars)`);
    assert.equal(longText("abcdef", "x", 3).className, "x");
    assert.equal(longText("abcdef", "x", 3).firstChild.data, "abc… ");
  });
});

describe("value trees", () => {
  test("labels: a count and the first four keys, then …", () => {
    const label = (value) => valueNode(value).querySelector(".lgw-summary").textContent;
    assert.equal(label({ a: 1, b: 2, c: 3, d: 4 }), "{4} a, b, c, d");
    assert.equal(label({ a: 1, b: 2, c: 3, d: 4, e: 5 }), "{5} a, b, c, d, …");
    assert.equal(label([1, 2]), "[2]");
  });

  test("scalars: their type as the class, strings quoted; a string with line breaks keeps them", () => {
    assert.deepEqual([valueNode(1.5), valueNode(false), valueNode("a\tb"), valueNode("a\nb"), valueNode(null)].map((e) => [e.className, e.textContent]),
      [["lgw-number", "1.5"], ["lgw-boolean", "false"], ["lgw-str", '"a\\tb"'], ["lgw-str lgw-multiline", '"a\nb"'], ["lgw-null", "null"]]);
  });

  test("the first two levels are open, the third waits", () => {
    const node = valueNode({ a: { b: { c: 1 } } }, 0);
    assert.deepEqual([node, ...$$(node, "details")].map((d) => d.open), [true, true, false]);
    assert.equal(valueNode({ a: 1 }, 2).open, false);
    assert.equal(valueNode({ a: 1 }, 1).open, true);
  });

  test("a list of messages is a chat only when every entry is a message", () => {
    assert.ok(valueNode([{ type: "ai", content: "x" }]).classList.contains("lgw-msgs"));
    assert.equal(valueNode([{ type: "ai", content: "x" }, 1]).classList.contains("lgw-msgs"), false);
  });

  test("a message in a value: tool calls with their defaults, text cut after MESSAGE_LIMIT", () => {
    const bubble = valueNode({ type: "ai", content: "m".repeat(MESSAGE_LIMIT), tool_calls: [{ args: { q: 1 } }, { name: { n: 1 } }, null] });
    assert.deepEqual($$(bubble, ".lgw-tool-call").map((c) => c.textContent), ['→ tool({"q":1})', '→ {"n":1}()', "→ tool()"]);
    assert.equal(bubble.querySelector(".lgw-more"), null, `${MESSAGE_LIMIT} characters: whole`);
    assert.equal(speaker({ el: bubble }), "assistant");
    assert.ok(!bubble.classList.contains("lgw-live"), "a message in a value is done");
    const long = valueNode({ type: "ai", content: "m".repeat(MESSAGE_LIMIT + 1) });
    assert.ok(long.querySelector(".lgw-more"));
  });
});

describe("the message bubble", () => {
  test("who speaks, and whom a tool answers", () => {
    assert.equal(speaker(messageBubble(item({ name: "planner", done: true }))), "assistant · planner");
    assert.equal(speaker(messageBubble(item({ name: { n: 1 }, done: true }))), 'assistant · {"n":1}');
    const tool = messageBubble(item({ role: "tool", toolCallId: "c1", done: true }));
    assert.equal(tool.el.querySelector(".lgw-msg-meta").textContent, "result of c1");
    assert.ok(tool.el.classList.contains("lgw-role-tool"));
    assert.equal(messageBubble(item({ role: "ai", toolCallId: "c1" })).el.querySelector(".lgw-msg-meta"), null, "only a tool's");
    assert.equal(messageBubble(item({ role: "tool" })).el.querySelector(".lgw-msg-meta"), null);
    assert.ok(messageBubble(item({ role: "42" })).el.classList.contains("lgw-role-other"));
    assert.ok(messageBubble(item({ role: "Human" })).el.classList.contains("lgw-role-user"));
  });

  test("live while it streams; the text grows in one block; tool calls follow", () => {
    const it = item({ text: "Hel" });
    const bubble = messageBubble(it);
    assert.ok(bubble.el.classList.contains("lgw-live"));
    assert.equal(speaker(bubble), "assistant · streaming…");
    it.text += "lo";
    it.toolCalls = [{ name: "f", args: '{"a"' }];
    bubble.refresh();
    assert.deepEqual(parts(bubble), ["Hello"]);
    assert.deepEqual($$(bubble.el, ".lgw-tool-call").map((c) => c.textContent), ['→ f({"a")']);
    const line = bubble.el.querySelector(".lgw-tool-call");
    bubble.refresh();
    assert.ok(bubble.el.querySelector(".lgw-tool-call") === line, "unchanged calls are not redrawn");
    it.toolCalls = [{ name: "f", args: '{"a": 1}' }, { name: "g", args: "" }];
    it.done = true;
    bubble.refresh();
    assert.deepEqual($$(bubble.el, ".lgw-tool-call").map((c) => c.textContent), ['→ f({"a": 1})', "→ g()"]);
    assert.ok(!bubble.el.classList.contains("lgw-live"));
    assert.equal(speaker(bubble), "assistant");
  });

  test("text rewritten (messages/partial) is replaced, not appended", () => {
    const it = item({ text: "The wea" });
    const bubble = messageBubble(it);
    it.text = "The weather";
    bubble.refresh();
    assert.deepEqual(parts(bubble), ["The weather"]);
    it.text = "A different start";
    bubble.refresh();
    assert.deepEqual(parts(bubble), ["A different start"]);
    it.text = "";
    bubble.refresh();
    assert.deepEqual(parts(bubble), []);
  });

  test(`blocks are cut after a newline once one passes ${PART_CHARS} characters`, () => {
    const it = item({ text: "" });
    const bubble = messageBubble(it);
    const first = "a".repeat(PART_CHARS - 10) + "\n";
    it.text = first + "b".repeat(9);
    bubble.refresh();
    assert.deepEqual(parts(bubble), [it.text], "not past the size yet");
    it.text += "c\nrest";
    bubble.refresh();
    assert.deepEqual(parts(bubble), [first + "b".repeat(9) + "c\n", "rest"]);
    // past the size without a newline: one block grows until a newline comes
    const long = item({ text: "" });
    const other = messageBubble(long);
    long.text = "x".repeat(PART_CHARS + 5);
    other.refresh();
    assert.deepEqual(parts(other), [long.text]);
    long.text += "\n";
    other.refresh();
    assert.equal(parts(other).length, 1, "a newline at the very end cuts nothing yet");
    long.text += "y";
    other.refresh();
    assert.deepEqual(parts(other), ["x".repeat(PART_CHARS + 5) + "\n", "y"]);
    // a newline at the start is no place to cut
    const lead = item({ text: "" });
    const third = messageBubble(lead);
    lead.text = "\n" + "z".repeat(PART_CHARS + 1);
    third.refresh();
    assert.equal(parts(third).length, 1);
  });

  test("text already longer than the limit when the bubble is made is cut behind show more", () => {
    const it = item({ text: "t".repeat(20), done: true });
    const bubble = messageBubble(it, 10);
    const box = bubble.el.querySelector(".lgw-msg-text");
    assert.ok(box.textContent.startsWith("t".repeat(10) + "…"));
    assert.ok(box.querySelector(".lgw-more"));
    bubble.refresh();
    assert.equal(box.querySelectorAll(".lgw-more").length, 1, "not drawn twice");
    assert.equal(messageBubble(item({ text: "t".repeat(10) }), 10).el.querySelector(".lgw-more"), null);
  });
});

describe("details the style sheet and the reader rely on", () => {
  test("class names: long text, empty containers, the tools line, a cut message part", () => {
    assert.equal(longText("x").className, "lgw-text");
    assert.equal(valueNode([]).className, "lgw-null");
    assert.equal(valueNode({}).className, "lgw-null");
    const bubble = messageBubble(item({ text: "t".repeat(20) }), 10);
    assert.ok(bubble.el.querySelector(":scope > .lgw-msg-tools"));
    assert.ok(bubble.el.querySelector(".lgw-msg-text > span.lgw-msg-part"));
  });

  test("a message in a value without tool calls shows none", () => {
    assert.equal(valueNode({ type: "ai", content: "x" }).querySelectorAll(".lgw-tool-call").length, 0);
    assert.equal(valueNode({ type: "ai", content: "x", tool_calls: "no list" }).querySelectorAll(".lgw-tool-call").length, 0);
  });

  test("text exactly at the limit is not cut, and grows in the same block", () => {
    const it = item({ text: "t".repeat(10) });
    const bubble = messageBubble(it, 10);
    assert.equal(bubble.el.querySelector(".lgw-more"), null);
    it.text += "u";
    bubble.refresh();
    assert.deepEqual(parts(bubble), ["t".repeat(10) + "u"]);
  });

  test("tool calls are redrawn when the list changes, even if its text reads the same run together", () => {
    const it = item({ toolCalls: [{ name: "f", args: "x)→ g(" }] });
    const bubble = messageBubble(it);
    assert.deepEqual($$(bubble.el, ".lgw-tool-call").map((c) => c.textContent), ["→ f(x)→ g()"]);
    it.toolCalls = [{ name: "f", args: "x" }, { name: "g", args: "" }];
    bubble.refresh();
    assert.deepEqual($$(bubble.el, ".lgw-tool-call").map((c) => c.textContent), ["→ f(x)", "→ g()"]);
  });
});
