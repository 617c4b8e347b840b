// Chunks shaped like langgraph-api 0.16.7's wire format, for the timeline and DOM tests.
// No tests here: `node --test test/` runs this file too, and it does nothing.

export const THREAD = "3f1b6c1e-8d1c-4b6e-9a53-6f4d2b8f0a11";
export const RUN = "1f0a9b2c-77aa-6d3e-bf11-0242ac120002";

/** An AIMessageChunk of messages-tuple mode; `last` adds "chunk_position": "last". */
export function chunk(content, { id = "run-1", last = false, toolCallChunks = [], type = "AIMessageChunk", ...rest } = {}) {
  return {
    content,
    additional_kwargs: {},
    response_metadata: last ? { finish_reason: "stop", model_name: "gpt-4o-mini-2024-07-18" } : {},
    type,
    name: null,
    id,
    tool_calls: [],
    invalid_tool_calls: [],
    tool_call_chunks: toolCallChunks.map((c) => ({ name: null, args: null, id: null, index: 0, type: "tool_call_chunk", ...c })),
    usage_metadata: null,
    ...(last ? { chunk_position: "last" } : {}),
    ...rest,
  };
}

/** The metadata of a messages-tuple chunk from `node`, whose checkpoint namespace is `ns`. */
export function meta(node, ns = `${node}:6c1f0e52-2b7e-5a0d-9c3f-1f0a9b2c77aa`, step = 1) {
  return {
    thread_id: THREAD,
    run_id: RUN,
    graph_id: "agent",
    assistant_id: "fe096781-5601-53d2-b2f6-0d3403f7e9ca",
    langgraph_step: step,
    langgraph_node: node,
    langgraph_triggers: [`branch:to:${node}`],
    langgraph_path: ["__pregel_pull", node],
    langgraph_checkpoint_ns: ns,
    checkpoint_ns: ns,
    ls_provider: "openai",
    ls_model_name: "gpt-4o-mini",
    ls_model_type: "chat",
    ls_temperature: 0,
  };
}

/** A messages-tuple chunk [event, data] of one token. */
export const token = (content, metadata, options) => ["messages", [chunk(content, options), metadata]];

/** The tokens of one streamed message: `pieces` of text, then an empty chunk marked "last". */
export function tokens(pieces, metadata, id = "run-1") {
  return [...pieces.map((p) => token(p, metadata, { id })), token("", metadata, { id, last: true })];
}

/** A whole AI message, as it appears in an update or a state. */
export const aiMessage = (content, id = "run-1", extra = {}) => ({
  content,
  additional_kwargs: {},
  response_metadata: { finish_reason: "stop" },
  type: "ai",
  name: null,
  id,
  example: false,
  tool_calls: [],
  invalid_tool_calls: [],
  usage_metadata: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
  ...extra,
});

export const human = (content, id = "h-1") => ({ content, additional_kwargs: {}, response_metadata: {}, type: "human", name: null, id, example: false });

/** A ToolMessage as the tools node returns it (sent whole in messages-tuple mode). */
export const toolMessage = (content, id = "tool-msg-1", callId = "call_Ab12", name = "get_weather") => ({
  content,
  additional_kwargs: {},
  response_metadata: {},
  type: "tool",
  name,
  id,
  tool_call_id: callId,
  artifact: null,
  status: "success",
});
