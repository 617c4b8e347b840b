// The batch widget's entry (lgwidget.batch): a table with one row per input, a progress bar,
// Stop all and Re-run failed; a row opens its run's own view below the table (the child
// RunWidget, rendered through anywidget's host). The rows come from the `rows` trait, which
// the kernel sets a few times a second at most; cells are rewritten only where their text changed.
import { h } from "./dom.js";
import { MSG } from "./protocol.js";
import { formatSeconds } from "./text.js";

// Keep in sync with lgwidget/_batch.py.
const FINISHED = new Set(["done", "error", "interrupted", "cancelled"]);
export const COLUMNS = ["#", "input", "status", "time", "chunks", "tokens", "output", "error"];

/** How far the batch is: counts by status and the finished fraction (pure). */
export function progressOf(rows) {
  const counts = {};
  let finished = 0;
  for (const row of rows) {
    counts[row.status] = (counts[row.status] ?? 0) + 1;
    if (FINISHED.has(row.status)) finished += 1;
  }
  return { total: rows.length, finished, counts, fraction: rows.length ? finished / rows.length : 0 };
}

/** A row's cells as text, in COLUMNS order (pure). */
export function cellsOf(row) {
  return [
    String(row.index + 1),
    row.input ?? "",
    row.status === "idle" ? "not run" : row.status,
    row.elapsed == null ? "" : formatSeconds(row.elapsed * 1000),
    String(row.chunks ?? 0),
    row.tokens == null ? "" : String(row.tokens),
    row.output ?? "",
    row.error ?? "",
  ];
}

/** The line above the table: "12 of 50 finished · 3 running · 1 error". */
export function summaryOf(progress) {
  const parts = [`${progress.finished} of ${progress.total} finished`];
  for (const status of ["running", "queued", "error", "cancelled"]) {
    if (progress.counts[status]) parts.push(`${progress.counts[status]} ${status}`);
  }
  return parts.join(" · ");
}

class BatchView {
  constructor(el, model, host) {
    this.model = model;
    this.host = host;
    this.trs = [];
    this.openIndex = -1;
    this.openAbort = null;
    this.assistant = h("span", { className: "lgw-assistant" });
    this.badge = h("span", { className: "lgw-badge" });
    this.info = h("span", { className: "lgw-stats" });
    this.summary = h("span", { className: "lgw-stats lgw-batch-summary" });
    this.stopButton = h("button", { className: "lgw-button lgw-stop", text: "Stop all", type: "button",
      onclick: () => model.send({ type: MSG.STOP }) });
    this.rerunButton = h("button", { className: "lgw-button lgw-batch-rerun", text: "Re-run failed", type: "button",
      onclick: () => model.send({ type: MSG.RERUN_FAILED }) });
    this.notes = h("div", { className: "lgw-batch-notes" });
    // Finished runs in green, failed ones in red after them.
    this.bar = h("div", { className: "lgw-progress-bar" });
    this.errorBar = h("div", { className: "lgw-progress-bar lgw-progress-error" });
    this.progress = h("div", { className: "lgw-progress", role: "progressbar", "aria-valuemin": "0" }, this.bar, this.errorBar);
    this.body = h("tbody");
    const head = h("tr", {}, ...COLUMNS.map((name) => h("th", { text: name, scope: "col" })));
    this.table = h("table", { className: "lgw-batch-table" }, h("thead", {}, head), this.body);
    this.openTitle = h("span", { className: "lgw-title" });
    this.openBody = h("div", { className: "lgw-batch-run" });
    this.openPanel = h("div", { className: "lgw-batch-open", hidden: "" },
      h("div", { className: "lgw-toolbar" }, this.openTitle, h("span", { className: "lgw-spacer" }),
        h("button", { className: "lgw-button", text: "Close", type: "button", onclick: () => this.close() })),
      this.openBody);
    this.root = h("div", { className: "lgw-root lgw-batch" },
      h("div", { className: "lgw-header" }, this.assistant, this.badge, this.info, h("span", { className: "lgw-spacer" }),
        this.summary, this.stopButton, this.rerunButton),
      this.notes, this.progress, h("div", { className: "lgw-scroll lgw-batch-scroll" }, this.table), this.openPanel);
    el.append(this.root);
    this.update = () => this.render();
    for (const name of ["rows", "status", "notes", "concurrency"]) model.on(`change:${name}`, this.update);
    this.render();
  }

  render() {
    const model = this.model;
    const rows = model.get("rows") ?? [];
    const status = model.get("status");
    const progress = progressOf(rows);
    this.assistant.textContent = model.get("assistant_id") || "batch";
    this.badge.textContent = status;
    this.badge.className = `lgw-badge lgw-status-${status}`;
    const concurrency = model.get("concurrency");
    this.info.textContent = `${rows.length} inputs` + (concurrency ? ` · ${concurrency} at once` : "");
    this.summary.textContent = summaryOf(progress);
    this.stopButton.hidden = status !== "running";
    const failed = (progress.counts.error ?? 0) + (progress.counts.cancelled ?? 0) + (progress.counts.idle ?? 0);
    this.rerunButton.hidden = status === "running" || status === "idle" || failed === 0;
    this.notes.replaceChildren(...(model.get("notes") ?? []).map((text) => h("div", { className: "lgw-note", text })));
    const percent = Math.round(progress.fraction * 100);
    const errorPercent = progress.total ? ((progress.counts.error ?? 0) / progress.total) * 100 : 0;
    this.bar.style.width = `${percent - errorPercent}%`;
    this.errorBar.style.width = `${errorPercent}%`;
    this.progress.setAttribute("aria-valuemax", String(progress.total));
    this.progress.setAttribute("aria-valuenow", String(progress.finished));
    this.progress.title = `${percent}%`;
    rows.forEach((row, i) => this.renderRow(i, row));
    for (const tr of this.trs.splice(rows.length)) tr.remove();
  }

  renderRow(i, row) {
    let tr = this.trs[i];
    if (!tr) {
      tr = h("tr", { className: "lgw-batch-row", tabindex: "0", onclick: () => this.open(i),
        onkeydown: (event) => { if (event.key === "Enter") this.open(i); } },
      ...COLUMNS.map((name) => h("td", { className: `lgw-batch-${name === "#" ? "index" : name}` })));
      this.trs[i] = tr;
      this.body.append(tr);
    }
    tr.dataset.status = row.status;
    cellsOf(row).forEach((text, k) => {
      const td = tr.children[k];
      if (td.textContent !== text) {
        td.textContent = text;
        td.title = text;
      }
    });
  }

  async open(i) {
    const row = (this.model.get("rows") ?? [])[i];
    if (!row) return;
    this.close();
    this.openIndex = i;
    this.trs[i]?.setAttribute("aria-selected", "true");
    this.openPanel.hidden = false;
    this.openTitle.textContent = `run ${i + 1}: ${row.input ?? ""}`;
    if (!this.host?.getWidget) {
      // Hosts without anywidget's host API (older anywidget, some front ends).
      this.openBody.replaceChildren(h("div", { className: "lgw-note", text: `Show it in a cell: b.runs[${i}]` }));
      return;
    }
    const abort = new AbortController();
    this.openAbort = abort;
    try {
      const child = await this.host.getWidget(row.ref);
      if (abort.signal.aborted) return;
      await child.render({ el: this.openBody, signal: abort.signal });
    } catch (err) {
      if (!abort.signal.aborted) {
        this.openBody.replaceChildren(h("div", { className: "lgw-error-line", text: `cannot show run ${i + 1}: ${err}` }));
      }
    }
  }

  close() {
    this.openAbort?.abort();
    this.openAbort = null;
    if (this.openIndex >= 0) this.trs[this.openIndex]?.removeAttribute("aria-selected");
    this.openIndex = -1;
    this.openBody.replaceChildren();
    this.openPanel.hidden = true;
  }

  destroy() {
    this.close();
    for (const name of ["rows", "status", "notes", "concurrency"]) this.model.off(`change:${name}`, this.update);
    this.root.remove();
  }
}

export default {
  render({ model, el, host }) {
    const view = new BatchView(el, model, host);
    return () => view.destroy();
  },
};
