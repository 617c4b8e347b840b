"""Running a run (a RunWidget's ``run``) from synchronous code: a script, or a cell magic
inside the kernel's loop.

A cell magic is a plain function called while the kernel's asyncio loop is running, so it can
neither ``await`` nor re-enter that loop (``nest_asyncio`` patches asyncio globally and loses
queued cells under ipykernel 7; we do not use it). Three ways, each measured in a real kernel:

- top-level ``await`` of ``w.run()`` on the kernel's loop: live updates, a kernel interrupt cancels,
  and the browser's messages (the Stop button) are handled while it runs. ``%%lgrun`` cells take
  this way: ``_magic`` rewrites them into an awaited call when IPython's autoawait is on;
- a task on the kernel's loop: the cell returns at once (``--background``, :func:`start`);
- a thread with its own loop, the caller waiting in short joins so a KeyboardInterrupt (the
  kernel's interrupt) lands between them and cancels the run: :func:`run_blocking`, for a script,
  the line magic, or a kernel without autoawait. Trait changes from that thread reach the browser
  in order; only the Stop button waits for the cell to end.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
_JOIN_INTERVAL = 0.05


def run_blocking(
    run: Callable[[], Coroutine[Any, Any, T]], cancel: Callable[[], None]
) -> T | None:
    """``run()`` to the end and return its result (None if it was cancelled), whether or not
    this thread runs an event loop; a KeyboardInterrupt calls ``cancel()`` (thread-safe) until
    the run ends, and is raised again."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    result: list[T] = []
    failure: list[BaseException] = []
    finished = threading.Event()

    def target() -> None:
        try:
            result.append(asyncio.run(run()))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="lgwidget-run", daemon=True)
    # Wait on an Event, not Thread.join: a KeyboardInterrupt inside join() can mark the thread
    # as stopped while it still runs (CPython gh-90882), and then the run would go on unseen.
    # The thread starts inside the try: an interrupt that lands just after it started must
    # cancel it too, not leave it running.
    try:
        thread.start()
        while not finished.wait(_JOIN_INTERVAL):
            pass
    except KeyboardInterrupt:
        if thread.ident is None:  # it never started: nothing to cancel
            raise
        # Again until the thread ends: the interrupt may come before the run's task exists.
        while not finished.wait(_JOIN_INTERVAL):
            cancel()
        raise KeyboardInterrupt("the run was cancelled; what came so far stays") from None
    if failure and not isinstance(failure[0], asyncio.CancelledError):
        raise failure[0]
    return result[0] if result else None


def start(run: Callable[[], Coroutine[Any, Any, T]]) -> asyncio.Task[T]:
    """``run()`` in the background on this thread's running loop (the kernel's); the task."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "start() runs the widget in the background of a running event loop, such as a "
            "Jupyter kernel's; in a script use run_sync() or asyncio.run(w.run())"
        ) from None
    return loop.create_task(run())


def spawn(coroutine: Coroutine[Any, Any, Any], failed: Callable[[BaseException], None]) -> None:
    """Run ``coroutine`` without waiting for it: a task on this thread's running loop (the
    kernel's, when a message from the browser is handled there), else on a thread with a loop
    of its own (a kernel that handles messages outside its loop). ``failed`` gets any
    exception but a cancel."""

    async def guarded() -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # shown by the caller; the view asked, no cell would see it
            failed(exc)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        threading.Thread(target=asyncio.run, args=(guarded(),), name="lgwidget-call",
                         daemon=True).start()
        return
    task = loop.create_task(guarded())
    _background.add(task)
    task.add_done_callback(_background.discard)


_background: set[asyncio.Task[None]] = set()  # kept referenced until done (asyncio docs)
