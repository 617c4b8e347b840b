"""Human in the loop: thread runs, answering interrupts, resuming, history and re-runs, against
the real server and in-process (the graphs in tests/graphs/shapes.py and interrupting.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import lgwidget
from lgwidget import _answers
from tests.support.server import mask
from tests.test_agent_shapes import shapes

INBOX_ACCEPT = [{"type": "accept", "args": None}]
INBOX_EDIT = [{"type": "edit", "args": {"action": "send_email",
                                        "args": {"to": "bob@example.com", "subject": "Plans",
                                                 "body": "Hi Bob"}}}]
HITL_REJECT = {"decisions": [{"type": "reject", "message": "not that file"}]}
SCHEMA_ANSWER = {"approved": True, "reason": "tests pass"}

# graph: (input, the answer, the answer as the graph stored it in its last update)
SHAPES = {
    "inbox": ({"request": "x"}, INBOX_EDIT, {"answer": INBOX_EDIT}),
    "hitl": ({"request": "x"}, HITL_REJECT, {"answer": HITL_REJECT}),
    "schema": ({"request": "x"}, SCHEMA_ANSWER, {"answer": SCHEMA_ANSWER}),
    "interrupting": ({"request": "x"}, True, {"approved": True}),
}


def in_process(name: str) -> Any:
    if name == "interrupting":
        from tests.graphs.interrupting import graph

        return graph
    return getattr(shapes(), name)


def widget(where: str, name: str, server_url: str, input: Any = None,
           **params: Any) -> lgwidget.RunWidget:
    if where == "server":
        return lgwidget.RunWidget(name, input, url=server_url, **params)
    return lgwidget.RunWidget.from_graph(in_process(name), input, name=name, **params)


@pytest.fixture(params=["server", "in-process"])
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.server
@pytest.mark.parametrize("name", list(SHAPES))
async def test_each_interrupt_shape_is_answered_from_python(server_url: str, where: str,
                                                            name: str) -> None:
    input, answer, stored = SHAPES[name]
    w = widget(where, name, server_url, input, thread=True)
    await w.run()
    assert w.status == "interrupted"
    assert w.thread_id
    [pending] = w.interrupts
    assert w.pending == [pending["id"]]
    asked = len(w.chunks)
    await w.resume(answer)
    assert w.status == "done", w.error
    assert w.updates[-1].data == stored
    assert w.interrupts == [] and w.pending == []
    # One view: the resumed run streamed after the first, behind a marker saying what it was.
    assert [s["kind"] for s in w.sections] == ["run", "resume"]
    assert w.sections[1]["start"] == asked and w.sections[1]["status"] == "done"
    assert w.sections[1]["label"] == f"resumed with {_answers.summary(answer)}"
    assert w.chunk_count == len(w.chunks) > asked


@pytest.mark.server
async def test_two_pending_interrupts_are_answered_by_id(server_url: str, where: str) -> None:
    w = widget(where, "pair", server_url, {}, thread=True, stream_mode=["updates", "values"])
    await w.run()
    ids = [i["id"] for i in w.interrupts]
    assert len(ids) == 2 and sorted(w.pending) == sorted(ids)
    before = len(w.chunks)
    with pytest.raises(ValueError, match="2 interrupts wait for an answer: answer each by its id"):
        await w.resume("go")
    with pytest.raises(ValueError, match="answer each by its id"):
        await w.resume({ids[0]: "only one"})
    assert len(w.chunks) == before and len(w.sections) == 1  # nothing was sent
    values = {i["id"]: i["value"].split(":")[0] for i in w.interrupts}  # "left" / "right"
    await w.resume({i: f"{values[i]} ok" for i in ids})
    assert w.status == "done"
    assert sorted(w.final_state["answers"], key=str) == [{"left": "left ok"},
                                                          {"right": "right ok"}]


@pytest.mark.server
async def test_a_resumed_run_can_stop_again_and_be_answered_again(server_url: str,
                                                                  where: str) -> None:
    w = widget(where, "twice", server_url, {}, thread=True)
    await w.run()
    first = w.interrupts[0]
    assert first["value"] == "first: go ahead?"
    await w.resume("yes")
    assert w.status == "interrupted"
    assert [i["value"] for i in w.interrupts] == ["second: go ahead?"]
    await w.resume("yes again")
    assert w.status == "done"
    assert [s["kind"] for s in w.sections] == ["run", "resume", "resume"]
    assert [s["status"] for s in w.sections] == ["interrupted", "interrupted", "done"]
    assert [u.data for u in w.updates] == [{"answers": [{"first": "yes"}]},
                                           {"answers": [{"second": "yes again"}]}]
    # The first interrupt is still in the chunks, and no longer pending.
    assert first["id"] not in [i["id"] for i in w.interrupts]


@pytest.mark.server
async def test_history_lists_checkpoints_and_a_rerun_from_one_forks_the_thread(
        server_url: str, where: str) -> None:
    w = widget(where, "twice", server_url, {}, thread=True)
    await w.run()
    await w.resume("yes")
    await w.resume("yes again")
    history = await w.history()
    assert [(c["metadata"]["step"], c["next"]) for c in history] == [
        (2, []), (1, ["second"]), (0, ["first"]), (-1, ["__start__"])]
    assert [c["step"] for c in w.checkpoints] == [2, 1, 0, -1]
    assert w.checkpoints[1]["next"] == ["second"] and w.checkpoints[1]["interrupts"] == 1
    before_second = history[1]["checkpoint"]["checkpoint_id"]
    assert w.checkpoints[1]["checkpoint_id"] == before_second
    # Back to before the second question: it asks again; answered otherwise, the thread forks.
    await w.rerun(before_second)
    assert w.status == "interrupted"
    assert [i["value"] for i in w.interrupts] == ["second: go ahead?"]
    assert w.sections[-1]["kind"] == "rerun"
    assert w.sections[-1]["checkpoint_id"] == before_second
    await w.resume("no, after all")
    assert w.status == "done"
    assert w.updates[-1].data == {"answers": [{"second": "no, after all"}]}
    assert len(await w.history(limit=50)) > len(history)


@pytest.mark.server
async def test_a_rerun_with_new_input_starts_from_that_checkpoint(server_url: str,
                                                                  where: str) -> None:
    w = widget(where, "interrupting", server_url, {"request": "first"}, thread=True,
               stream_mode="values")
    await w.run()
    history = await w.history()
    start = next(c for c in history if c["next"] == ["__start__"])
    await w.rerun(start["checkpoint"]["checkpoint_id"], {"request": "second"})
    assert w.status == "interrupted"
    assert w.final_state["request"] == "prepared: second"
    assert "with input" in w.sections[-1]["label"]


@pytest.mark.server
async def test_bad_answers_are_refused_before_anything_is_sent(server_url: str,
                                                               where: str) -> None:
    cases = {
        "schema": [({"approved": "yes"}, "approved must be boolean, not string"),
                   ({"reason": "why"}, "approved is required")],
        "inbox": [([{"type": "ignore", "args": None}],
                   "type must be one of accept, edit, response, not 'ignore'"),
                  ({"type": "accept"}, "answered with a list of 1 response"),
                  ([{"type": "response", "args": 42}], "args is the text of the answer")],
        "hitl": [({"decisions": []}, "one decision per action"),
                 ({"decisions": [{"type": "edit"}]}, 'an edit needs "edited_action"')],
    }
    for name, refusals in cases.items():
        w = widget(where, name, server_url, {"request": "x"}, thread=True)
        await w.run()
        before = len(w.chunks)
        for answer, message in refusals:
            with pytest.raises(ValueError, match=message.replace("(", r"\(")):
                await w.resume(answer)
        assert len(w.chunks) == before and len(w.sections) == 1
        assert w.status == "interrupted"


@pytest.mark.server
async def test_a_stateless_run_says_how_to_answer(server_url: str, where: str) -> None:
    w = widget(where, "interrupting", server_url, {"request": "x"})
    await w.run()
    assert w.status == "interrupted" and w.thread_id is None
    assert w.pending == [w.interrupts[0]["id"]]  # the view says it needs a thread
    with pytest.raises(ValueError, match=r"no thread.*thread=True.*%%lgrun --thread"):
        await w.resume(True)
    with pytest.raises(ValueError, match="no thread"):
        await w.history()


@pytest.mark.server
async def test_the_server_refuses_to_resume_a_stateless_run(server_url: str) -> None:
    with pytest.raises(lgwidget.APIStatusError, match="You must provide a thread_id when resuming"):
        async for _ in lgwidget.stream("interrupting", url=server_url, command={"resume": True}):
            pass


@pytest.mark.server
async def test_the_client_runs_on_a_thread_as_the_sdk_does(server_url: str) -> None:
    async with lgwidget.Client(server_url) as client:
        thread = await client.create_thread(metadata={"purpose": "test"})
        first = [p async for p in client.stream(thread["thread_id"], "interrupting",
                                                input={"request": "x"})]
        assert "__interrupt__" in first[-1].data
        # The SDK's spelling: runs.stream(thread_id, assistant_id, command=...).
        rest = [p async for p in client.stream(thread["thread_id"], "interrupting",
                                               command={"resume": False})]
        assert rest[-1].data == {"ask": {"approved": False}}
        history = await client.get_history(thread["thread_id"], limit=2)
        assert len(history) == 2 and history[0]["values"]["approved"] is False
    # An existing thread for a widget: its id is used, not a new one made.
    w = await lgwidget.RunWidget("interrupting", {"request": "y"}, url=server_url,
                                 thread=thread["thread_id"]).run()
    assert w.thread_id == thread["thread_id"] and w.status == "interrupted"


async def test_an_in_process_graph_without_a_checkpointer_gets_one_and_says_so() -> None:
    w = lgwidget.RunWidget.from_graph(in_process("interrupting"), {"request": "x"}, thread=True)
    assert w.notes and "in-memory" in w.notes[0]
    await w.run()
    await w.resume(True)
    assert w.status == "done"
    stateless = lgwidget.RunWidget.from_graph(in_process("interrupting"), {"request": "x"})
    assert stateless.notes == []


@pytest.mark.server
async def test_server_and_in_process_threads_agree(server_url: str) -> None:
    runs = {}
    for where in ("server", "in-process"):
        w = widget(where, "twice", server_url, {}, thread=True, stream_mode=["updates", "tasks"])
        await w.run()
        await w.resume("a")
        await w.resume("b")
        runs[where] = w
    remote, local = runs["server"], runs["in-process"]
    assert [(s["kind"], s["start"], s["status"]) for s in remote.sections] == [
        (s["kind"], s["start"], s["status"]) for s in local.sections]
    def reading(w: lgwidget.RunWidget) -> list[Any]:  # the server's metadata has more keys
        return mask([(p.event, p.data if p.event == "updates" else
                      (p.data["name"], p.data.get("result"), p.data.get("interrupts")))
                     for p in w.chunks if p.event != "metadata"])

    assert reading(remote) == reading(local)


async def test_an_answer_from_the_view_is_checked_then_resumes_the_run() -> None:
    w = lgwidget.RunWidget.from_graph(in_process("schema"), {"request": "x"}, thread=True)
    await w.run()
    [pending] = w.pending
    # What the front end sends: {"type": "answer", "id": ..., "value": ...}.
    w._on_front_end_msg(w, {"type": "answer", "id": pending, "value": {"approved": 1}}, [])
    assert w.answer_error == {"id": pending, "message": "approved must be boolean, not integer"}
    assert len(w.sections) == 1 and w.status == "interrupted"
    w._on_front_end_msg(w, {"type": "answer", "id": "not-pending", "value": SCHEMA_ANSWER}, [])
    assert len(w.sections) == 1
    w._on_front_end_msg(w, {"type": "answer", "id": pending, "value": SCHEMA_ANSWER}, [])
    assert w.answer_error is None
    await _until(lambda: w.status == "done")
    assert w.updates[-1].data == {"answer": SCHEMA_ANSWER}


async def test_answers_from_the_view_wait_until_every_interrupt_has_one() -> None:
    w = lgwidget.RunWidget.from_graph(in_process("pair"), {}, thread=True)
    await w.run()
    first, second = w.pending
    w._on_front_end_msg(w, {"type": "answer", "id": first, "value": "one"}, [])
    await asyncio.sleep(0.1)  # a resume started now would have failed by then
    assert w.answered == [first] and w.status == "interrupted" and len(w.sections) == 1
    assert w.answer_error is None
    w._on_front_end_msg(w, {"type": "answer", "id": second, "value": "two"}, [])
    await _until(lambda: w.status == "done")
    assert w.sections[-1]["kind"] == "resume"
    assert sorted(u.node for u in w.updates) == ["left", "right"]
    assert {next(iter(a.values())) for u in w.updates for a in u.data["answers"]} == {"one", "two"}


async def test_history_and_rerun_from_the_view() -> None:
    w = lgwidget.RunWidget.from_graph(in_process("twice"), {}, thread=True)
    await w.run()
    w._on_front_end_msg(w, {"type": "history", "limit": 5}, [])
    await _until(lambda: len(w.checkpoints) == 2)
    assert [c["next"] for c in w.checkpoints] == [["first"], ["__start__"]]
    w._on_front_end_msg(w, {"type": "rerun", "checkpoint_id": w.checkpoints[0]["checkpoint_id"],
                            "input": None}, [])
    await _until(lambda: len(w.sections) == 2 and w.status == "interrupted")
    assert w.sections[1]["kind"] == "rerun"


async def test_continue_from_a_breakpoint() -> None:
    w = lgwidget.RunWidget.from_graph(in_process("interrupting"), {"request": "x"}, thread=True,
                                      interrupt_after=["prepare"])
    await w.run()
    assert w.status == "interrupted" and w.pending == []
    w._on_front_end_msg(w, {"type": "answer", "id": "", "value": None}, [])
    await _until(lambda: w.status == "interrupted" and len(w.sections) == 2)
    assert w.interrupts[0]["value"] == {"question": "Approve?"}  # now at the interrupt() itself


async def _until(condition: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)
