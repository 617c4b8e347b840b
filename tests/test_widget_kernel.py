"""What the widget and the magic do in a real kernel, beyond a plain run: the messages a front
end sends (sync, stop), settings by %config and the environment, kernels without autoawait,
unloading the extension, --context, --graph module:attr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lgwidget._transport import decode_batch
from tests.support.kernel import Execution, Kernel, lgwidget_kernel, running_kernel, value

pytestmark = pytest.mark.server
GRAPHS = Path(__file__).parent / "graphs"


@pytest.fixture(scope="module")
def kernel(server_url: str) -> Iterator[Kernel]:
    with lgwidget_kernel(server_url) as k:
        yield k


def front_end_message(kernel: Kernel, comm_id: str, content: dict) -> Execution:
    """Send what the browser sends (anywidget's model.send) to the widget's comm, then wait
    for the kernel to be idle, collecting what it sent back."""
    client = kernel.client
    msg = client.session.msg("comm_msg", {"comm_id": comm_id,
                                          "data": {"method": "custom", "content": content}})
    client.shell_channel.send(msg)
    result = Execution()
    while True:
        reply = client.get_iopub_msg(timeout=60)
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        result.messages.append(reply)
        if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            return result


def batches(result: Execution, comm_id: str) -> list[int]:
    """The seq of each batch message the widget's comm sent."""
    return [decode_batch(m["buffers"][0])[0] for m in result.of_type("comm_msg")
            if m["content"]["comm_id"] == comm_id
            and m["content"]["data"].get("content", {}).get("type") == "batch"]


def test_a_sync_request_resends_what_the_view_missed(kernel: Kernel) -> None:
    kernel.execute('%%lgrun bulk -o w\n{"n": 600, "size": 10}')
    comm_id = value(kernel, "w.comm.comm_id")
    assert isinstance(comm_id, str)
    seqs = value(kernel, "[__import__('lgwidget._transport', fromlist=['x'])"
                         ".decode_batch(b)[0] "
                         "for b in w.snapshot]")
    assert isinstance(seqs, list) and len(seqs) >= 2 and seqs[0] == 0
    # A view that has nothing gets every batch again; one that has all but the last, the last.
    assert batches(front_end_message(kernel, comm_id, {"type": "sync", "have": 0}),
                   comm_id) == seqs
    assert batches(front_end_message(kernel, comm_id, {"type": "sync", "have": seqs[-1]}),
                   comm_id) == seqs[-1:]
    assert batches(front_end_message(kernel, comm_id, {"type": "nonsense"}), comm_id) == []


def test_the_stop_message_cancels_a_background_run(kernel: Kernel) -> None:
    kernel.execute('%%lgrun slow -o s --background\n{"steps": 600}')
    comm_id = value(kernel, "s.comm.comm_id")
    assert isinstance(comm_id, str)
    front_end_message(kernel, comm_id, {"type": "stop"})
    kernel.execute("import asyncio\nfor _ in range(600):\n"
                   "    if s.status != 'running': break\n    await asyncio.sleep(0.1)")
    assert value(kernel, "s.status") == "cancelled"


def test_config_defaults_and_context(kernel: Kernel) -> None:
    kernel.execute("%config LGRun.assistant_id = 'agent'\n"
                   "%config LGRun.stream_mode = ['updates', 'custom']")
    result = kernel.execute('%%lgrun -o c --context {"user": "ada"}\n{"messages": []}')
    assert result.status == "ok", result.error
    assert value(kernel, "[c.assistant_id, c.stream_mode, c.request.context, c.status]") == [
        "agent", ["updates", "custom"], {"user": "ada"}, "done"]
    kernel.execute("%config LGRun.assistant_id = None\n%config LGRun.stream_mode = ['updates']")


def test_environment_defaults(server_url: str) -> None:
    env = {**_environ(), "LGWIDGET_ASSISTANT_ID": "agent",
           "LGWIDGET_STREAM_MODE": "updates, custom", "LANGGRAPH_API_URL": server_url}
    with running_kernel(env=env) as k:
        k.execute("%load_ext lgwidget")
        result = k.execute('%%lgrun -o e\n{"messages": []}')
        assert result.status == "ok", result.error
        assert value(k, "[e.assistant_id, e.stream_mode, e.url, e.status]") == [
            "agent", ["updates", "custom"], server_url, "done"]


def test_a_kernel_without_autoawait_runs_the_cell_on_a_thread(kernel: Kernel) -> None:
    kernel.execute("%autoawait off")
    try:
        result = kernel.execute('%%lgrun agent -o t\n{"messages": []}')
        assert result.status == "ok", result.error
        assert value(kernel, "[t.status, len(t.updates)]") == ["done", 3]
    finally:
        kernel.execute("%autoawait on")


def test_graph_module_attr_and_unloading(kernel: Kernel) -> None:
    result = kernel.execute("%%lgrun --graph interrupting:graph -o m\n{\"request\": \"x\"}")
    assert result.status == "ok", result.error
    assert value(kernel, "[m.assistant_id, m.status]") == ["interrupting:graph", "interrupted"]
    kernel.execute("%unload_ext lgwidget")
    gone = kernel.execute("%%lgrun agent\n{}")
    assert gone.status == "error" and "UsageError" in (gone.error or _stderr(gone))
    transformers = value(kernel, "[f.__name__ for f in get_ipython().input_transformers_post]")
    assert "await_lgrun_cells" not in transformers
    kernel.execute("%load_ext lgwidget")


def _stderr(result: Execution) -> str:
    return "".join(m["content"]["text"] for m in result.of_type("stream")
                   if m["content"]["name"] == "stderr")


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("LGWIDGET_")} | {
        "PYTHONPATH": os.pathsep.join(p for p in [str(Path(__file__).parent.parent),
                                                  os.environ.get("PYTHONPATH", "")] if p)}


