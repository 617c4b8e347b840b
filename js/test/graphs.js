// Graphs' JSON as the server and in-process to_json() give them, for the graph tests.
// No tests here: `node --test test/` runs this file too, and it does nothing.

// `GET /assistants/supervisor/graph?xray=true` of langgraph-api 0.16.7 (tests/graphs/shapes.py).
export const SUPERVISOR_XRAY = {
  nodes: [
    { id: "__start__", type: "runnable", data: { name: "__start__" } },
    { id: "supervisor", type: "runnable", data: { name: "supervisor" } },
    { id: "finish", type: "runnable", data: { name: "finish" } },
    { id: "__end__" },
    { id: "research:write", type: "runnable", data: { name: "research:write" } },
    { id: "research:search:fetch", type: "runnable", data: { name: "research:search:fetch" } },
    { id: "research:search:rank", type: "runnable", data: { name: "research:search:rank" } },
  ],
  edges: [
    { source: "__start__", target: "supervisor" },
    { source: "research:write", target: "finish" },
    { source: "supervisor", target: "research:search:fetch" },
    { source: "finish", target: "__end__" },
    { source: "research:search:rank", target: "research:write" },
    { source: "research:search:fetch", target: "research:search:rank" },
  ],
};

// The same graph without xray, as in-process `graph.get_graph().to_json()` gives it: node data
// holds the runnable's class path, and a tool node its tools in metadata.
export const SUPERVISOR_IN_PROCESS = {
  nodes: [
    { id: "__start__", type: "runnable", data: { id: ["langgraph", "_internal", "_runnable", "RunnableCallable"], name: "__start__" } },
    { id: "supervisor", type: "runnable", data: { id: ["langgraph", "_internal", "_runnable", "RunnableCallable"], name: "supervisor" } },
    { id: "research", type: "runnable", data: { id: ["langgraph", "graph", "state", "CompiledStateGraph"], name: "research" }, metadata: { __tools: ["a"] } },
    { id: "finish", type: "runnable", data: { id: ["langgraph", "_internal", "_runnable", "RunnableCallable"], name: "finish" } },
    { id: "__end__" },
  ],
  edges: [
    { source: "__start__", target: "supervisor" },
    { source: "research", target: "finish" },
    { source: "supervisor", target: "research" },
    { source: "finish", target: "__end__" },
  ],
};

export const REACT = {
  nodes: [{ id: "__start__" }, { id: "agent" }, { id: "tools" }, { id: "__end__" }],
  edges: [
    { source: "__start__", target: "agent" },
    { source: "agent", target: "__end__", conditional: true },
    { source: "agent", target: "tools", conditional: true },
    { source: "tools", target: "agent" },
  ],
};

export const FANOUT = {
  nodes: [{ id: "__start__" }, { id: "plan" }, { id: "summarize" }, { id: "combine" }, { id: "__end__" }],
  edges: [
    { source: "__start__", target: "plan" },
    { source: "plan", target: "summarize", conditional: true },
    { source: "summarize", target: "combine" },
    { source: "combine", target: "__end__" },
  ],
};

export const INBOX = {
  nodes: [{ id: "__start__" }, { id: "prepare" }, { id: "ask" }, { id: "__end__" }],
  edges: [{ source: "__start__", target: "prepare" }, { source: "prepare", target: "ask" }, { source: "ask", target: "__end__" }],
};

// tests/graphs/pipeline.py in-process, `get_graph(xray=True).to_json()`: xray keeps the
// subgraph's own start, whose edge branches (search loops on itself).
export const PIPELINE_XRAY = {
  nodes: [
    { id: "__start__" }, { id: "prepare" }, { id: "finish" }, { id: "__end__" },
    { id: "team:__start__" }, { id: "team:search" }, { id: "team:write" },
  ],
  edges: [
    { source: "__start__", target: "prepare" },
    { source: "prepare", target: "team:__start__" },
    { source: "team:write", target: "finish" },
    { source: "finish", target: "__end__" },
    { source: "team:__start__", target: "team:search" },
    { source: "team:search", target: "team:search", conditional: true },
    { source: "team:search", target: "team:write", conditional: true },
  ],
};
