"""A real IPython kernel for tests: run code in it and see every iopub message it sends."""

from __future__ import annotations

import contextlib
import json
import queue
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager


@dataclass
class Execution:
    """What one cell did: its iopub messages, and the reply's status and payloads (where IPython
    puts the help that ``name?`` shows)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    payload: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, msg_type: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["msg_type"] == msg_type]

    @property
    def stdout(self) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream")
                       if m["content"]["name"] == "stdout")

    @property
    def error(self) -> str | None:
        errors = self.of_type("error")
        return "\n".join(errors[0]["content"]["traceback"]) if errors else None


class Kernel:
    def __init__(self, km: KernelManager) -> None:
        self.km = km
        self.client = km.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def execute(self, code: str, timeout: float = 120) -> Execution:
        """Run ``code`` as a cell; wait until the kernel is idle again."""
        msg_id = self.client.execute(code)
        result = Execution()
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"cell did not finish in {timeout} s: {code[:200]}") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            result.messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        # The reply to this request: wait_for_ready() can leave kernel_info replies behind.
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=timeout)
        result.status = reply["content"]["status"]
        result.payload = reply["content"].get("payload", [])
        return result


@contextlib.contextmanager
def running_kernel(env: dict[str, str] | None = None) -> Iterator[Kernel]:
    """Start a python3 kernel; it is shut down (killed if need be) however the test ends."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env) if env is not None else km.start_kernel()
    kernel = None
    try:
        kernel = Kernel(km)
        yield kernel
    finally:
        if kernel is not None:
            kernel.client.stop_channels()
        km.shutdown_kernel(now=True)


@contextlib.contextmanager
def lgwidget_kernel(server_url: str) -> Iterator[Kernel]:
    """A kernel with ``%load_ext lgwidget``, ``LGRun.url`` set to the test server, and the
    test graphs importable (``--graph interrupting:graph``)."""
    graphs = Path(__file__).parent.parent / "graphs"
    with running_kernel() as k:
        setup = k.execute(f"%load_ext lgwidget\n%config LGRun.url = {server_url!r}\n"
                          f"import sys; sys.path.insert(0, {str(graphs)!r})")
        assert setup.status == "ok", setup.error
        yield k


def value(kernel: Kernel, expression: str) -> object:
    """Evaluate in the kernel; the result comes back as JSON."""
    result = kernel.execute(f"import json as _j; print(_j.dumps({expression}))")
    assert result.status == "ok", result.error
    return json.loads(result.stdout)
