// The comparison's entry (lgwidget.compare): two runs' node sequences side by side, each row
// marked same / changed / added / removed, and where their final states differ. The kernel
// sends text previews only (`node_rows`, `state_rows`); all of it is set as text.
import { h } from "./dom.js";

const MARK = Object.freeze({ same: "=", changed: "~", added: "+", removed: "−" });

/** Counts of node rows by change, in a fixed order (pure). */
export function changeCounts(rows) {
  const counts = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const row of rows) counts[row.change] = (counts[row.change] ?? 0) + 1;
  return counts;
}

function changeList(changes) {
  return h("ul", { className: "lgw-compare-changes" }, ...changes.map((c) =>
    h("li", { className: `lgw-compare-${c.change}` },
      h("span", { className: "lgw-key", text: c.path || "(value)" }), " ",
      h("span", { className: "lgw-compare-a", text: c.change === "added" ? "(none)" : c.a }),
      " → ",
      h("span", { className: "lgw-compare-b", text: c.change === "removed" ? "(none)" : c.b }))));
}

function nodeTable(rows, labels) {
  const head = h("tr", {}, h("th", { text: "" }), h("th", { text: "node" }),
    h("th", { text: labels[0] ?? "a" }), h("th", { text: labels[1] ?? "b" }));
  const body = h("tbody");
  for (const row of rows) {
    body.append(h("tr", { className: `lgw-compare-row lgw-compare-${row.change}`, "data-change": row.change },
      h("td", { className: "lgw-compare-mark", text: MARK[row.change] ?? "?", title: row.change }),
      h("td", { className: "lgw-title", text: row.node }),
      h("td", { className: "lgw-compare-a", text: row.a }),
      h("td", { className: "lgw-compare-b", text: row.b })));
    if (row.changes?.length) {
      body.append(h("tr", { className: "lgw-compare-detail" }, h("td"), h("td"),
        h("td", { colspan: "2" }, changeList(row.changes))));
    }
  }
  return h("table", { className: "lgw-compare-table" }, h("thead", {}, head), body);
}

export default {
  render({ model, el }) {
    const root = h("div", { className: "lgw-root lgw-compare" });
    const draw = () => {
      const labels = model.get("labels") ?? [];
      const rows = model.get("node_rows") ?? [];
      const state = model.get("state_rows") ?? [];
      const counts = changeCounts(rows);
      const said = Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(" · ");
      root.replaceChildren(
        h("div", { className: "lgw-header" },
          h("span", { className: "lgw-assistant", text: labels[0] ?? "a" }), " vs ",
          h("span", { className: "lgw-assistant", text: labels[1] ?? "b" }),
          h("span", { className: "lgw-spacer" }), h("span", { className: "lgw-stats", text: `nodes: ${said || "none"}` })),
        h("div", { className: "lgw-compare-section", text: "Nodes" }),
        nodeTable(rows, labels),
        h("div", { className: "lgw-compare-section", text: `Final state: ${state.length ? `${state.length} difference${state.length === 1 ? "" : "s"}` : "the same"}` }),
        state.length ? changeList(state) : h("div"));
    };
    const names = ["labels", "node_rows", "state_rows"];
    for (const name of names) model.on(`change:${name}`, draw);
    draw();
    el.append(root);
    return () => {
      for (const name of names) model.off(`change:${name}`, draw);
      root.remove();
    };
  },
};
