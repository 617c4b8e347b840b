// Values as a reader reads them: messages, roles, sizes and durations. No DOM.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatSeconds, isMessage, messageRole, messageText } from "../src/text.js";

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
