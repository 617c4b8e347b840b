"""Property tests: arbitrary chunks never break the chunk model, the transport or the front end.

(a) Python: for arbitrary JSON values, event names (with ``|`` and ``:``) and namespaces,
    ``lgwidget._model`` never raises, and what ``Transport`` sends decodes (``decode_batch``)
    back to the very JSON it was given, or to the truncation marker for a huge chunk.
(b) JavaScript: the same batches, made by the real ``Transport``, inflated and parsed by the
    front end's own code (``protocol.js``: ``inflate``, ``parseBatch``) and fed to a ``RunStore``
    in any order under node (``tests/js_property_driver.mjs``): it never throws, logs no error,
    shows no chunk as unreadable unless its line is not JSON, and applies every chunk.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lgwidget import _model
from lgwidget._parts import StreamPart
from lgwidget._transport import _PREVIEW_CHARS, MAX_VIEW_CHARS, Transport, decode_batch, view_line

HERE = Path(__file__).parent
DRIVER = HERE / "js_property_driver.mjs"
TRUNCATED = "__lgwidget_truncated__"

# --------------------------------------------------------------------------- strategies

#: Keys the model and the front end look for, so that arbitrary values reach their branches.
KNOWN_KEYS = [
    "content", "type", "role", "id", "name", "tool_calls", "tool_call_chunks", "tool_call_id",
    "args", "index", "messages", "__interrupt__", "value", "progress", "payload", "event",
    "data", "error", "message", "result", "input", "interrupts", "timestamp", "metadata",
    "langgraph_node", "langgraph_checkpoint_ns", "chunk_position", "run_id", "text",
    TRUNCATED, "preview", "__proto__", "constructor", "",
]
MODES = [
    "updates", "values", "messages", "messages/partial", "messages/complete",
    "messages/metadata", "custom", "debug", "tasks", "events", "error", "metadata",
    "checkpoints",
]

keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "last", "ai", "human", "tool", "AIMessageChunk", "text", "task_result"])
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=24,
)
small_ids = st.sampled_from(["m1", "m2", "t1", "t2"])


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


# Shapes of the server's events, every field optional and any field possibly any JSON value:
# arbitrary values alone would almost never reach the message, task and values code.
checkpoint_ns = st.lists(st.text(st.sampled_from("ab:|x1"), max_size=6), max_size=3).map("|".join)
tool_call_chunk = _optional(
    index=st.integers(-1, 3) | json_values, name=st.text(max_size=5) | json_values,
    args=st.text(max_size=8) | json_values, id=small_ids | json_values,
)
content = st.text(max_size=12) | st.lists(
    _optional(type=st.just("text") | json_values, text=st.text(max_size=6) | json_values)
    | st.text(max_size=4), max_size=3) | json_values
message = _optional(
    id=small_ids | json_values,
    type=st.sampled_from(["AIMessageChunk", "ai", "tool"]) | json_values,
    role=json_values, content=content, name=json_values, tool_call_id=json_values,
    tool_call_chunks=st.lists(tool_call_chunk, max_size=3) | json_values,
    tool_calls=st.lists(_optional(name=json_values, args=json_values, id=json_values), max_size=2)
    | json_values,
    chunk_position=st.just("last") | json_values,
)
message_metadata = _optional(
    langgraph_node=st.sampled_from(["agent", "tools"]), langgraph_checkpoint_ns=checkpoint_ns,
)
task_payload = _optional(
    id=small_ids | json_values, name=st.sampled_from(["agent", "tools"]), input=json_values,
    result=json_values, error=json_values, interrupts=json_values,
)


def shaped(mode: str) -> st.SearchStrategy[Any]:
    if mode == "updates":
        return st.dictionaries(st.sampled_from(["agent", "tools", "__interrupt__"]) | keys,
                               json_values, max_size=3)
    if mode == "messages":
        return st.tuples(message, message_metadata).map(list)
    if mode in ("messages/partial", "messages/complete"):
        return st.lists(message, max_size=2)
    if mode == "messages/metadata":
        return st.dictionaries(small_ids, _optional(metadata=message_metadata), max_size=2)
    if mode == "values":
        return st.dictionaries(st.sampled_from(["messages", "count", "n"]) | keys, json_values,
                               max_size=3)
    if mode == "debug":
        return _optional(type=st.sampled_from(["task", "task_result", "checkpoint"]),
                         timestamp=st.sampled_from(["2025-01-01T00:00:00Z", "nope"]),
                         payload=task_payload)
    if mode == "tasks":
        return task_payload
    if mode == "events":
        return _optional(event=st.sampled_from(["on_chain_start", ""]), name=st.text(max_size=5),
                         data=json_values)
    if mode == "custom":
        return _optional(progress=st.floats(allow_nan=False, allow_infinity=False) | json_values,
                         step=json_values)
    if mode == "error":
        return _optional(error=st.text(max_size=8), message=st.text(max_size=8))
    return json_values


namespace_part = st.builds(lambda a, b: f"{a}:{b}", st.text(max_size=6), st.text(max_size=6))
namespaces = st.lists(namespace_part | st.text(max_size=6), max_size=3).map(tuple)


@st.composite
def chunks(draw: Any) -> tuple[str, Any]:
    """(event, data): a mode with a namespace and data of its shape, or anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(max_size=20)), draw(json_values)
    mode = draw(st.sampled_from(MODES))
    namespace = draw(namespaces)
    data = draw(shaped(mode) | json_values)
    return "|".join([mode, *namespace]), data


runs = st.lists(chunks(), max_size=12)


# --------------------------------------------------------------------------- (a) Python model


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs, st.lists(st.text(max_size=6) | st.none(), max_size=12),
       st.none() | st.dictionaries(keys, json_values, max_size=3),
       st.none() | st.floats(allow_nan=False), st.none() | st.text(max_size=10))
def test_the_chunk_model_never_raises(run, ids, error, elapsed, run_id):
    parts = [StreamPart(event, data, ids[i] if i < len(ids) else None)
             for i, (event, data) in enumerate(run)]
    updates = _model.updates(parts)
    grouped = _model.by_node(parts)
    interrupts = _model.interrupts(parts)
    final = _model.final_state(parts)
    text = _model.summary(assistant_id="a", status="done", chunks=parts, run_id=run_id,
                          error=error, elapsed=elapsed)

    # And they agree with each other and with the input.
    expected = [(node, _model.split_event(event)[1]) for event, data in run
                if _model.split_event(event)[0] == "updates" and isinstance(data, dict)
                for node in data if node != "__interrupt__"]  # an interrupt is not a node
    assert [(u.node, u.namespace) for u in updates] == expected
    assert sum(len(v) for v in grouped.values()) == len(updates)
    assert list(grouped) == list(dict.fromkeys(node for node, _ in expected))
    values = [d for e, d in run if e == "values"]
    assert final == (values[-1] if values else None)
    # each interrupt once: no id twice, and none that no chunk carried
    ids = [i["id"] for i in interrupts if isinstance(i, dict) and i.get("id")]
    assert len(ids) == len(set(ids))
    assert all(repr(i) in repr(run) for i in interrupts)
    assert isinstance(text, str) and text.startswith("LangGraph run of 'a': done")


@settings(max_examples=200, deadline=None)
@given(st.text(), namespaces)
def test_split_event_inverts_joining_a_namespace(mode, namespace):
    mode = mode.replace("|", "")
    namespace = tuple(part.replace("|", "") for part in namespace)
    assert _model.split_event("|".join([mode, *namespace])) == (mode, namespace)


# --------------------------------------------------------------------------- (a) transport


def serialize(data: Any, style: int) -> str:
    """JSON text as a server might write it: compact (the real one), spaced, or indented."""
    if style == 0:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if style == 1:
        return json.dumps(data)
    return json.dumps(data, indent=1)  # newlines between tokens: view_line must join them


async def _transport(items: list[tuple[str, str]], cuts: set[int]) -> tuple[list[bytes], list[Any]]:
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    now = [0.0]  # chunk i arrives at i * 7 ms (the transport's thread reads the clock too)
    transport = Transport(lambda content, buffers: sent.append((content, buffers)), lambda b: None,
                          clock=lambda: now[0])
    transport.start()
    for i, (event, raw) in enumerate(items):
        if i in cuts:
            transport.flush()
        now[0] = i * 0.007
        transport.add(event, raw)
    blobs = await transport.close()
    return blobs, sent


def transport_blobs(items: list[tuple[str, str]], cuts: set[int]) -> list[bytes]:
    blobs, sent = asyncio.run(_transport(items, cuts))
    # What the messages carried is what the snapshot holds, in order.
    assert [buffers[0] for _, buffers in sent] == blobs
    assert [content for content, _ in sent] == [
        {"type": "batch", "seq": decode_batch(blob)[0]} for blob in blobs]
    return blobs


huge = st.sampled_from([MAX_VIEW_CHARS - 40, MAX_VIEW_CHARS + 1, 300_000]).map(
    lambda n: {"big": "\u2028é\n" + "x" * n})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(chunks(), st.integers(0, 2)), max_size=10),
       st.lists(huge, max_size=1), st.sets(st.integers(0, 12), max_size=4), st.randoms())
def test_transport_batches_round_trip_to_the_same_json(run, bigs, cuts, rnd):
    items = [(event, serialize(data, style)) for (event, data), style in run]
    items += [("updates", serialize({"node": big}, 0)) for big in bigs]
    rnd.shuffle(items)
    items.append(("custom", ""))  # an event with no data
    blobs = transport_blobs(items, cuts)

    seqs, events, times, lines = [], [], [], []
    for blob in blobs:
        seq, ev, ts, ls = decode_batch(blob)
        assert seq == len(events)  # batches are contiguous and in order
        assert len(ev) == len(ts) == len(ls)
        seqs.append(seq)
        events += ev
        times += ts
        lines += ls
    assert events == [event for event, _ in items]
    assert times == [i * 7 for i in range(len(items))]
    for (_, raw), line in zip(items, lines, strict=True):
        assert "\n" not in line
        assert line == view_line(raw)
        if raw == "":
            assert line == ""
            continue
        joined = raw.replace("\r\n", " ").replace("\n", " ")
        if len(joined) > MAX_VIEW_CHARS:
            assert json.loads(line) == {TRUNCATED: len(joined), "preview": joined[:_PREVIEW_CHARS]}
        else:
            assert json.loads(line) == json.loads(raw)


@settings(max_examples=200, deadline=None)
@given(json_values, st.integers(0, 2))
def test_view_line_keeps_any_json_on_one_line(data, style):
    raw = serialize(data, style)
    line = view_line(raw)
    assert "\n" not in line
    assert json.loads(line) == data


# --------------------------------------------------------------------------- (b) JS view model


class NodeDriver:
    """One long-lived ``node tests/js_property_driver.mjs``: an example a line, an answer a line."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("node") or "node", str(DRIVER)], cwd=HERE,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1,
        )

    def check(self, example: dict[str, Any], timeout: float = 20.0) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(example) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise TimeoutError(f"the JS view model took over {timeout} s on one example")
        answer = self.proc.stdout.readline()
        if not answer:
            stderr = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"node exited: {stderr}")
        return answer.strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="module")
def js() -> Iterator[NodeDriver]:
    if shutil.which("node") is None:
        pytest.fail("node (Node 20) is needed on PATH for the front-end property tests")
    driver = NodeDriver()
    try:
        assert driver.check({"blobs": [], "order": [], "total": 0}) == "ok"
        yield driver
    finally:
        driver.close()


def js_example(run: list[tuple[str, str]], cuts: set[int], rnd: Any, duplicates: bool,
               filters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    blobs = transport_blobs(run, cuts) if run else []
    order = list(range(len(blobs)))
    rnd.shuffle(order)  # batches may come in any order: the store waits for the gap
    if duplicates and blobs:
        order += [rnd.randrange(len(blobs)) for _ in range(2)]  # a snapshot overlapping messages
    return {"blobs": [base64.b64encode(b).decode() for b in blobs], "order": order,
            "total": len(run), "filters": filters or []}


def wire(run: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(event, serialize(data, 0)) for event, data in run]


junk_lines = st.sampled_from(["", "nope", "{", "[1,", '"str"', "NaN", "1e999"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs, st.lists(st.tuples(st.sampled_from(MODES), junk_lines), max_size=2),
       st.sets(st.integers(0, 14), max_size=4), st.randoms(), st.booleans())
def test_the_js_run_store_takes_any_chunks_in_any_batch_order(js, run, junk, cuts, rnd, dup):
    items = wire(run) + junk
    rnd.shuffle(items)
    assert js.check(js_example(items, cuts, rnd, dup)) == "ok"


# What a user types in the filter box, and the node picker (node names are any JSON key).
filters = st.lists(st.fixed_dictionaries({
    "node": st.sampled_from(["", "agent", "tools", "__interrupt__"]) | st.text(max_size=4),
    "text": st.sampled_from(["", "a", "x", "{"]) | st.text(max_size=4),
    "hideValues": st.booleans(),
}), min_size=1, max_size=3)

#: A node name that is not a string (a number) from a buggy or hostile server.
NON_STRING_NODE = [("messages", [{"id": "m1", "content": "hi"}, {"langgraph_node": 5}])]
FILTER_BUG = ("bug: core.js matches() calls item.title.toLowerCase(); a message's or task's "
              "title is a server value (langgraph_node, payload.name) and throws when not a string")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(run=NON_STRING_NODE, filters=[{"node": "", "text": "x", "hideValues": False}])
@example(run=[("tasks", {"id": "t1", "name": 7, "input": 1})],
         filters=[{"node": "", "text": "x", "hideValues": False}])
@given(runs, filters)
def test_the_js_filter_takes_any_item(js, run, filters):
    assert js.check(js_example(wire(run), set(), random.Random(0), False, filters)) == "ok"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(chunks().filter(lambda c: _titles_are_strings(*c)), max_size=12), filters)
def test_the_js_filter_takes_any_item_with_string_names(js, run, filters):
    assert js.check(js_example(wire(run), set(), random.Random(0), False, filters)) == "ok"


def _titles_are_strings(event: str, data: Any) -> bool:
    """Leave out the non-string node and task names of FILTER_BUG (the rest stays arbitrary)."""
    mode = event.split("|")[0]
    if (mode == "messages" and isinstance(data, list) and len(data) > 1
            and isinstance(data[1], dict)):
        return isinstance(data[1].get("langgraph_node", ""), str)
    if mode == "messages/metadata" and isinstance(data, dict):
        return all(not isinstance(v, dict) or not isinstance(v.get("metadata"), dict)
                   or isinstance(v["metadata"].get("langgraph_node", ""), str)
                   for v in data.values())
    if mode == "tasks" and isinstance(data, dict):
        return isinstance(data.get("name", ""), str)
    if mode == "debug" and isinstance(data, dict) and isinstance(data.get("payload"), dict):
        return isinstance(data["payload"].get("name", ""), str)
    return True


# An object whose own "toString" is not a function cannot be turned into a string: String(x),
# `${x}`, x + "" and [x].join() all throw TypeError. JSON.parse makes such objects from any
# {"toString": ...} or {"valueOf": ...}. Each case is one place that converts a server value.
SHADOW = {"toString": 1, "valueOf": 2}
TO_STRING_CASES = {
    "error event type": ("error", {"error": SHADOW, "message": "m"}),
    "events name": ("events", {"event": SHADOW, "name": "x"}),
    "debug timestamp": ("debug", {"type": "task", "timestamp": SHADOW,
                                   "payload": {"id": "t1", "name": "n"}}),
    "tool call chunk name": ("messages", [{"id": "m1", "content": "", "tool_call_chunks": [
        {"index": 0, "name": SHADOW}]}, {}]),
    "content block text": ("messages", [{"id": "m1", "content": [
        {"type": "text", "text": SHADOW}]}, {}]),
}
TO_STRING_BUG = ("bug: core.js/timeline.js turn server values into strings with String()/+/join, "
                 "which throw for {\"toString\": 1}; the throw leaves RunStore.add mid-batch and "
                 "every later batch stays pending (the view stops)")


@pytest.mark.parametrize("case", list(TO_STRING_CASES))
def test_the_js_run_store_takes_objects_that_shadow_to_string(js, case):
    event, data = TO_STRING_CASES[case]
    # The bad chunk, then an ordinary update in a later batch: both must be applied.
    run = wire([(event, data), ("updates", {"agent": {"ok": 1}})])
    assert js.check(js_example(run, {1}, random.Random(0), False)) == "ok"


def test_the_driver_reports_a_throw(js):
    """The driver's "ok" means something: a batch that cannot apply is reported."""
    example = {"blobs": [base64.b64encode(b"not zlib").decode()], "order": [0], "total": 1}
    assert js.check(example).startswith("error: ")
    assert js.check({"blobs": [], "order": [], "total": 0}) == "ok"


def test_the_driver_reports_a_chunk_shown_as_unreadable(js):
    """RunStore.add turns a throw into an "unreadable" item and a console.error: the driver
    fails the example on either, unless the chunk's line is not JSON (the one way to ask)."""
    run = [*wire([("updates", {"agent": {"ok": 1}})]), ("custom", "nope")]
    example = js_example(run, set(), random.Random(0), False)
    assert js.check(example) == "ok"
    answer = js.check({**example, "breakIngest": [0]})
    assert answer.startswith("error: ") and "breakIngest: chunk 0" in answer
    # chunk 1's line is not JSON: an unreadable item for it was asked for
    assert js.check({**example, "breakIngest": [1]}) == "ok"


def test_node_is_node_20_or_newer():
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    assert int(out.strip().lstrip("v").split(".")[0]) >= 20
