"""The graph's diagram in real Chromium: laying out and drawing a 100-node graph, and lighting it.

The page loads js/src's own diagram and graph modules (bundled here by esbuild, as the widget's
build does) and, per round, in one task each:

- ``draw``: ``new Diagram(readGraph(json))``, appended, then a forced style and layout of the
  page (``getBoundingClientRect``): what the view costs the main thread when the pane opens;
- ``layout``: dagre's layout alone (``Diagram`` minus the drawing), the part of ``draw`` that
  lighting must never pay again;
- ``light``: 1,000 node runs (updates of nodes spread over the graph, through a real Timeline)
  handed to ``Lighting``, and their looks applied to the drawn diagram, with the page's style and
  layout forced, in frames of 50 runs: what a live run costs per frame.

Times are main-thread milliseconds (``performance.now()`` around the task, median and worst of
the rounds); the ratio of a lighting frame to a draw is printed too. The goal: a draw under 50 ms,
lighting with no layout at all (``stats.layouts`` does not move).

    python -m bench.graph [--nodes 100] [--rounds 15] [--json PATH]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.kit import ROOT, header, meets, parser, write_json, x
from tests.support.harness import launch_chromium

GOAL_DRAW_MS = 50

ENTRY = """
import { Diagram, stats } from "%(src)s/diagram.js";
import { Lighting, readGraph } from "%(src)s/graph.js";
import { Timeline } from "%(src)s/timeline.js";
import { Graph, layout } from "@dagrejs/dagre";

/** A graph like a big agent: a chain with fan-outs, conditional back edges and subgraphs. */
function bigGraph(n) {
  const nodes = [{ id: "__start__" }, { id: "__end__" }];
  const edges = [];
  let previous = "__start__";
  for (let i = 0; i < n; i++) {
    const id = i %% 10 >= 7 ? `team_${Math.floor(i / 10)}:step_${i}` : `node_${i}`;
    nodes.push({ id, type: "runnable", data: { name: id } });
    edges.push({ source: previous, target: id, conditional: i %% 5 === 0 });
    const back = nodes[nodes.length - 4];
    if (i %% 9 === 8) edges.push({ source: id, target: back.id, conditional: true });
    previous = i %% 3 === 2 ? nodes[nodes.length - 2].id : id;
  }
  edges.push({ source: previous, target: "__end__" });
  return { nodes, edges };
}

function layoutOnly(graph) {
  const g = new Graph({ compound: true, multigraph: true });
  const big = graph.nodes.length > 40;  // as diagram.js does
  g.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 44, edgesep: 12, marginx: 12, marginy: 12,
               ranker: big ? "tight-tree" : "network-simplex" });
  for (const c of graph.clusters) g.setNode(`c:${c.id}`, {});
  for (const n of graph.nodes) {
    g.setNode(`n:${n.id}`, { width: 90, height: 30 });
    if (n.cluster) g.setParent(`n:${n.id}`, `c:${n.cluster}`);
  }
  for (const e of graph.edges) g.setEdge(`n:${e.source}`, `n:${e.target}`, {}, String(e.index));
  layout(g, graph.nodes.length > 40 ? { disableOptimalOrderHeuristic: true } : undefined);
}

const forceLayout = () => document.body.getBoundingClientRect().height;

window.bench = { bigGraph, readGraph };

window.measure = (n, rounds) => {
  const json = bigGraph(n);
  const out = { draw: [], layout: [], lightFrame: [], lightTotal: [] };
  Object.assign(out, { layoutsDuringLight: 0, svgNodes: 0 });
  for (let r = 0; r < rounds; r++) {
    document.body.replaceChildren();
    let t = performance.now();
    const graph = readGraph(json);
    const diagram = new Diagram(graph);
    document.body.append(diagram.el);
    forceLayout();
    out.draw.push(performance.now() - t);
    out.svgNodes = diagram.el.querySelectorAll("*").length;

    t = performance.now();
    layoutOnly(readGraph(json));
    out.layout.push(performance.now() - t);

    // A run: 1,000 node updates over the graph's nodes (subgraph nodes by their namespace).
    const lighting = new Lighting(graph);
    lighting.setRun("running", null);
    const timeline = new Timeline();
    const real = graph.nodes.filter((node) => node.kind === "node");
    const layoutsBefore = stats.layouts;
    let total = 0;
    let index = 0;
    for (let frame = 0; frame < 20; frame++) {
      for (let k = 0; k < 50; k++) {
        const node = real[(index * 7) %% real.length];
        const parts = node.id.split(":");
        const event = parts.length > 1 ? `updates|${parts[0]}:task-${index}` : "updates";
        const update = JSON.stringify({ [parts[parts.length - 1]]: { i: index } });
        timeline.ingest(index, event, update, index);
        index += 1;
      }
      const { added, changed } = timeline.drain();
      t = performance.now();
      lighting.see(added, changed);
      for (const [key, look] of lighting.take()) diagram.light(key, look);
      diagram.markEdge(lighting.lastEdge());
      forceLayout();
      const spent = performance.now() - t;
      out.lightFrame.push(spent);
      total += spent;
    }
    out.lightTotal.push(total);
    out.layoutsDuringLight += stats.layouts - layoutsBefore;
  }
  return out;
};
"""

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%(css)s</style></head>
<body class="lgw-root"><script type="module">%(script)s</script></body></html>"""


def build(tmp: Path) -> Path:
    """The bench page: js/src's modules bundled by the widget's own esbuild."""
    entry = tmp / "entry.js"
    entry.write_text(ENTRY % {"src": ROOT / "js" / "src"})
    subprocess.run(
        [str(ROOT / "js" / "node_modules" / ".bin" / "esbuild"), str(entry), "--bundle",
         "--format=esm", "--minify", f"--outfile={tmp / 'bundle.js'}"],
        check=True, capture_output=True, cwd=ROOT / "js",
        env={**os.environ, "NODE_PATH": str(ROOT / "js" / "node_modules")},  # for dagre
    )
    css = (ROOT / "js" / "src" / "widget.css").read_text()
    page = tmp / "index.html"
    # Inlined: Chromium loads no module script from file://.
    script = (tmp / "bundle.js").read_text().replace("</", "<\\/")
    page.write_text(PAGE % {"css": css, "script": script})
    return page


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} ms, worst {max(values):.1f} ms"


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__, "5 rounds")
    p.add_argument("--nodes", type=int, default=100, help="nodes in the graph")
    p.add_argument("--rounds", type=int, default=15, help="rounds (the first warms up)")
    args = p.parse_args(argv)
    rounds = 5 if args.quick else args.rounds
    m = header("graph", f"a {args.nodes}-node graph laid out, drawn and lit, {rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp, launch_chromium() as browser:
        page_path = build(Path(tmp))
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(page_path.as_uri())
        page.wait_for_function("() => typeof window.measure === 'function'")
        raw: dict[str, Any] = page.evaluate("([n, r]) => window.measure(n, r)",
                                            [args.nodes, rounds + 1])
    for key in ("draw", "layout", "lightTotal"):
        raw[key] = raw[key][1:]  # the first round warms the JIT up
    raw["lightFrame"] = raw["lightFrame"][20:]
    draw, layout, frame = raw["draw"], raw["layout"], raw["lightFrame"]
    print(f"draw (layout + SVG + page layout), {args.nodes} nodes, {raw['svgNodes']} SVG "
          f"elements: {ms(draw)}; goal < {GOAL_DRAW_MS} ms: "
          f"{meets(statistics.median(draw) < GOAL_DRAW_MS)} (worst: "
          f"{meets(max(draw) < GOAL_DRAW_MS)})")
    print(f"  of which dagre's layout: {ms(layout)} "
          f"({statistics.median(layout) / statistics.median(draw):.0%} of a draw)")
    print(f"light, a frame of 50 node runs: {ms(frame)}; "
          f"{x(statistics.median(frame) / statistics.median(draw), 3)} a draw; "
          f"1,000 runs in all: {ms(raw['lightTotal'])}")
    print(f"layouts while lighting: {raw['layoutsDuringLight']} (goal 0: "
          f"{meets(raw['layoutsDuringLight'] == 0)})")
    write_json(args.json, {"machine": m, "nodes": args.nodes, **raw})


if __name__ == "__main__":
    main()
