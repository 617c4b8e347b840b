// What a run on a thread adds to the view: the place to answer each interrupt card (a form fitted
// to what the graph asks, or why it cannot be answered here), and the thread's checkpoints with
// a re-run from any of them. The kernel does the work: the view sends the answer, the request
// for the history, the re-run (`run.answer`, `run.history`, `run.rerun`) and shows the traits
// that come back (`pending`, `answered`, `answer_error`, `checkpoints`).
import { answerForm, answerSummary } from "./answer.js";
import { h } from "./dom.js";
import { safeText } from "./text.js";

export const NEEDS_THREAD = "Answering needs a run on a thread: RunWidget(..., thread=True), or %%lgrun --thread";
export const HISTORY_LIMIT = 20;
export const NO_KERNEL = "No answer from the kernel yet: is it running? (A saved notebook needs its kernel, and the widget its Python object, to resume the run.)";
/** How long an answer may wait for the kernel before the card says so (tests shorten it). */
export const waits = { kernelMs: 10_000 };

/** Can this view ask the kernel anything (not a saved page with no kernel behind it)? */
const live = (run) => typeof run.answer === "function" && !run.get("offline");

/** The answer slots of a view's interrupt cards, kept up to date as the run goes on. */
export class Answers {
  constructor(run, root) {
    this.run = run;
    this.root = root; // slots outside it are gone (their panel scrolled out or was rebuilt)
    this.slots = new Set();
    this.sent = new Map(); // interrupt id -> what was answered, from this view
    this.slot = (entry) => this.make(entry);
  }

  make(entry) {
    const slot = { entry, el: h("div", { className: "lgw-icard-answer" }), key: null };
    this.slots.add(slot);
    this.render(slot);
    return slot.el;
  }

  /** The run's traits changed: each slot shows what now fits. */
  update() {
    for (const slot of this.slots) {
      if (!this.root.contains(slot.el)) this.slots.delete(slot);
      else this.render(slot);
    }
  }

  stateOf(id) {
    const { run } = this;
    const waiting = run.get("status") === "interrupted" && (run.get("pending") ?? []).includes(id);
    if (!waiting) return this.sent.has(id) ? "answered" : "none";
    if (!run.get("thread_id")) return "stateless";
    if (!live(run)) return "none";
    return (run.get("answered") ?? []).includes(id) ? "kept" : "form";
  }

  render(slot) {
    const { id } = slot.entry;
    const state = this.stateOf(id);
    const refusal = this.run.get("answer_error");
    const refused = state === "form" && refusal && (refusal.id === id || refusal.id === "") ? safeText(refusal.message) : "";
    const key = `${state}|${refused}`;
    if (key === slot.key) return;
    slot.key = key;
    slot.el.replaceChildren(...this.content(state, slot, refused));
  }

  content(state, slot, refused) {
    const { entry } = slot;
    const note = (text, className = "lgw-note") => h("div", { className, text });
    switch (state) {
      case "stateless":
        return [note(NEEDS_THREAD, "lgw-note lgw-answer-stateless")];
      case "answered":
        return [note(`answered: ${this.sent.get(entry.id)}`, "lgw-note lgw-answer-done")];
      case "kept": {
        const pending = (this.run.get("pending") ?? []).length;
        const left = pending - (this.run.get("answered") ?? []).length;
        return [note(`answer kept; the run resumes when the ${left} other interrupt${left === 1 ? "" : "s"} ${left === 1 ? "is" : "are"} answered`, "lgw-note lgw-answer-kept")];
      }
      case "form": {
        const form = answerForm(entry, (value) => {
          this.sent.set(entry.id, answerSummary(value));
          this.run.answer(entry.id, value);
          // The kernel answers by resuming (the slot changes) or refusing; silence is worth saying.
          const sentWith = slot.key;
          setTimeout(() => {
            if (slot.key === sentWith && this.root.contains(slot.el)) slot.el.append(note(NO_KERNEL, "lgw-note lgw-answer-waiting"));
          }, waits.kernelMs);
        });
        return refused ? [form, note(refused, "lgw-answer-error lgw-answer-refused")] : [form];
      }
      default:
        return [];
    }
  }
}

/** Go on from a breakpoint (interrupt_before/after): the run stopped with nothing to answer. */
export function continueButton(run) {
  const button = h("button", { className: "lgw-button lgw-continue", text: "Continue", title: "Resume the run from its breakpoint", hidden: "" });
  button.addEventListener("click", () => {
    button.disabled = true;
    run.answer("", null);
  });
  const update = () => {
    const show = live(run) && Boolean(run.get("thread_id")) && run.get("status") === "interrupted" && (run.get("pending") ?? []).length === 0;
    button.hidden = !show;
    if (!show) button.disabled = false;
  };
  return { el: button, update };
}

/** The thread's checkpoints, newest first, each with a re-run from it (LangGraph Studio's time travel). */
export function historyPane(run) {
  const list = h("div", { className: "lgw-history-list" });
  const el = h("div", { className: "lgw-history", hidden: "" },
    h("div", { className: "lgw-history-head" }, h("span", { className: "lgw-history-title", text: "Checkpoints of the thread" }),
      h("span", { className: "lgw-note", text: " newest first; a re-run streams below the run" })),
    list);
  const toggle = h("button", { className: "lgw-button lgw-history-toggle", text: "History", title: "The thread's checkpoints, and re-running from one", hidden: "" });
  let open = false;
  let shown = null;
  let lastStatus = run.get("status");
  toggle.addEventListener("click", () => {
    open = !open;
    el.hidden = !open;
    toggle.classList.toggle("lgw-pressed", open);
    if (open) run.history(HISTORY_LIMIT);
  });

  const row = (checkpoint, running) => {
    const next = checkpoint.next?.length ? `next: ${checkpoint.next.map(safeText).join(", ")}` : "end";
    const when = checkpoint.created_at ? new Date(checkpoint.created_at).toLocaleTimeString() : "";
    const asks = checkpoint.interrupts ? `${checkpoint.interrupts} interrupt${checkpoint.interrupts === 1 ? "" : "s"}` : "";
    const id = safeText(checkpoint.checkpoint_id);
    const input = h("textarea", { className: "lgw-history-input", rows: "3", placeholder: "input as JSON, e.g. {\"request\": \"again\"}", "aria-label": "input for the re-run" });
    const error = h("div", { className: "lgw-answer-error", hidden: "" });
    const go = h("button", { className: "lgw-button", type: "button", text: "Run with this input" });
    const editor = h("div", { className: "lgw-history-editor", hidden: "" }, input, go, error);
    go.addEventListener("click", () => {
      let value;
      try {
        value = JSON.parse(input.value);
      } catch (err) {
        error.hidden = false;
        error.textContent = `not JSON: ${err.message}`;
        return;
      }
      error.hidden = true;
      run.rerun(id, value);
    });
    const rerun = h("button", { className: "lgw-button lgw-rerun", type: "button", text: "Re-run from here", title: `Run the thread again from checkpoint ${id}` });
    rerun.addEventListener("click", () => run.rerun(id, null));
    const edit = h("button", { className: "lgw-button", type: "button", text: "with input…", title: "Re-run from here with new input" });
    edit.addEventListener("click", () => { editor.hidden = !editor.hidden; });
    for (const button of [rerun, edit, go]) button.disabled = running;
    return h("div", { className: "lgw-history-row", "data-checkpoint": id },
      h("div", { className: "lgw-history-line" },
        h("span", { className: "lgw-history-step", text: `step ${checkpoint.step ?? "?"}` }),
        h("span", { className: "lgw-note", text: [safeText(checkpoint.source ?? ""), next, asks, when].filter(Boolean).join(" · ") }),
        h("span", { className: "lgw-spacer" }), rerun, edit),
      editor);
  };

  const update = () => {
    const status = run.get("status");
    toggle.hidden = !live(run) || !run.get("thread_id");
    if (open && lastStatus === "running" && status !== "running") run.history(HISTORY_LIMIT); // a run ended: new checkpoints
    lastStatus = status;
    const checkpoints = run.get("checkpoints") ?? [];
    const key = `${status === "running"}|${checkpoints.map((c) => c.checkpoint_id).join()}`;
    if (key === shown) return;
    shown = key;
    list.replaceChildren(...(checkpoints.length ? checkpoints.map((c) => row(c, status === "running")) : [h("div", { className: "lgw-note", text: "no checkpoints yet" })]));
  };
  return { el, toggle, update };
}
