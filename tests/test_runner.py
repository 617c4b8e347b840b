"""The runner alone: a coroutine run from synchronous code, with and without a running loop."""

from __future__ import annotations

import _thread
import asyncio
import threading

import pytest

from lgwidget._runner import run_blocking, start


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_without_a_loop_it_runs_here() -> None:
    assert run_blocking(_answer, lambda: None) == 42


async def test_inside_a_running_loop_it_runs_on_a_thread_of_its_own() -> None:
    threads: list[str] = []

    async def where() -> int:
        threads.append(threading.current_thread().name)
        return 7

    assert run_blocking(where, lambda: None) == 7  # blocks this loop, as a cell magic does
    assert threads == ["lgwidget-run"]


async def test_a_failure_is_raised_in_the_caller() -> None:
    async def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_blocking(fail, lambda: None)


def test_a_keyboard_interrupt_cancels_the_run_and_is_raised_again() -> None:
    started, cancelled = threading.Event(), threading.Event()
    task: list[asyncio.Task[None]] = []

    async def forever() -> None:
        task.append(asyncio.current_task())  # type: ignore[arg-type]
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    def cancel() -> None:
        if task:
            task[0].get_loop().call_soon_threadsafe(task[0].cancel)

    async def cell() -> None:  # a cell magic: synchronous code inside the kernel's running loop
        run_blocking(forever, cancel)

    # The kernel's interrupt is a KeyboardInterrupt in the main thread, where the caller waits.
    # (A loop of our own: asyncio.run() and pytest-asyncio turn SIGINT into a task cancel.)
    threading.Thread(target=lambda: (started.wait(5), _thread.interrupt_main())).start()
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(KeyboardInterrupt, match="cancelled"):
            loop.run_until_complete(cell())
    finally:
        loop.close()
    assert cancelled.is_set()  # cancelled, and ended before the caller got the interrupt back


def test_start_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError, match="run_sync"):
        start(_answer)


async def test_start_runs_in_the_background() -> None:
    task = start(_answer)
    assert not task.done()
    assert await task == 42
