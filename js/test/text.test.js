// Values as a reader reads them: messages, roles, sizes and durations. No DOM.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatSeconds, isMessage, messageRole, messageText, safeText, textOf } from "../src/text.js";

describe("messages", () => {
  test("isMessage", () => {
    assert.equal(isMessage({ type: "human", content: "hi" }), true);
    assert.equal(isMessage({ role: "user", content: "hi" }), true);
    assert.equal(isMessage({ type: "AIMessageChunk", content: [] }), true);
    assert.equal(isMessage({ type: "human" }), false);
    assert.equal(isMessage({ content: "x" }), false);
    assert.equal(isMessage([{ type: "human", content: "x" }]), false);
    assert.equal(isMessage(null), false);
    assert.equal(isMessage("hi"), false);
  });

  test("messageRole", () => {
    assert.equal(messageRole({ type: "human", content: "" }), "user");
    assert.equal(messageRole({ type: "ai", content: "" }), "assistant");
    assert.equal(messageRole({ type: "tool", content: "" }), "tool");
    assert.equal(messageRole({ type: "system", content: "" }), "system");
    assert.equal(messageRole({ type: "AIMessageChunk", content: "" }), "assistant");
    assert.equal(messageRole({ type: "AIMessage", content: "" }), "assistant");
    assert.equal(messageRole({ type: "HumanMessage", content: "" }), "user");
    assert.equal(messageRole({ type: "ToolMessage", content: "" }), "tool");
    assert.equal(messageRole({ role: "user", content: "" }), "user");
    assert.equal(messageRole({ role: "assistant", content: "" }), "assistant");
  });

  test(
    "messageRole of a type that is also an Object.prototype name is a string",

    () => {
      for (const type of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
        assert.equal(typeof messageRole({ type, content: "" }), "string", type);
      }
    },
  );

  test("messageText", () => {
    assert.equal(messageText({ type: "ai", content: "hello" }), "hello");
    assert.equal(
      messageText({
        type: "ai",
        content: [
          { type: "text", text: "Hello " },
          { type: "tool_use", id: "t1", name: "search", input: {} },
          "plain ",
          { type: "text", text: "world" },
          null,
        ],
      }),
      "Hello plain world",
    );
    assert.equal(messageText({ type: "ai", content: null }), "");
    assert.equal(messageText({ type: "ai", content: { a: 1 } }), '{"a":1}');
  });
});

test(
  "formatSeconds never says 60 s",
  () => {
    assert.equal(formatSeconds(119_700), "2 min 0 s");
  },
);

test("formatBytes and formatSeconds", () => {
  assert.equal(formatBytes(10), "10 B");
  assert.equal(formatBytes(2048), "2.0 KB");
  assert.equal(formatBytes(52428800), "50.0 MB");
  assert.equal(formatSeconds(12), "12 ms");
  assert.equal(formatSeconds(1500), "1.5 s");
  assert.equal(formatSeconds(125000), "2 min 5 s");
});

describe("safeText and textOf", () => {
  test("safeText: strings as they are, nothing as empty, objects as JSON, the rest with String", () => {
    assert.equal(safeText("<b>x</b>"), "<b>x</b>");
    assert.equal(safeText(""), "");
    assert.equal(safeText(null), "");
    assert.equal(safeText(undefined), "");
    assert.equal(safeText(0), "0");
    assert.equal(safeText(false), "false");
    assert.equal(safeText(12.5), "12.5");
    assert.equal(safeText(NaN), "NaN", "not JSON's null");
    assert.equal(safeText(-Infinity), "-Infinity");
    assert.equal(safeText({ a: [1, "b"] }), '{"a":[1,"b"]}');
    assert.equal(safeText([1, null]), "[1,null]");
    // JSON.parse makes objects whose own toString is not a function: String() throws for them
    const shadow = JSON.parse('{"toString": 1, "valueOf": 2}');
    assert.throws(() => String(shadow));
    assert.equal(safeText(shadow), '{"toString":1,"valueOf":2}');
  });

  test("textOf: every key and scalar, depth first, not JSON-escaped", () => {
    assert.deepEqual(textOf(null), []);
    assert.deepEqual(textOf(undefined), []);
    assert.deepEqual(textOf("a\nb"), ["a\nb"]);
    assert.deepEqual(textOf(0), ["0"]);
    assert.deepEqual(textOf(false), ["false"]);
    assert.deepEqual(textOf([1, [2, null], "x"]), ["1", "2", "x"]);
    assert.deepEqual(textOf({ k: { "é": "\"q\"", n: null }, l: [true] }), ["k", "é", '"q"', "n", "l", "true"]);
    const out = ["before"];
    assert.equal(textOf({ a: 1 }, out), out, "appends to the list it is given");
    assert.deepEqual(out, ["before", "a", "1"]);
  });
});

describe("edges", () => {
  test("isMessage needs content and a string type or role", () => {
    assert.equal(isMessage({ type: 1, content: "x" }), false);
    assert.equal(isMessage({ role: null, content: "x" }), false);
    assert.equal(isMessage({ type: 1, role: "user", content: "x" }), true);
    assert.equal(isMessage({ type: "ai", content: undefined }), true, "content may be empty");
    assert.equal(isMessage(undefined), false);
  });

  test("messageRole: no role is the model's; role before type; only the Message suffixes go", () => {
    assert.equal(messageRole({ content: "" }), "assistant");
    assert.equal(messageRole({ type: null, content: "" }), "assistant");
    assert.equal(messageRole({ role: "user", type: "ai", content: "" }), "user");
    assert.equal(messageRole({ role: null, type: "tool", content: "" }), "tool");
    assert.equal(messageRole({ type: "SystemMessage", content: "" }), "system");
    assert.equal(messageRole({ type: "ToolMessageChunk", content: "" }), "tool");
    assert.equal(messageRole({ type: "MessageBoard", content: "" }), "messageboard");
    assert.equal(messageRole({ type: "MessageChunkCount", content: "" }), "messagechunkcount");
    assert.equal(messageRole({ type: "Human", content: "" }), "user");
    assert.equal(messageRole({ type: { a: 1 }, content: "" }), '{"a":1}');
    assert.equal(messageRole({ type: "ai", role: undefined }), "assistant");
  });

  test("messageText: blocks without text, odd blocks, and content that is not text", () => {
    assert.equal(messageText({ content: [] }), "");
    assert.equal(messageText({ content: [{ type: "text" }, { type: "text", text: 5 }, { text: "no type" }, undefined] }), "5");
    assert.equal(messageText({ content: undefined }), "");
    assert.equal(messageText({ content: 0 }), "0");
    assert.equal(messageText({ content: "" }), "");
  });

  test("formatBytes at its bounds", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1023), "1023 B");
    assert.equal(formatBytes(1024), "1.0 KB");
    assert.equal(formatBytes(1024 * 1024 - 1), "1024.0 KB");
    assert.equal(formatBytes(1024 * 1024), "1.0 MB");
    assert.equal(formatBytes(1536 * 1024), "1.5 MB");
  });

  test("formatSeconds at its bounds", () => {
    assert.equal(formatSeconds(-5), "0 ms", "a clock that went back");
    assert.equal(formatSeconds(0.6), "1 ms");
    assert.equal(formatSeconds(999), "999 ms");
    assert.equal(formatSeconds(1000), "1.0 s");
    assert.equal(formatSeconds(59_949), "59.9 s");
    assert.equal(formatSeconds(60_000), "1 min 0 s");
    assert.equal(formatSeconds(61_499), "1 min 1 s");
    assert.equal(formatSeconds(3_600_000), "60 min 0 s");
  });
});
