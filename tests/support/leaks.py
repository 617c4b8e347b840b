"""Leak checks for tests: no new thread alive and no new TCP socket held after a test."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
from collections.abc import Iterator


def tcp_sockets_of_this_process() -> dict[str, str]:
    """inode -> local/remote/state of every TCP socket this process holds (Linux /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            link = os.readlink(f"/proc/self/fd/{fd}")
            if link.startswith("socket:["):
                inodes.add(link[len("socket:[") : -1])
    table = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(name) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                table[cols[9]] = f"{cols[1]} -> {cols[2]} state {cols[3]}"
    return {inode: table[inode] for inode in inodes if inode in table}


@contextlib.contextmanager
def no_new_threads_or_sockets(grace: float = 2.0) -> Iterator[None]:
    """Fail if the body leaves a thread alive or a TCP socket open (after ``grace`` seconds)."""
    threads_before = set(threading.enumerate())
    can_check_sockets = os.path.isdir("/proc/self/fd") and os.path.exists("/proc/net/tcp")
    sockets_before = tcp_sockets_of_this_process() if can_check_sockets else {}
    yield
    deadline = time.monotonic() + grace
    while True:
        gc.collect()
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        sockets = {}
        if can_check_sockets:
            now = tcp_sockets_of_this_process()
            sockets = {i: s for i, s in now.items() if i not in sockets_before}
        if (not threads and not sockets) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not threads, f"leaked threads: {threads}"
    assert not sockets, f"leaked TCP sockets: {sockets}"
