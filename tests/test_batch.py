"""Batches (``lgwidget.batch``) against the real server, and in this process: every input runs,
a failure stays in its row, order is kept, the limit on runs at once holds on the server, and a
cancelled batch leaves no run going."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest

import lgwidget
from lgwidget import _batch
from tests.graphs.items import graph as items_graph
from tests.support.server import TEST_GRAPHS, busy_runs, eventually_idle, run_langgraph_dev

pytestmark = pytest.mark.server

INPUTS = [{"n": 1}, {"n": 2, "fail": True}, {"n": 3}]


@pytest.fixture(scope="module")
def wide_url() -> Iterator[str]:
    """A server that runs 5 runs at once (``langgraph dev`` runs one unless told)."""
    with run_langgraph_dev(TEST_GRAPHS, n_jobs_per_worker=5) as url:
        yield url


class Sampler:
    """How many runs the server is busy with, sampled from another thread while a batch runs."""

    def __init__(self, url: str) -> None:
        self.url, self.seen = url, [0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.seen.append(busy_runs(self.url))
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def test_one_failing_input_stays_in_its_row(server_url: str) -> None:
    b = lgwidget.batch("items", INPUTS, url=server_url)
    await b.run()
    assert [w.status for w in b.runs] == ["done", "error", "done"]
    assert b.status == "done"
    assert b.results[0] == {"result": 2, "label": "odd"}
    assert b.results[2] == {"result": 6, "label": "odd"}
    failure = b.results[1]
    assert isinstance(failure, lgwidget.RunError) and "cannot label 2" in str(failure)
    assert [r["status"] for r in b.rows] == ["done", "error", "done"]
    assert "cannot label 2" in b.rows[1]["error"] and b.rows[0]["error"] == ""
    assert b.rows[0]["output"] and b.rows[0]["chunks"] == len(b.runs[0].chunks) > 0
    assert b.rows[1]["input"] == '{"n": 2, "fail": true}'


async def test_langgraph_dev_runs_one_at_a_time_and_the_batch_says_so(server_url: str) -> None:
    b = lgwidget.batch("items", [{"n": 1}, {"n": 2}], url=server_url)
    await b.run()
    assert b.concurrency == 1 and b.peak_in_flight == 1
    assert any("--n-jobs-per-worker 8" in note for note in b.notes)


async def test_the_default_limit_is_the_servers_capacity(wide_url: str) -> None:
    b = lgwidget.batch("items", [{"n": 1}], url=wide_url)
    await b.run()
    assert b.concurrency == 5 and b.notes == []


async def test_never_more_runs_on_the_server_than_the_limit(wide_url: str) -> None:
    inputs = [{"n": k, "delay": 0.4} for k in range(6)]
    b = lgwidget.batch("items", inputs, url=wide_url, concurrency=2)
    with Sampler(wide_url) as sampler:
        await b.run()
    assert [w.status for w in b.runs] == ["done"] * 6
    assert max(sampler.seen) == 2  # two at once, never three (the server could run five)
    assert b.peak_in_flight == 2


async def test_results_keep_the_input_order(wide_url: str) -> None:
    # The first input takes longest: the runs end in another order than they started.
    inputs = [{"n": 1, "delay": 0.8}, {"n": 2}, {"n": 3, "delay": 0.3}]
    b = lgwidget.batch("items", inputs, url=wide_url, concurrency=3)
    await b.run()
    assert [r["result"] for r in b.results] == [2, 4, 6]
    assert b.runs[0].ended_at > b.runs[2].ended_at > b.runs[1].ended_at
    assert [r["index"] for r in b.rows] == [0, 1, 2]


async def test_a_cancelled_batch_leaves_no_run_on_the_server(wide_url: str) -> None:
    b = lgwidget.batch("slow", [{"steps": 600}] * 3, url=wide_url, concurrency=2)
    task = asyncio.ensure_future(b.run())
    deadline = time.monotonic() + 30
    while busy_runs(wide_url) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert busy_runs(wide_url) == 2
    b.cancel()
    await task
    assert b.status == "cancelled"
    assert sorted(w.status for w in b.runs) == ["cancelled", "cancelled", "idle"]
    assert eventually_idle(wide_url)


async def test_rerun_failed_runs_the_unfinished_rows_again(wide_url: str) -> None:
    b = lgwidget.batch("items", [{"n": 1, "delay": 5}, {"n": 2}], url=wide_url, concurrency=1)
    task = asyncio.ensure_future(b.run())
    while b.runs[0].status != "running":
        await asyncio.sleep(0.05)
    b.cancel()
    await task
    assert [w.status for w in b.runs] == ["cancelled", "idle"]
    b.runs[0].request = dataclasses.replace(b.runs[0].request, input={"n": 1})  # quick now
    await b.rerun_failed()
    assert [w.status for w in b.runs] == ["done", "done"]
    assert [r["status"] for r in b.rows] == ["done", "done"]
    assert eventually_idle(wide_url)


async def test_in_process_batch_matches_the_server(server_url: str) -> None:
    on_server = lgwidget.batch("items", INPUTS, url=server_url)
    here = lgwidget.batch(items_graph, INPUTS)
    await on_server.run()
    await here.run()
    assert here.concurrency == _batch.DEFAULT_CONCURRENCY
    assert [w.status for w in here.runs] == [w.status for w in on_server.runs]
    assert here.results[0] == on_server.results[0] and here.results[2] == on_server.results[2]
    assert "cannot label 2" in str(here.results[1])
    assert [r["output"] for r in here.rows] == [r["output"] for r in on_server.rows]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="list of inputs"):
        lgwidget.batch("items", {"n": 1})
    with pytest.raises(ValueError, match="concurrency"):
        lgwidget.batch("items", [{"n": 1}], concurrency=0)
    with pytest.raises(TypeError, match="graph runs in this process"):
        lgwidget.batch(items_graph, [{"n": 1}], url="http://127.0.0.1:1")
    with pytest.raises(TypeError, match="unexpected keyword"):
        lgwidget.batch("items", [{"n": 1}], stream_modes="values")


def test_to_pandas_says_what_it_needs() -> None:
    b = lgwidget.batch(items_graph, [{"n": 1}])
    try:
        import pandas  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            b.to_pandas()
    else:
        b.run_sync()
        frame = b.to_pandas()
        assert list(frame["status"]) == ["done"] and frame["output"][0]["result"] == 2
