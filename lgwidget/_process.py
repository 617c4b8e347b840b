"""Child processes in process groups of their own, so that one signal stops each with all it
started (``langgraph dev`` and JupyterLab both spawn children: a kernel, a server worker)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel just handed out; free unless someone races us for it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def start_group(cmd: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start ``cmd`` as the leader of a new process group, with no standard input."""
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True, **popen)


def stop_group(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the whole process group, then SIGKILL whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    # Also when the leader exited in time: a child that ignored SIGTERM would otherwise
    # outlive us. No-op (ProcessLookupError) when the group is empty.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
