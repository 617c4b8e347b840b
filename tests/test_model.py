"""The chunk model alone: pure functions over StreamParts, no server, no widget."""

from __future__ import annotations

from lgwidget import _model
from lgwidget._parts import StreamPart as P

RUN = [
    P("metadata", {"run_id": "r1", "attempt": 1}),
    P("updates", {"plan": {"steps": 2}}),
    P("values", {"steps": 2}),
    P("updates|tools:1f0", {"lookup": {"hits": 3}}),
    P("updates", {"plan": {"steps": 3}, "check": {"ok": True}}),
    P("values", {"steps": 3, "ok": True}),
    P("updates", {"__interrupt__": [{"value": "approve?", "id": "i1"}]}),
]


def test_split_event() -> None:
    assert _model.split_event("updates") == ("updates", ())
    assert _model.split_event("updates|a:1|b:2") == ("updates", ("a:1", "b:2"))


def test_updates_in_order_with_their_namespace() -> None:
    nodes = [(u.node, u.namespace) for u in _model.updates(RUN)]
    assert nodes == [("plan", ()), ("lookup", ("tools:1f0",)), ("plan", ()), ("check", ())]


def test_by_node_keeps_first_run_order() -> None:
    grouped = _model.by_node(RUN)
    assert list(grouped) == ["plan", "lookup", "check"]  # an interrupt is not a node
    assert grouped["plan"] == [{"steps": 2}, {"steps": 3}]


def test_final_state_and_interrupts() -> None:
    assert _model.final_state(RUN) == {"steps": 3, "ok": True}
    assert _model.final_state(RUN[:2]) is None
    assert _model.interrupts(RUN) == [{"value": "approve?", "id": "i1"}]


def test_summary_names_status_nodes_and_error() -> None:
    text = _model.summary(assistant_id="agent", status="error", chunks=RUN, run_id="r1",
                          error={"error": "ValueError", "message": "boom"}, elapsed=1.25)
    lines = text.splitlines()
    assert lines[0] == "LangGraph run of 'agent': error, 7 chunks in 1.2 s"
    assert lines[1] == "run_id: r1"
    assert lines[2] == "nodes: plan → lookup (in tools) → plan → check"
    assert lines[3] == "interrupted: approve?"
    assert lines[4] == "error: ValueError: boom"


def test_summary_of_a_long_run_names_both_ends() -> None:
    chunks = [P("updates", {f"n{i}": {}}) for i in range(100)]
    nodes = _model.summary(assistant_id="a", status="done", chunks=chunks).splitlines()[1]
    names = nodes.removeprefix("nodes: ").split(" → ")
    assert names[:2] == ["n0", "n1"] and names[-1] == "n99"
    assert "… 70 more …" in names and len(names) == 31


ASK = {"value": {"question": "ok?"}, "id": "i9"}


def test_interrupts_come_from_every_mode_each_once() -> None:
    for chunks in (
        [P("values", {"x": 1, "__interrupt__": [ASK]})],
        [P("tasks", {"id": "t", "name": "ask", "error": None, "result": {}, "interrupts": [ASK]})],
        [P("debug", {"type": "task_result", "step": 1,
                     "payload": {"id": "t", "name": "ask", "interrupts": [ASK]}})],
        [P("updates", {"__interrupt__": [ASK]}), P("values", {"__interrupt__": [ASK]}),
         P("updates|sub:1", {"__interrupt__": [ASK]})],
    ):
        assert _model.interrupts(chunks) == [ASK], chunks
    two = [P("updates", {"__interrupt__": [ASK, {"value": 2, "id": "j"}]})]
    assert [i["id"] for i in _model.interrupts(two)] == ["i9", "j"]
    assert _model.interrupts([P("tasks", {"id": "t", "name": "n", "interrupts": []})]) == []


def test_interrupt_before_stops_the_run_with_no_value() -> None:
    stopped = [P("updates", {"plan": {}}), P("updates", {"__interrupt__": []})]
    assert _model.interrupted(stopped) and _model.interrupts(stopped) == []
    assert not _model.interrupted(stopped[:1])
    assert _model.interrupted([P("tasks", {"id": "t", "name": "n", "interrupts": [ASK]})])


def test_updates_skip_other_modes_and_updates_that_are_not_a_dict() -> None:
    chunks = [P("values", {"plan": 1}), P("updates", ["not", "a", "dict"]), P("updates", None),
              P("updatesque", {"x": 1}), P("updates", {"act": 2})]
    assert _model.updates(chunks) == [_model.Update("act", 2, ())]


def test_a_single_interrupt_value_and_a_list_of_them() -> None:
    chunks = [P("updates", {"__interrupt__": {"value": "approve?"}}),
              P("updates", {"__interrupt__": [{"value": "a"}, {"value": "b"}]})]
    assert _model.interrupts(chunks) == [{"value": "approve?"}, {"value": "a"}, {"value": "b"}]


def test_a_nested_subgraphs_nodes_are_labelled_with_every_graph_on_the_way() -> None:
    chunks = [P("updates|outer:1f0|inner:2a9", {"leaf": {}})]
    text = _model.summary(assistant_id="a", status="done", chunks=chunks)
    assert text.splitlines()[1] == "nodes: leaf (in outer/inner)"


def test_a_run_of_up_to_thirty_nodes_names_all_of_them() -> None:
    for count in (15, 16, 20, 30):
        chunks = [P("updates", {f"n{i}": {}}) for i in range(count)]
        nodes = _model.summary(assistant_id="a", status="done", chunks=chunks).splitlines()[1]
        assert nodes == "nodes: " + " → ".join(f"n{i}" for i in range(count)), count


def test_the_end_of_a_long_run_keeps_the_order_of_nodes_that_ran_together() -> None:
    chunks = [P("updates", {f"n{i}": {}}) for i in range(40)]
    chunks.append(P("updates", {"left": {}, "right": {}}))
    names = _model.summary(assistant_id="a", status="done", chunks=chunks).splitlines()[1]
    assert names.endswith("n38 → n39 → left → right")
    assert "… 12 more …" in names  # 42 nodes: 15 + 15 named


def test_values_chunks_do_not_count_as_nodes() -> None:
    chunks = [c for i in range(10) for c in (P("updates", {f"n{i}": {}}), P("values", {"i": i}))]
    nodes = _model.summary(assistant_id="a", status="done", chunks=chunks).splitlines()[1]
    assert nodes == "nodes: " + " → ".join(f"n{i}" for i in range(10))


def test_an_error_without_a_name_or_a_message() -> None:
    def last_line(error: dict) -> str:
        return _model.summary(assistant_id="a", status="error", chunks=[], error=error
                              ).splitlines()[-1]

    assert last_line({"message": "boom"}) == "error: Error: boom"
    assert last_line({"error": "Timeout"}) == "error: Timeout: "
    assert _model.summary(assistant_id="a", status="done", chunks=[], error={}) == (
        "LangGraph run of 'a': done, 0 chunks")


def test_the_node_that_failed_comes_from_tasks_or_debug() -> None:
    ok = P("tasks", {"id": "t1", "name": "plan", "error": None, "result": {}})
    failed = P("tasks", {"id": "t2", "name": "lookup", "error": {"error": "KeyError"}})
    assert _model.failed_node([ok, failed, P("error", {"error": "KeyError"})]) == "lookup"
    assert _model.failed_node([ok]) is None
    debug = P("debug", {"type": "task_result", "payload": {"name": "act", "error": "boom"}})
    assert _model.failed_node([debug]) == "act"
    assert _model.failed_node([P("tasks|sub:1", {"name": "inner", "error": "x"})]) == "inner"
    # The last failure wins; a name that is not text, or an update, is no node.
    later = P("tasks", {"name": "respond", "error": "late"})
    assert _model.failed_node([failed, later]) == "respond"
    assert _model.failed_node([P("tasks", {"name": 3, "error": "x"})]) is None
    assert _model.failed_node([P("updates", {"name": "x", "error": "y"})]) is None
    assert _model.failed_node([P("debug", {"type": "task", "payload": None})]) is None


def test_interrupted_reads_updates_and_values_of_subgraphs_too() -> None:
    assert _model.interrupted([P("values|sub:1", {"__interrupt__": []})])
    assert _model.interrupted([P("values", {"__interrupt__": []})])
    assert not _model.interrupted([P("custom", {"__interrupt__": []})])
    assert not _model.interrupted([P("updates", ["__interrupt__"])])


def test_interrupts_read_past_other_events_and_tell_apart_what_has_no_id() -> None:
    chunks = [P("metadata", {"run_id": "r"}), P("custom", "text"),
              P("debug", {"type": "task", "payload": {"interrupts": [ASK]}}),  # not a result
              P("updates|sub:1", {"__interrupt__": [{"value": 1}]}),
              P("updates", {"__interrupt__": [{"value": 2}, {"value": 2, "id": ""}]})]
    assert _model.interrupts(chunks) == [{"value": 1}, {"value": 2}, {"value": 2, "id": ""}]
    same = [P("updates", {"__interrupt__": [{"value": "a", "id": "x"}, {"value": "b", "id": "x"}]})]
    assert _model.interrupts(same) == [{"value": "a", "id": "x"}]  # one id, one interrupt


def test_the_summary_names_interrupts_and_the_node_that_failed() -> None:
    asks = [{"value": f"question {i}", "id": f"i{i}"} for i in range(5)]
    text = _model.summary(assistant_id="a", status="interrupted",
                          chunks=[P("updates", {"__interrupt__": asks})])
    assert text.splitlines()[-1] == (
        "interrupted: question 0; question 1; question 2 (and 2 more)")
    three = _model.summary(assistant_id="a", status="interrupted",
                           chunks=[P("updates", {"__interrupt__": asks[:3]})])
    assert three.splitlines()[-1] == "interrupted: question 0; question 1; question 2"
    plain = _model.summary(assistant_id="a", status="interrupted",
                           chunks=[P("updates", {"__interrupt__": ["bare value"]})])
    assert plain.splitlines()[-1] == "interrupted: bare value"
    error = {"error": "KeyError", "message": "'k'", "node": "lookup"}
    failed = _model.summary(assistant_id="a", status="error", chunks=[], error=error)
    assert failed.splitlines()[-1] == "error: KeyError in lookup: 'k'"


def test_an_interrupt_is_not_counted_among_the_nodes_of_a_long_run() -> None:
    chunks = [P("updates", {f"n{i}": {}}) for i in range(15)]
    chunks.append(P("updates", {"__interrupt__": []}))
    nodes = _model.summary(assistant_id="a", status="interrupted", chunks=chunks).splitlines()[1]
    assert nodes == "nodes: " + " → ".join(f"n{i}" for i in range(15))  # 15: all named


def test_a_long_interrupt_value_is_cut_on_one_line() -> None:
    value = {"question": "x " * 200, "multi": "a\nb"}
    text = _model.summary(assistant_id="a", status="interrupted",
                          chunks=[P("updates", {"__interrupt__": [{"value": value}]})])
    line = text.splitlines()[-1]
    assert line.startswith('interrupted: {"question": "x x') and line.endswith("…")
    assert len(line) == len("interrupted: ") + 121


def test_the_failed_node_search_reads_past_other_chunks_and_only_task_shapes() -> None:
    failed = P("tasks", {"name": "lookup", "error": "boom"})
    assert _model.failed_node([failed, P("custom", "text"), P("metadata", {})]) == "lookup"
    assert _model.failed_node([P("updates", {"payload": {"name": "x", "error": "y"}})]) is None


def test_four_interrupts_name_three_and_one_more_and_values_are_cut_at_120() -> None:
    asks = [{"value": "q" * 120, "id": "a"}, {"value": {"o": object()}, "id": "b"},
            {"value": 3, "id": "c"}, {"value": 4, "id": "d"}]
    line = _model.summary(assistant_id="a", status="interrupted",
                          chunks=[P("updates", {"__interrupt__": asks})]).splitlines()[-1]
    first, second, rest = line.removeprefix("interrupted: ").split("; ")
    assert first == "q" * 120  # exactly the limit: not cut
    assert second.startswith('{"o": "<object object at')  # not JSON: its str
    assert rest == "3 (and 1 more)"


def test_an_interrupt_whose_id_is_not_text_is_kept_without_raising() -> None:
    # Found by the property test: an id that is a list cannot key the dedup.
    odd = {"id": [None], "value": 1}
    chunks = [P("tasks", {"id": "m1", "interrupts": odd}),
              P("updates", {"__interrupt__": [odd]})]
    assert _model.interrupts(chunks) == [odd]
