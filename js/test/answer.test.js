// Answering an interrupt (answer.js): the controls each shape offers, the exact value they answer
// with, and answers refused (bad JSON, schema violations) with nothing sent.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, buttonByText, clearDocument, container, window } from "./setup.js";
import { answerForm, answerSummary, inboxRequests, interruptParts, parseJson, reviewConfig, shapeOf, validate } from "../src/answer.js";

afterEach(() => clearDocument());

const ID = "0123456789abcdef0123456789abcdef";
const IMG = '<img src=x onerror="globalThis.__xss=1">';

/** A form for `entry` in the document, and the answers it submitted. */
function form(entry) {
  const sent = [];
  const el = answerForm(entry, (value) => sent.push(value));
  container().append(el);
  return { el, sent };
}

const choices = (el) => $$(el, ".lgw-answer-choice").map((b) => b.textContent);
const submitButton = (el) => el.querySelector(".lgw-answer-submit");
const submit = (el) => submitButton(el).click();
const errors = (el) => $$(el, ".lgw-answer-error > div").map((d) => d.textContent);
const isSending = (el) => !el.querySelector(".lgw-answer-sending").hidden;

/** The control a label names (its `for`), the n-th when several labels read the same. */
function control(el, label, n = 0) {
  const labels = $$(el, "label").filter((l) => l.firstChild.textContent === label);
  assert.ok(labels[n], `a label "${label}" (have: ${$$(el, "label").map((l) => l.textContent).join(" | ")})`);
  return el.querySelector(`#${labels[n].getAttribute("for")}`);
}

function type(input, text) {
  input.value = text;
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
}

const enter = (input) => input.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));

// -- Agent Inbox ---------------------------------------------------------------------------

const inbox = (config, args = { to: "ana@example.com", count: 2 }, action = "send_email") => ({
  action_request: { action, args },
  config: { allow_accept: false, allow_edit: false, allow_respond: false, allow_ignore: false, ...config },
  description: "Send it?",
});
const ALL = { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true };

describe("Agent Inbox", () => {
  test("the buttons are the responses its config allows, and no others", () => {
    assert.deepEqual(choices(form({ value: [inbox(ALL)], id: ID }).el), ["Accept", "Edit", "Respond", "Ignore"]);
    assert.deepEqual(choices(form({ value: [inbox({ allow_accept: true, allow_respond: true })] }).el), ["Accept", "Respond"]);
    assert.deepEqual(choices(form({ value: [inbox({ allow_edit: true, allow_ignore: "yes" })] }).el), ["Edit"], "only true allows");
    assert.ok($$(form({ value: [inbox(ALL)] }).el, "button").every((b) => b.getAttribute("type") === "button"));
  });

  test("one request: accept answers at once, with a list of one", () => {
    const { el, sent } = form({ value: [inbox(ALL)], id: ID });
    buttonByText(el, "Accept").click();
    assert.deepEqual(sent, [[{ type: "accept", args: null }]]);
    assert.ok(isSending(el));
    assert.equal(el.querySelector(".lgw-answer-sending").textContent, "sending…");
    assert.ok(el.classList.contains("lgw-answer"));
    assert.equal(el.querySelector(".lgw-answer-error").getAttribute("role"), "alert");
    assert.ok($$(el, "button, input, textarea, select").every((c) => c.disabled), "controls disabled after submit");
    buttonByText(el, "Ignore").click();
    submit(el);
    assert.equal(sent.length, 1, "submitted once");
  });

  test("one request not in a list: ignore answers with a list of one", () => {
    const { el, sent } = form({ value: inbox(ALL), id: ID });
    buttonByText(el, "Ignore").click();
    assert.deepEqual(sent, [[{ type: "ignore", args: null }]]);
  });

  test("edit: a field per argument, text for strings, JSON for the rest; answered as {action, args}", () => {
    const { el, sent } = form({ value: [inbox(ALL, { to: "ana@example.com", count: 2, tags: ["x"] })] });
    const editor = el.querySelector(".lgw-answer-editor");
    assert.equal(editor.hidden, true, "the editor opens with Edit");
    buttonByText(el, "Edit").click();
    assert.equal(editor.hidden, false);
    assert.deepEqual(sent, [], "edit waits for Submit");
    assert.equal(document.activeElement, control(el, "to"), "the editor's first field has the focus");
    assert.equal(control(el, "to").tagName, "INPUT");
    assert.equal(control(el, "to").getAttribute("aria-required"), null);
    assert.equal(control(el, "to").previousElementSibling.tagName, "LABEL", "the label before its field");
    assert.equal(control(el, "count").tagName, "TEXTAREA");
    assert.equal(control(el, "tags").value, '[\n  "x"\n]', "prefilled with the arguments");
    type(control(el, "to"), "bo@example.com");
    type(control(el, "count"), "3");
    submit(el);
    assert.deepEqual(sent, [[{ type: "edit", args: { action: "send_email", args: { to: "bo@example.com", count: 3, tags: ["x"] } } }]]);
  });

  test("edit: text with line breaks, or longer than a line, gets a text box", () => {
    const args = { a: "one\ntwo", b: "x".repeat(81), c: "x".repeat(80) };
    const { el, sent } = form({ value: [inbox(ALL, args)] });
    buttonByText(el, "Edit").click();
    assert.deepEqual(["a", "b", "c"].map((k) => control(el, k).tagName), ["TEXTAREA", "TEXTAREA", "INPUT"]);
    type(control(el, "a"), "one\ntwo\nthree");
    submit(el);
    assert.deepEqual(sent[0][0].args.args, { ...args, a: "one\ntwo\nthree" });
  });

  test("edit: invalid JSON is refused with the parser's message, nothing sent", () => {
    const { el, sent } = form({ value: [inbox(ALL)] });
    buttonByText(el, "Edit").click();
    type(control(el, "count"), "{3");
    submit(el);
    assert.deepEqual(sent, []);
    assert.equal(errors(el).length, 1);
    assert.match(errors(el)[0], /^send_email: count is not valid JSON: .+/);
    assert.equal(isSending(el), false);
    type(control(el, "count"), "4");
    submit(el);
    assert.deepEqual(errors(el), [], "errors cleared once valid");
    assert.deepEqual(sent, [[{ type: "edit", args: { action: "send_email", args: { to: "ana@example.com", count: 4 } } }]]);
  });

  test("edit of arguments that are not an object: one JSON box", () => {
    const { el, sent } = form({ value: [inbox({ allow_edit: true }, "hello")] });
    buttonByText(el, "Edit").click();
    const box = control(el, "send_email arguments");
    assert.equal(box.value, '"hello"');
    assert.equal(document.activeElement, box);
    type(box, "[1, 2");
    submit(el);
    assert.match(errors(el)[0], /^send_email arguments is not valid JSON: /);
    type(box, "[1, 2]");
    submit(el);
    assert.deepEqual(sent, [[{ type: "edit", args: { action: "send_email", args: [1, 2] } }]]);
  });

  test("edit of arguments without keys: one JSON box, so keys can be added", () => {
    const { el, sent } = form({ value: [inbox({ allow_edit: true }, {})] });
    buttonByText(el, "Edit").click();
    const box = control(el, "send_email arguments");
    assert.equal(box.value, "{}");
    type(box, '{"to": "x"}');
    submit(el);
    assert.deepEqual(sent, [[{ type: "edit", args: { action: "send_email", args: { to: "x" } } }]]);
  });

  test("respond: a text box; an empty response is refused", () => {
    const { el, sent } = form({ value: [inbox(ALL)] });
    buttonByText(el, "Respond").click();
    const box = control(el, "response to send_email");
    assert.equal(box.tagName, "TEXTAREA");
    assert.equal(document.activeElement, box);
    type(box, "  \n ");
    submit(el);
    assert.deepEqual(sent, []);
    assert.deepEqual(errors(el), ["response to send_email: type some text"]);
    type(box, "Not today.\nMaybe later");
    submit(el);
    assert.deepEqual(sent, [[{ type: "response", args: "Not today.\nMaybe later" }]]);
  });

  test("several requests: a response for each, Submit enabled only then, answers in order", () => {
    const { el, sent } = form({ value: [inbox(ALL), inbox({ allow_respond: true, allow_ignore: true }, {}, "delete")] });
    assert.deepEqual($$(el, ".lgw-answer-label").map((l) => l.textContent), ["1. send_email", "2. delete"]);
    assert.equal(submitButton(el).disabled, true);
    buttonByText(el, "Accept").click();
    assert.deepEqual(sent, [], "with several requests a choice does not answer at once");
    assert.deepEqual(errors(el), []);
    assert.equal(submitButton(el).disabled, true);
    const second = $$(el, ".lgw-answer-request")[1];
    buttonByText(second, "Respond").click();
    assert.equal(submitButton(el).disabled, false);
    type(control(el, "response to 2. delete"), "keep it");
    submit(el);
    assert.deepEqual(sent, [[{ type: "accept", args: null }, { type: "response", args: "keep it" }]]);
  });

  test("Enter before every request has a response: says which one waits", () => {
    const { el, sent } = form({ value: [inbox(ALL), inbox(ALL, {}, "delete")] });
    buttonByText(el, "Edit").click();
    enter(control(el, "to"));
    assert.deepEqual(errors(el), ["2. delete: choose a response"]);
    assert.deepEqual(sent, []);
  });

  test("a choice can be changed before Submit: the last one counts", () => {
    const { el, sent } = form({ value: [inbox(ALL), inbox(ALL)] });
    const [first, second] = $$(el, ".lgw-answer-request");
    buttonByText(first, "Respond").click();
    buttonByText(first, "Ignore").click();
    assert.equal(control(first, "response to 1. send_email").closest(".lgw-answer-field").hidden, true, "the response box closes");
    assert.deepEqual($$(first, ".lgw-answer-choice").map((b) => b.getAttribute("aria-pressed")), ["false", "false", "false", "true"]);
    buttonByText(second, "Accept").click();
    submit(el);
    assert.deepEqual(sent, [[{ type: "ignore", args: null }, { type: "accept", args: null }]]);
  });

  test("a request whose config allows nothing says so, and Submit stays off", () => {
    const { el, sent } = form({ value: [inbox({})] });
    assert.deepEqual(choices(el), []);
    assert.match(el.textContent, /allows no response/);
    assert.equal(submitButton(el).disabled, true);
    enter(el); // nothing to send
    assert.deepEqual(sent, []);
  });
});

// -- LangChain v1 human in the loop --------------------------------------------------------

const hitl = (configs, requests = [{ name: "write_file", args: { path: "a.txt", text: "hi" }, description: "Write?" }]) => ({ value: { action_requests: requests, review_configs: configs }, id: ID });

describe("LangChain v1 human in the loop", () => {
  test("the buttons are the decisions allowed; no config allows all three", () => {
    assert.deepEqual(choices(form(hitl([{ action_name: "write_file", allowed_decisions: ["approve", "reject"] }])).el), ["Approve", "Reject"]);
    assert.deepEqual(choices(form(hitl([{ action_name: "write_file", allowed_decisions: ["edit"] }])).el), ["Edit"]);
    assert.deepEqual(choices(form(hitl(undefined)).el), ["Approve", "Edit", "Reject"]);
    assert.deepEqual(choices(form(hitl([{ action_name: "other", allowed_decisions: ["approve"] }])).el), ["Approve"], "a config at its place");
    assert.deepEqual(choices(form(hitl([null, { action_name: "write_file", allowed_decisions: ["reject"] }])).el), ["Reject"], "else by name");
  });

  test("approve, edit and reject answer {decisions: [...]} in order, edited_action {name, args}", () => {
    const requests = [
      { name: "write_file", args: { path: "a.txt", text: "hi" } },
      { name: "run", args: { cmd: "ls" } },
      { name: "delete", args: { path: "/" } },
    ];
    const { el, sent } = form(hitl(undefined, requests));
    const [one, two, three] = $$(el, ".lgw-answer-request");
    buttonByText(one, "Approve").click();
    buttonByText(two, "Edit").click();
    assert.deepEqual(sent, [], "decisions wait for Submit");
    type(control(el, "cmd"), "ls -la");
    buttonByText(three, "Reject").click();
    assert.equal(submitButton(el).disabled, false);
    type(control(el, "why reject 3. delete (optional)"), "never the root");
    submit(el);
    assert.deepEqual(sent, [{ decisions: [
      { type: "approve" },
      { type: "edit", edited_action: { name: "run", args: { cmd: "ls -la" } } },
      { type: "reject", message: "never the root" },
    ] }]);
  });

  test("reject without a message has no message; Submit waits for every decision", () => {
    const requests = [{ name: "a", args: {} }, { name: "b", args: {} }];
    const { el, sent } = form(hitl(undefined, requests));
    const [one, two] = $$(el, ".lgw-answer-request");
    buttonByText(one, "Reject").click();
    assert.equal(submitButton(el).disabled, true);
    submit(el);
    assert.deepEqual(sent, []);
    buttonByText(two, "Approve").click();
    assert.equal(submitButton(el).disabled, false);
    type(control(el, "why reject 1. a (optional)"), "  ");
    submit(el);
    submit(el);
    assert.deepEqual(sent, [{ decisions: [{ type: "reject" }, { type: "approve" }] }]);
  });

  test("an action given as a bare name is edited as a name with no arguments", () => {
    const { el, sent } = form(hitl(undefined, ["restart"]));
    assert.equal(el.querySelector(".lgw-answer-label").textContent, "restart");
    buttonByText(el, "Edit").click();
    type(control(el, "restart arguments"), '{"now": true}');
    submit(el);
    assert.deepEqual(sent, [{ decisions: [{ type: "edit", edited_action: { name: "restart", args: { now: true } } }] }]);
  });

  test("one action: approve still waits for Submit", () => {
    const { el, sent } = form(hitl(undefined));
    buttonByText(el, "Approve").click();
    assert.deepEqual(sent, []);
    submit(el);
    assert.deepEqual(sent, [{ decisions: [{ type: "approve" }] }]);
  });

  test("edited arguments: bad JSON refused; an args_schema in the review config is checked", () => {
    const config = { action_name: "pay", allowed_decisions: ["edit"], args_schema: { type: "object", properties: { amount: { type: "integer", maximum: 100 } } } };
    const { el, sent } = form(hitl([config], [{ name: "pay", args: { amount: 5 } }]));
    buttonByText(el, "Edit").click();
    type(control(el, "amount"), "5,");
    submit(el);
    assert.match(errors(el)[0], /^pay: amount is not valid JSON: /);
    type(control(el, "amount"), "500");
    submit(el);
    assert.deepEqual(errors(el), ["pay arguments.amount must be at most 100"]);
    assert.deepEqual(sent, []);
    type(control(el, "amount"), "50");
    submit(el);
    assert.deepEqual(sent, [{ decisions: [{ type: "edit", edited_action: { name: "pay", args: { amount: 50 } } }] }]);
  });
});

// -- response_schema -------------------------------------------------------------------------

const withSchema = (schema, value = "Your answer?") => ({ value, id: ID, response_schema: schema });

describe("a form from the response schema", () => {
  test("string: a text input; Enter answers; empty is no answer", () => {
    const { el, sent } = form(withSchema({ type: "string", title: "city", minLength: 2 }));
    const input = control(el, "city");
    assert.equal(input.getAttribute("type"), "text");
    assert.equal(input.getAttribute("aria-required"), "true", "the one answer is required");
    enter(input);
    assert.deepEqual(errors(el), ["city is required"]);
    type(input, "X");
    enter(input);
    assert.deepEqual(errors(el), ["city must be at least 2 characters"]);
    type(input, "Oslo");
    enter(input);
    assert.deepEqual(sent, ["Oslo"]);
    enter(input); // a disabled input still gets a dispatched key
    assert.deepEqual(sent, ["Oslo"], "answered once");
  });

  test("integer: a number input; 2.5 refused, 3 sent as a number", () => {
    const { el, sent } = form(withSchema({ type: "integer" }));
    const input = control(el, "answer");
    assert.equal(input.getAttribute("type"), "number");
    assert.equal(input.getAttribute("step"), "1");
    type(input, "2.5");
    submit(el);
    assert.deepEqual(errors(el), ["answer must be an integer"]);
    assert.deepEqual(sent, []);
    type(input, "3");
    submit(el);
    assert.deepEqual(sent, [3]);
  });

  test("number: 2.5 is fine; a default is prefilled", () => {
    const { el, sent } = form(withSchema({ type: "number", default: 1.5 }));
    assert.equal(control(el, "answer").value, "1.5");
    assert.equal(control(el, "answer").getAttribute("step"), "any");
    type(control(el, "answer"), "2.5");
    submit(el);
    assert.deepEqual(sent, [2.5]);
  });

  test("boolean: a checkbox with its default", () => {
    const { el, sent } = form(withSchema({ type: "boolean", default: true, title: "approve" }));
    const box = control(el, "approve");
    assert.equal(box.getAttribute("type"), "checkbox");
    assert.equal(box.checked, true);
    assert.equal(box.nextElementSibling.tagName, "LABEL", "a checkbox's label after it");
    box.checked = false;
    submit(el);
    assert.deepEqual(sent, [false]);
  });

  test("enum: a select of its values, the default chosen", () => {
    const { el, sent } = form(withSchema({ enum: ["low", "high", 3], default: "high" }));
    const select = control(el, "answer");
    assert.equal(select.tagName, "SELECT");
    assert.deepEqual($$(select, "option").map((o) => o.textContent), ["low", "high", "3"]);
    assert.deepEqual($$(form(withSchema({ enum: [null, { a: 1 }] })).el, "option").map((o) => o.textContent), ["choose…", "null", '{"a":1}']);
    submit(el);
    const second = form(withSchema({ enum: ["low", "high", 3] }));
    const other = control(second.el, "answer");
    assert.deepEqual($$(other, "option").map((o) => o.textContent), ["choose…", "low", "high", "3"]);
    submit(second.el);
    assert.deepEqual(errors(second.el), ["answer is required"]);
    other.value = "2";
    submit(second.el);
    assert.deepEqual(sent, ["high"]);
    assert.deepEqual(second.sent, [3], "the enum's value, not its text");
    const third = form(withSchema({ enum: ["a", "b"], default: "z" }));
    assert.equal(control(third.el, "answer").value, "", "a default not among the values chooses nothing");
    const fourth = control(form(withSchema({ enum: ["a", "b"], default: "a" })).el, "answer");
    assert.deepEqual([fourth.value, fourth.options.length], ["0", 2], "the first value as default: chosen, no empty choice");
  });

  test("flat object: a field per property, labels from titles, descriptions as hints, required marked, defaults prefilled", () => {
    const schema = {
      type: "object",
      properties: {
        name: { type: "string", title: "Your name", description: "as on the passport" },
        age: { type: "integer", minimum: 0 },
        plan: { enum: ["free", "pro"], default: "free" },
        news: { type: "boolean" },
        code: { type: "string", pattern: "^[A-Z]{3}$" },
      },
      required: ["name", "age"],
    };
    const { el, sent } = form(withSchema(schema));
    const name = control(el, "Your name");
    assert.equal(name.getAttribute("aria-required"), "true");
    assert.equal(control(el, "code").getAttribute("aria-required"), null);
    assert.equal(el.querySelector(`#${name.getAttribute("aria-describedby")}`).textContent, "as on the passport");
    assert.equal($$(el, ".lgw-answer-required").length, 2);
    assert.equal(control(el, "plan").value, "0");
    submit(el);
    assert.deepEqual(errors(el), ["Your name is required", "age is required"]);
    type(name, "Ana");
    // A browser keeps text that is no number out of the value ("") and flags it as bad input.
    const age = control(el, "age");
    Object.defineProperty(age, "validity", { value: { badInput: true }, configurable: true });
    submit(el);
    assert.deepEqual(errors(el), ["age must be a number"], "text in a number field");
    delete age.validity;
    type(age, "1e");
    submit(el);
    assert.deepEqual(errors(el), ["age must be a number"], "a value that does not read as a number");
    type(control(el, "age"), "1.5");
    type(control(el, "code"), "abc");
    submit(el);
    assert.deepEqual(errors(el), ["age must be an integer", "code must match the pattern ^[A-Z]{3}$"]);
    assert.deepEqual(sent, []);
    type(control(el, "age"), "41");
    type(control(el, "code"), "");
    const key = (input, init) => input.dispatchEvent(new window.KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));
    for (const init of [{ key: "a" }, { key: "Enter", shiftKey: true }, { key: "Enter", ctrlKey: true }, { key: "Enter", altKey: true }, { key: "Enter", metaKey: true }, { key: "Enter", isComposing: true }]) {
      key(control(el, "age"), init);
    }
    key(control(el, "news"), { key: "Enter" });
    assert.deepEqual(sent, [], "only a plain Enter in a text or number field answers");
    enter(control(el, "age"));
    assert.deepEqual(sent, [{ name: "Ana", age: 41, plan: "free", news: false }], "an empty optional field is left out");
  });

  test("schemas a field per property cannot show get a JSON box", () => {
    const schemas = [
      { enum: [] },
      { type: "object" },
      { type: "object", properties: {} },
      { type: "array", properties: { a: { type: "string" } } },
      { properties: { a: { type: "string" }, b: { type: "object" } } },
      { type: ["string", "null"] },
    ];
    for (const schema of schemas) {
      const box = control(form(withSchema(schema)).el, "answer");
      assert.equal(box.tagName, "TEXTAREA", JSON.stringify(schema));
      assert.equal(box.value, "", "empty without a default");
    }
    assert.equal(control(form(withSchema({ properties: { a: { type: "string" } } })).el, "a").tagName, "INPUT", "properties without a type: an object");
  });

  test("anything else: a JSON box checked against the schema", () => {
    const schema = { type: "object", properties: { tags: { type: "array", items: { type: "string" } }, where: { type: "object", required: ["lat"] } }, required: ["tags"], additionalProperties: false };
    const { el, sent } = form(withSchema(schema));
    const box = control(el, "answer");
    assert.equal(box.tagName, "TEXTAREA");
    type(box, '{"tags": ["a",');
    submit(el);
    assert.match(errors(el)[0], /^answer is not valid JSON: .+/);
    type(box, '{"tags": ["a", 2], "where": {}, "extra": 1}');
    submit(el);
    assert.deepEqual(errors(el), ["tags[1] must be a string", "where.lat is required", 'the answer has a field "extra" that is not allowed']);
    assert.deepEqual(sent, []);
    type(box, '{"tags": ["a"]}');
    submit(el);
    assert.deepEqual(sent, [{ tags: ["a"] }]);
  });

  test("a recognised shape with a response_schema: its answer is checked against the schema too", () => {
    const { el, sent } = form({ value: [inbox(ALL)], response_schema: { type: "array", maxItems: 0 } });
    buttonByText(el, "Accept").click();
    assert.deepEqual(errors(el), ["the answer must have at most 0 items"]);
    assert.deepEqual(sent, []);
  });
});

// -- any other value -------------------------------------------------------------------------

describe("any other value", () => {
  test("a text box sent as text by default, as the hint says; empty refused", () => {
    const { el, sent } = form({ value: "Approve? (yes/no)", id: ID });
    const box = control(el, "answer");
    assert.equal(box.tagName, "TEXTAREA");
    assert.match(el.querySelector(".lgw-answer-hint").textContent, /^Sent as text/);
    assert.equal(control(el, "send as").value, "text");
    submit(el);
    assert.equal(errors(el).length, 1);
    type(box, "42");
    enter(box); // a line break in a text box, not an answer
    assert.deepEqual(sent, []);
    submit(el);
    assert.deepEqual(sent, ["42"], "text, though it reads as JSON");
  });

  test("as JSON: parsed, and invalid JSON refused with the parser's message", () => {
    const { el, sent } = form({ value: { question: "how many?" } });
    control(el, "send as").value = "json";
    type(control(el, "answer"), "[1, 2");
    submit(el);
    assert.match(errors(el)[0], /^the answer is not valid JSON: .+/);
    assert.deepEqual(sent, []);
    type(control(el, "answer"), '{"n": 2, "ok": true}');
    submit(el);
    assert.deepEqual(sent, [{ n: 2, ok: true }]);
  });

  test("a submit that throws: the error shows and the form can be used again", () => {
    let calls = 0;
    const el = answerForm({ value: "?" }, () => {
      calls += 1;
      if (calls === 1) throw new Error("no kernel");
    });
    container().append(el);
    type(control(el, "answer"), "hi");
    submit(el);
    assert.deepEqual(errors(el), ["could not send the answer: no kernel"]);
    assert.equal(isSending(el), false);
    assert.equal(submitButton(el).disabled, false);
    submit(el);
    assert.equal(calls, 2);
    assert.ok(isSending(el));
  });
});

// -- what the graph sends stays text -------------------------------------------------------

test("labels, names, descriptions and values from the graph are text, never HTML", () => {
  const request = { action_request: { action: IMG, args: { [IMG]: IMG, n: { [IMG]: 1 } } }, config: ALL, description: IMG };
  const schema = { type: "object", properties: { [IMG]: { type: "string", title: IMG, description: IMG, default: IMG }, e: { enum: [IMG] } } };
  const forms = [
    form({ value: [request] }),
    form(hitl(undefined, [{ name: IMG, args: { [IMG]: IMG }, description: IMG }])),
    form(withSchema(schema, IMG)),
    form(withSchema({ type: "array", title: IMG, default: [IMG] })),
  ];
  for (const { el } of forms) {
    for (const b of $$(el, ".lgw-answer-choice")) b.click();
    assert.equal(el.querySelector("img"), null);
    assert.ok(el.textContent.includes(IMG) || $$(el, "input, textarea").some((i) => i.value.includes(IMG)));
  }
  assert.equal(control(forms[0].el, IMG).value, IMG);
  assert.equal(control(forms[2].el, IMG).value, IMG);
  assert.equal(globalThis.__xss, undefined);
});

// -- shapes ----------------------------------------------------------------------------------

test("shapeOf: inbox, hitl, schema, value", () => {
  const cases = [
    [{ value: [inbox(ALL)], id: ID, response_schema: null }, "inbox"],
    [{ value: inbox(ALL), id: ID }, "inbox"],
    [[inbox(ALL)], "inbox"], // a bare value, no wire entry around it
    [{ value: [inbox(ALL), "not a request"] }, "value"],
    [{ value: [] }, "value"],
    [{ value: { action_request: { args: {} } } }, "value"],
    [{ value: { action_requests: [], review_configs: [] } }, "hitl"],
    [{ value: { action_requests: "x" } }, "value"],
    [{ value: "?", response_schema: { type: "string" } }, "schema"],
    [{ value: { action_requests: [] }, response_schema: { type: "object" } }, "hitl"],
    [{ value: "?", response_schema: null }, "value"],
    [{ value: "?", response_schema: [] }, "value"],
    [{ value: 3 }, "value"],
    [null, "value"],
    ["plain", "value"],
    [{ id: ID }, "value"],
  ];
  for (const [entry, shape] of cases) assert.equal(shapeOf(entry), shape, JSON.stringify(entry));
  assert.deepEqual(interruptParts({ value: 1, response_schema: { type: "integer" } }), { value: 1, schema: { type: "integer" } });
  assert.deepEqual(interruptParts({ id: ID }), { value: { id: ID }, schema: null });
  assert.deepEqual(inboxRequests(inbox(ALL)), [inbox(ALL)]);
  assert.equal(inboxRequests([]), null);
});

test("reviewConfig: the config at the action's place, else the one with its name", () => {
  const value = { action_requests: [{ name: "a" }, { name: "b" }, "c"], review_configs: [{ action_name: "b", x: 1 }, { action_name: "b", x: 2 }, { action_name: "c" }] };
  assert.deepEqual(reviewConfig(value, 1), { action_name: "b", x: 2 });
  assert.deepEqual(reviewConfig(value, 0), { action_name: "b", x: 1 }, "no config named a: the one at its place");
  assert.deepEqual(reviewConfig(value, 2), { action_name: "c" });
  assert.equal(reviewConfig({ action_requests: [{ name: "a" }] }, 0), null);
  assert.equal(reviewConfig({ action_requests: [{ name: "a" }], review_configs: { 0: { action_name: "a" } } }, 0), null);
  assert.deepEqual(reviewConfig({ action_requests: [{ name: "a" }, { name: "b" }], review_configs: [{ action_name: "b" }] }, 0), { action_name: "b" });
});

// -- validate --------------------------------------------------------------------------------

test("validate: a table of schemas, values and the errors", () => {
  const person = { type: "object", properties: { name: { type: "string", title: "Name" }, age: { type: "integer" } }, required: ["name"] };
  const cases = [
    [{ type: "string" }, "a", []],
    [{ type: "string" }, 1, ["the answer must be a string"]],
    [{ type: "number" }, 1.5, []],
    [{ type: "number" }, "1", ["the answer must be a number"]],
    [{ type: "number" }, true, ["the answer must be a number"]],
    [{ type: "integer" }, 2, []],
    [{ type: "integer" }, 2.5, ["the answer must be an integer"]],
    [{ type: "boolean" }, 0, ["the answer must be true or false"]],
    [{ type: "boolean" }, false, []],
    [{ type: "object" }, [], ["the answer must be an object"]],
    [{ type: "object" }, null, ["the answer must be an object"]],
    [{ type: "array" }, {}, ["the answer must be a list"]],
    [{ type: "array" }, [], []],
    [{ type: "null" }, null, []],
    [{ type: "null" }, 0, ["the answer must be null"]],
    [{ type: ["string", "null"] }, null, []],
    [{ type: ["string", "null"] }, 3, ["the answer must be a string or null"]],
    [{ type: "mystery" }, 3, []],
    [{ enum: ["a", 1, null, [1]] }, 1, []],
    [{ enum: ["a", 1, null, [1]] }, [1], []],
    [{ enum: ["a", 1] }, "b", ['the answer must be one of: "a", 1']],
    [{ enum: [{ a: 1 }] }, { a: 1 }, []],
    [{ enum: [{ a: 1 }] }, null, ["the answer must be one of: {\"a\":1}"]],
    [{ enum: [{ a: 1, b: 2 }] }, { a: 1, b: 3 }, ["the answer must be one of: {\"a\":1,\"b\":2}"]],
    [{ enum: [[1, 2]] }, [1, 2], []],
    [{ enum: [[1, 2]] }, [1, 3], ["the answer must be one of: [1,2]"]],
    [{ enum: [[1, 2]] }, [1], ["the answer must be one of: [1,2]"]],
    [{ enum: [{ a: 1 }] }, { a: 1, b: 2 }, ["the answer must be one of: {\"a\":1}"]],
    [{ enum: [{ a: 1 }] }, { b: 1 }, ["the answer must be one of: {\"a\":1}"]],
    [{ const: "yes" }, "yes", []],
    [{ const: "yes" }, "no", ['the answer must be "yes"']],
    [person, { name: "Ana", age: 3 }, []],
    [person, {}, ["Name is required"]],
    [person, { name: 1, age: "3" }, ["Name must be a string", "age must be an integer"]],
    [{ ...person, additionalProperties: false }, { name: "a", x: 1 }, ['the answer has a field "x" that is not allowed']],
    [{ ...person, additionalProperties: {} }, { name: "a", x: 1 }, []],
    [{ type: "object", properties: { a: { type: "object", properties: { b: { type: "integer" } }, required: ["c"] } } }, { a: { b: "x" } }, ["a.c is required", "a.b must be an integer"]],
    [{ type: "object", properties: { toString: { type: "string" } } }, { toString: 1 }, ["toString must be a string"]],
    [{ type: "object", required: ["constructor"] }, {}, ["constructor is required"]],
    [{ required: ["a"] }, {}, ["a is required"]],
    [{ items: { type: "integer" } }, [1, "2", 3.5], ["the answer[1] must be an integer", "the answer[2] must be an integer"]],
    [{ minItems: 2, maxItems: 3 }, [1], ["the answer must have at least 2 items"]],
    [{ minItems: 2, maxItems: 3 }, [1, 2, 3, 4], ["the answer must have at most 3 items"]],
    [{ minItems: 2, maxItems: 3 }, [1, 2, 3], []],
    [{ minItems: 2, maxItems: 3 }, [1, 2], []],
    [{ minimum: 1, maximum: 5 }, 0, ["the answer must be at least 1"]],
    [{ minimum: 1, maximum: 5 }, 6, ["the answer must be at most 5"]],
    [{ minimum: 1, maximum: 5 }, 1, []],
    [{ minimum: 1, maximum: 5 }, 5, []],
    [{ exclusiveMinimum: 1, exclusiveMaximum: 5 }, 1, ["the answer must be more than 1"]],
    [{ exclusiveMinimum: 1, exclusiveMaximum: 5 }, 5, ["the answer must be less than 5"]],
    [{ exclusiveMinimum: 1, exclusiveMaximum: 5 }, 3, []],
    [{ minimum: 1 }, "0", []],
    [{ minLength: 2, maxLength: 3 }, "a", ["the answer must be at least 2 characters"]],
    [{ minLength: 2, maxLength: 3 }, "abcd", ["the answer must be at most 3 characters"]],
    [{ minLength: 2, maxLength: 3 }, "ab", []],
    [{ minLength: 2, maxLength: 3 }, "abc", []],
    [{ maxLength: 1 }, "😀", [], "characters, not UTF-16 units"],
    [{ minLength: 2 }, 5, []],
    [{ pattern: "^a+$" }, "aaa", []],
    [{ pattern: "^.$" }, "😀", [], "patterns read code points (the u flag)"],
    [{ pattern: "^a+$" }, "ab", ["the answer must match the pattern ^a+$"]],
    [{ pattern: "(" }, "anything", [], "a bad pattern is ignored"],
    [{ pattern: "^a" }, 1, []],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, 1, []],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, 1.5, ["the answer does not match any of the forms allowed"]],
    [{ oneOf: [{ type: "number" }, { type: "integer" }] }, 1, ["the answer must match exactly one of the forms allowed"]],
    [{ oneOf: [{ type: "number" }, { type: "integer" }] }, 1.5, []],
    [{ allOf: [{ type: "integer" }, { minimum: 2 }] }, 1, ["the answer must be at least 2"]],
    [{ $defs: { n: { type: "integer" } }, type: "object", properties: { a: { $ref: "#/$defs/n" } } }, { a: "x" }, ["a must be an integer"]],
    [{ $ref: "#/$defs/missing" }, 1, []],
    [{ type: "object", properties: { child: { $ref: "#" } }, required: ["id"] }, { id: 1, child: {} }, ["child.id is required"]],
    [{ $ref: "https://example.com/s.json" }, 1, []],
    [{ format: "email", whatever: 1 }, "not an email", [], "unknown keywords are ignored"],
    [true, 1, []],
    [null, 1, []],
  ];
  for (const [schema, value, expected, why] of cases) {
    assert.deepEqual(validate(schema, value), expected, why ?? `${JSON.stringify(schema)} ← ${JSON.stringify(value)}`);
  }
  assert.deepEqual(validate({ type: "integer" }, "x", "age"), ["age must be an integer"], "a name for the value");
  assert.deepEqual(validate({ properties: { a: { type: "string" } } }, { a: 1 }, "form"), ["form.a must be a string"]);
});

test("parseJson: the value, or the parser's message naming the field", () => {
  assert.deepEqual(parseJson(' {"a": [1]} ', "x"), { value: { a: [1] } });
  assert.deepEqual(parseJson("null", "x"), { value: null });
  assert.deepEqual(parseJson("  ", "x"), { errors: ["x is empty: type a JSON value"] });
  assert.match(parseJson("{a}", "x").errors[0], /^x is not valid JSON: \S/);
});

// -- summary ---------------------------------------------------------------------------------

test("answerSummary: a few words for a resumed-with marker", () => {
  assert.equal(answerSummary([{ type: "accept", args: null }]), "accept");
  assert.equal(answerSummary([{ type: "accept", args: null }, { type: "ignore", args: null }]), "2 responses: accept, ignore");
  assert.equal(answerSummary({ decisions: [{ type: "approve" }] }), "approve");
  assert.equal(answerSummary({ decisions: [{ type: "approve" }, { type: "reject", message: "no" }] }), "2 decisions: approve, reject");
  assert.equal(answerSummary("yes"), "yes");
  assert.equal(answerSummary("two\nlines "), "two lines", "one line");
  assert.equal(answerSummary({ n: 2 }), '{"n":2}');
  assert.equal(answerSummary([]), "[]");
  assert.equal(answerSummary({ decisions: [] }), '{"decisions":[]}');
  assert.equal(answerSummary(undefined), "nothing");
  const long = answerSummary("x".repeat(200));
  assert.equal(long.length, 80);
  assert.ok(long.endsWith("…"));
  assert.equal(answerSummary("x".repeat(80)), "x".repeat(80), "80 characters are kept whole");
  assert.equal(answerSummary([{ type: 1 }]), '[{"type":1}]');
  assert.equal(answerSummary([{ type: "accept" }, 1]), '[{"type":"accept"},1]');
  assert.equal(answerSummary({ decisions: Array(30).fill({ type: "approve" }) }).length, 80);
});
