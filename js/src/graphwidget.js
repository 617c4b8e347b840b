// The anywidget entry of `lgwidget.show_graph`: a graph's diagram alone, nothing fetched.
import { Diagram } from "./diagram.js";
import { readGraph } from "./graph.js";

export default {
  render({ model, el }) {
    const root = document.createElement("div");
    root.className = "lgw-root lgw-graph-only";
    const draw = () => root.replaceChildren(new Diagram(readGraph(model.get("graph"))).el);
    draw();
    el.append(root);
    model.on("change:graph", draw);
    return () => model.off("change:graph", draw);
  },
};
