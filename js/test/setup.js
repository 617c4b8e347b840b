// Shared scaffolding for the front-end tests: a happy-dom document on globalThis, a manual
// animation-frame pump, a controllable performance.now(), a fake anywidget model, and (from
// ./batches.js) batches built the way lgwidget/_transport.py builds them.
//
// Import this module before anything from ../src that touches the DOM.
//
// `node --test test/` also runs this file on its own, as if it were a test file; then it does
// nothing, so as not to spend half a second loading happy-dom for no test.
import { pathToFileURL } from "node:url";
import { asDataView, batchBlob } from "./batches.js";

export * from "./batches.js";

const runAlone = process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
const { Window } = runAlone ? { Window: null } : await import("happy-dom");

export const window = Window ? new Window({ url: "http://localhost/" }) : null;

// -- animation frames: nothing runs until a test pumps them ------------------------------

const frames = new Map();
let nextFrame = 1;
function requestAnimationFrame(callback) {
  const id = nextFrame++;
  frames.set(id, callback);
  return id;
}
function cancelAnimationFrame(id) {
  frames.delete(id);
}

/** Run the callbacks scheduled so far (not those they schedule); returns how many ran. */
export function pumpFrame() {
  const due = [...frames.values()];
  frames.clear();
  for (const callback of due) callback(clock.t);
  return due.length;
}

/** Pump frames until none is scheduled (or `max` frames ran); returns the number of frames. */
export function pumpFrames(max = 10_000) {
  let n = 0;
  while (frames.size > 0 && n < max) {
    pumpFrame();
    n += 1;
  }
  return n;
}

export const scheduledFrames = () => frames.size;

// -- the clock: frozen by default, so a frame's budget never runs out -----------------------
// With `clock.step = 1` every performance.now() call advances the time by 1 ms.

export const clock = { t: 0, step: 0 };
const fakePerformance = {
  now() {
    const t = clock.t;
    clock.t += clock.step;
    return t;
  },
};

if (window) {
  globalThis.window = window;
  globalThis.document = window.document;
  globalThis.requestAnimationFrame = requestAnimationFrame;
  globalThis.cancelAnimationFrame = cancelAnimationFrame;
  Object.defineProperty(globalThis, "performance", { value: fakePerformance, configurable: true, writable: true });
}

export function resetClock() {
  clock.t = 0;
  clock.step = 0;
}

// -- a fake anywidget model ------------------------------------------------------------------

export class FakeModel {
  constructor(traits = {}) {
    this.traits = { status: "idle", snapshot: [], ...traits };
    this.handlers = new Map();
    this.sent = [];
  }

  get(name) {
    return this.traits[name];
  }

  set(name, value) {
    this.traits[name] = value;
    this.emit(`change:${name}`);
  }

  save_changes() {}

  on(event, callback) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(callback);
  }

  off(event, callback) {
    if (callback === undefined) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(callback);
  }

  emit(event, ...args) {
    for (const callback of [...(this.handlers.get(event) ?? [])]) callback(...args);
  }

  send(content, callbacks, buffers) {
    this.sent.push(content);
  }

  listenerCount(event) {
    return this.handlers.get(event)?.size ?? 0;
  }

  /** A batch message from the kernel: content {type: "batch", seq}, one DataView buffer. */
  sendBatch(seq, chunks) {
    this.emit("msg:custom", { type: "batch", seq }, [asDataView(batchBlob(seq, chunks))]);
  }
}

// -- small helpers ----------------------------------------------------------------------------

export const tick = () => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pump frames and yield to the event loop until `predicate()` holds (or time runs out). */
export async function until(predicate, { timeout = 2000, message = "condition" } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    pumpFrames();
    if (predicate()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}`);
    await tick();
  }
}

/** A fresh element in the document to render into. */
export function container() {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

export const $$ = (root, selector) => [...root.querySelectorAll(selector)];

export function buttonByText(root, text) {
  return $$(root, "button").find((b) => b.textContent.trim() === text || b.textContent.startsWith(text));
}

export function clearDocument() {
  document.body.replaceChildren();
  resetClock();
  frames.clear(); // drop whatever an earlier test left scheduled
}
