"""``%%lgrun`` in a real kernel against the real server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.kernel import Kernel, lgwidget_kernel, value
from tests.support.server import eventually_idle

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def kernel(server_url: str) -> Iterator[Kernel]:
    with lgwidget_kernel(server_url) as k:
        yield k


def stderr(result) -> str:
    return "".join(m["content"]["text"] for m in result.of_type("stream")
                   if m["content"]["name"] == "stderr")


def widget_comm_messages(result) -> list[dict]:
    return [m for m in result.of_type("comm_msg") if m["content"]["data"].get("method") == "custom"]


def test_json_body(kernel: Kernel) -> None:
    result = kernel.execute('%%lgrun agent -o w\n{"messages": [{"role": "user", "content": "hi"}]}')
    assert result.status == "ok" and not result.of_type("error")
    assert value(kernel, "[w.status, [u.node for u in w.updates]]") == [
        "done", ["plan", "tools", "respond"]]
    # The cell displayed the live widget.
    displayed = [m for m in result.of_type("display_data")
                 if "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert len(displayed) == 1


def test_expression_body_sees_notebook_variables(kernel: Kernel) -> None:
    kernel.execute('question = "What is the answer?"')
    result = kernel.execute(
        '%%lgrun agent -o w\n{"messages": [{"role": "user", "content": question}]}')
    assert result.status == "ok"
    assert value(kernel, "w.chunks[-1].data['respond']['messages'][0]['content']") == (
        "The answer is 42, found by the lookup tool.")
    assert value(kernel, "w.request.input['messages'][0]['content']") == "What is the answer?"


def test_text_body_is_one_user_message(kernel: Kernel) -> None:
    kernel.execute("%%lgrun agent --text -o w\nWhat is up?\n")
    assert value(kernel, "w.request.input") == {
        "messages": [{"role": "user", "content": "What is up?"}]}
    assert value(kernel, "w.status") == "done"


def test_several_stream_modes_and_subgraphs(kernel: Kernel) -> None:
    result = kernel.execute(
        "%%lgrun agent -o w --stream-mode updates --stream-mode messages-tuple "
        "--stream-mode custom --subgraphs\n"
        '{"messages": [{"role": "user", "content": "hi"}]}')
    assert result.status == "ok"
    events = value(kernel, "sorted({c.event.split('|')[0] for c in w.chunks})")
    assert events == ["custom", "messages", "metadata", "updates"]
    assert value(kernel, "any('|' in c.event for c in w.chunks)") is True


def test_thread_runs_can_be_answered(kernel: Kernel, server_url: str) -> None:
    kernel.execute('%%lgrun interrupting --thread -o w\n{"request": "x"}')
    assert value(kernel, "[w.status, w.thread_id is not None]") == ["interrupted", True]
    kernel.execute("await w.resume(True)")
    assert value(kernel, "[w.status, w.updates[-1].data, [s['kind'] for s in w.sections]]") == [
        "done", {"approved": True}, ["run", "resume"]]
    # An existing thread by id; "--thread NAME" before the assistant still names the assistant.
    thread = value(kernel, "w.thread_id")
    kernel.execute(f'%%lgrun interrupting --thread {thread} -o again\n{{"request": "y"}}')
    assert value(kernel, "[again.thread_id, again.status]") == [thread, "interrupted"]
    kernel.execute('%%lgrun --thread interrupting -o named\n{"request": "z"}')
    assert value(kernel, "[named.assistant_id, named.thread_id != w.thread_id]") == [
        "interrupting", True]
    # Without --thread the run is stateless, and says how to answer.
    kernel.execute('%%lgrun interrupting -o stateless\n{"request": "x"}')
    assert value(kernel, "stateless.thread_id") is None
    result = kernel.execute("await stateless.resume(True)")
    assert "%%lgrun --thread" in (result.error or "")


def test_line_form(kernel: Kernel) -> None:
    result = kernel.execute('%lgrun failing {"value": "x"}')
    assert result.status == "ok" and not result.of_type("error")
    kernel.execute('%lgrun --stream-mode values -o w interrupting {"request": "x y"}')
    assert value(kernel, "[w.status, w.stream_mode]") == ["interrupted", ["values"]]
    assert value(kernel, "w.request.input") == {"request": "x y"}


def test_options_reach_the_server(kernel: Kernel) -> None:
    # JSON options as the help prints them, with spaces.
    kernel.execute('%%lgrun agent -o w --interrupt-before respond --metadata {"k": 1} '
                   '--config {"recursion_limit": 50}\n'
                   '{"messages": [{"role": "user", "content": "hi"}]}')
    assert value(kernel, "w.request.interrupt_before") == ["respond"]
    assert value(kernel, "[w.request.metadata, w.request.config]") == [
        {"k": 1}, {"recursion_limit": 50}]
    assert value(kernel, "[w.status, [u.node for u in w.updates], len(w.interrupts)]") == [
        "interrupted", ["plan", "tools"], 0]  # interrupt_before stops with no value


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('%%lgrun agent\n{"a": 1,,}', "neither JSON (Expecting property name enclosed in double "
                                      "quotes at line 1, column 9)"),
        ("%%lgrun agent\n{\n  'a': nope\n}", "NameError: name 'nope' is not defined"),
        ("%%lgrun agent --config {bad}\n{}", "--config is not JSON"),
        ("%%lgrun --bogus\n{}", "unrecognized arguments: --bogus"),
        ("%%lgrun agent -o 1x\n{}", "-o needs a Python name"),
        ("%%lgrun\n{}", "name the assistant"),
        ("%%lgrun agent --text\n", "--text needs the message"),
    ],
)
def test_bad_arguments_are_one_line_usage_errors(kernel: Kernel, cell: str, message: str) -> None:
    result = kernel.execute(cell)
    assert result.status == "error"
    text = stderr(result)
    assert text.startswith("UsageError: ") and message in text, text
    assert text.count("\n") == 1  # one line, no traceback


def test_unknown_assistant_and_server_down_show_in_the_widget(kernel: Kernel) -> None:
    result = kernel.execute("%%lgrun no-such-graph -o w\n{}")
    assert result.status == "ok" and not result.of_type("error")  # no traceback
    assert value(kernel, "[w.status, w.error['error']]") == ["error", "APIStatusError"]
    assert "Invalid assistant" in value(kernel, "w.error['message']")
    result = kernel.execute("%%lgrun agent -o w --url http://127.0.0.1:9\n{}")
    assert result.status == "ok"
    assert value(kernel, "[w.status, w.error['error']]") == ["error", "ConnectError"]


def test_live_updates_arrive_in_several_batches_while_the_cell_runs(kernel: Kernel) -> None:
    result = kernel.execute('%%lgrun bulk -o w\n{"n": 1500, "size": 100}')
    assert value(kernel, "len(w.chunks)") == 1501
    batches = widget_comm_messages(result)
    # Coalesced (not one message per chunk), yet streamed during the run (not one at the end).
    assert 3 <= len(batches) < 100
    assert all(m["buffers"] for m in batches)


@pytest.mark.parametrize("cell", [
    '%%lgrun slow -o w\n{"steps": 600}',  # awaited on the kernel's loop
    'w = None\n%lgrun slow {"steps": 600}',  # the line form: a thread of its own
])
def test_interrupt_cancels_the_run(kernel: Kernel, server_url: str, cell: str) -> None:
    timer = threading.Timer(2.0, kernel.km.interrupt_kernel)
    timer.start()
    started = time.monotonic()
    result = kernel.execute(cell, timeout=90)
    took = time.monotonic() - started
    timer.cancel()
    assert took < 50, took  # the run itself takes a minute: the cell was cut short
    error = result.error or ""
    assert "KeyboardInterrupt" in error or "interrupted: the run was cancelled" in error
    assert error.count("\n") < 40  # not the stack of the HTTP read (IPython's format is airy)
    if "-o w" in cell:
        status, count = value(kernel, "[w.status, len(w.chunks)]")
        assert status == "cancelled" and 0 < count < 601
    assert eventually_idle(server_url)


def test_background_runs_let_later_cells_run(kernel: Kernel) -> None:
    # b1 takes 3 s by itself (30 steps of 0.1 s): the next cells run while it streams.
    result = kernel.execute('%%lgrun slow -o b1 --background\n{"steps": 30}')
    assert result.status == "ok"
    kernel.execute('%%lgrun slow -o b2 --background\n{"steps": 30}')
    assert value(kernel, "b1.status") == "running"  # this cell ran while the stream goes on
    deadline = time.monotonic() + 120
    while value(kernel, "[b1.status, b2.status]") != ["done", "done"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert value(kernel, "[len(b1.chunks), len(b2.chunks)]") == [31, 31]
    kernel.execute('%%lgrun slow -o b3 --background\n{"steps": 600}')
    deadline = time.monotonic() + 60
    while value(kernel, "len(b3.chunks)") < 2:  # it has started
        assert time.monotonic() < deadline
        time.sleep(0.1)
    kernel.execute("b3.cancel()")
    while value(kernel, "b3.status") == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert value(kernel, "b3.status") == "cancelled"


def test_help_is_real(kernel: Kernel) -> None:
    result = kernel.execute("%%lgrun?")  # IPython sends help as a payload of the execute reply
    pages = [p["data"]["text/plain"] for p in result.payload if p.get("source") == "page"]
    assert len(pages) == 1, result.payload
    for flag in ("ASSISTANT_ID", "--stream-mode MODE", "--subgraphs", "--config JSON",
                 "--context JSON", "--metadata JSON", "--interrupt-before NODES",
                 "--interrupt-after NODES", "-o NAME", "--background", "--text", "--graph NAME",
                 "--batch", "--concurrency N",
                 "--thread [ID]", "Stream a run of a LangGraph assistant"):
        assert flag in pages[0], flag


def test_notebooks_run_in_order_under_nbclient(server_url: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in [
        f"%load_ext lgwidget\n%config LGRun.url = {server_url!r}",
        '%%lgrun agent -o w\n{"messages": [{"role": "user", "content": "hi"}]}',
        "assert w.status == 'done', w.status\nprint(len(w.updates))",
    ]]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[2].outputs[0]["text"] == "3\n"


def test_run_sync_works_in_a_plain_script(server_url: str) -> None:
    code = ("import lgwidget; w = lgwidget.RunWidget('agent', {'messages': []}, url="
            f"{server_url!r}).run_sync(); print(w.status, len(w.updates))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["done", "3"]


def test_graph_option_runs_a_graph_in_the_kernel(kernel: Kernel) -> None:
    setup = kernel.execute(
        "import importlib.util, pathlib\n"
        "spec = importlib.util.spec_from_file_location('nb_agent', pathlib.Path("
        f"{str(__import__('pathlib').Path(__file__).parent / 'graphs' / 'agent.py')!r}))\n"
        "nb_agent = importlib.util.module_from_spec(spec); spec.loader.exec_module(nb_agent)\n"
        "my_graph = nb_agent.graph")
    assert setup.status == "ok", setup.error
    result = kernel.execute('%%lgrun --graph my_graph -o g --subgraphs\n'
                            '{"messages": [{"role": "user", "content": "hi"}]}')
    assert result.status == "ok" and not result.of_type("error"), result.error
    assert value(kernel, "[g.status, [u.node for u in g.updates]]") == [
        "done", ["plan", "lookup", "check", "tools", "respond"]]
    assert value(kernel, "g.chunks[0].event") == "metadata"
    assert value(kernel, "len(g.snapshot) > 0") is True
    result = kernel.execute("%%lgrun --graph nope\n{}")
    assert "UsageError: --graph nope: no such variable" in stderr(result)
    result = kernel.execute("%%lgrun --graph my_graph --stream-mode nonsense\n{}")
    assert result.status == "error" and "UsageError: --graph my_graph:" in stderr(result)


def test_display_then_await_run_shows_one_view(kernel: Kernel, server_url: str) -> None:
    kernel.execute(f"import lgwidget\nw1 = lgwidget.RunWidget('agent', {{}}, url={server_url!r})")
    result = kernel.execute("display(w1)\nawait w1.run()")  # run() returns the widget
    assert result.status == "ok", result.error
    views = [m for m in result.of_type("display_data")
             if "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert len(views) == 1
    again = kernel.execute("w1")  # another cell shows it again, as any value
    assert len([m for m in again.of_type("execute_result") + again.of_type("display_data")
                if "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]) == 1


def test_batch_of_a_json_list(kernel: Kernel) -> None:
    result = kernel.execute('%%lgrun items --batch -o b\n[{"n": 1}, {"n": 2, "fail": true}]')
    assert result.status == "ok" and not result.of_type("error")
    assert value(kernel, "[type(b).__name__, [w.status for w in b.runs], b.results[0], "
                         "str(b.results[1])]") == [
        "Batch", ["done", "error"], {"result": 2, "label": "odd"}, "ValueError: cannot label 2"]


def test_batch_of_an_expression(kernel: Kernel) -> None:
    kernel.execute("numbers = [3, 4, 5]")
    result = kernel.execute(
        "%%lgrun items --batch --concurrency 2 -o b\n[{'n': k} for k in numbers]")
    assert result.status == "ok" and not result.of_type("error")
    assert value(kernel, "[b.concurrency, [r['result'] for r in b.results]]") == [2, [6, 8, 10]]


def test_batch_needs_a_list(kernel: Kernel) -> None:
    result = kernel.execute('%%lgrun items --batch\n{"n": 1}')
    assert result.status == "error" and "UsageError: --batch needs a list" in stderr(result)
