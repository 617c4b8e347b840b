"""How much slower than a bare httpx-sse loop is ``lgwidget.Client.stream``? And the SDK?

    python -m bench.client [--chunks 10000] [--size 1000] [--repeat 7] [--quick] [--json PATH]
                           [--framing chunked|close] [--events-per-chunk 1]

One replay server process (tests/support/replay_server.py) serves the same stream to three
consumers, run in this one process, on one asyncio event loop:

* ``httpx-sse``: the baseline, ``aconnect_sse`` + ``aiter_sse()`` + ``json.loads(sse.data)``;
* ``lgwidget``: ``lgwidget.Client(url).stream("agent", input=...)``;
* ``sdk``: ``langgraph_sdk.get_client(url=url, api_key=None).runs.stream(None, "agent", ...)``.

Each client is created once, before timing, and warmed up with one untimed run, so every timed
run reuses a kept-alive connection and none pays for client construction, a first connect, or
a first-call thread pool (the SDK encodes the request body in an executor). A timed run spans
the call through the last event: sending the request, the response head, and consuming and
JSON-decoding every event. ``get_client`` itself sends nothing (no ``/info``), and
``runs.stream`` sends exactly one request here: the SDK's "did the run end?" check after a
stream without an end event only applies to ``/threads/<id>/runs/<id>/stream`` locations, not
to a stateless run's ``/runs/<id>/stream`` (checked with an httpx request hook, SDK 0.4.14).

Runs are interleaved round by round, with the order rotated every round (A B C, B C A, C A B,
...), so machine noise and order effects fall on all three alike. The garbage collector stays
on, as users run it; ``gc.collect()`` before each timed run gives every run the same start.
Time ratios are per-approach time / baseline time: above 1 is slower than the baseline.

Two clocks per run: wall time (``time.perf_counter``, what the project's target is stated in)
and this process's CPU time (``time.process_time``). The client is CPU-bound (the replay server
is about 50x faster than any of the three), so both measure the same work, but CPU time does not
count the time this process was descheduled, so it is far less noisy on a busy 2-core machine.
When the wall-time median and the CPU-time ratios disagree, trust the CPU time and best-of.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import langgraph_sdk
from httpx_sse import aconnect_sse

import lgwidget
from bench import kit
from tests.support.replay_server import replay_server

#: The project's target: lgwidget within this time ratio of the bare httpx-sse loop.
TARGET_RATIO = 1.05
#: The same timeouts for every client (the SDK's and lgwidget's defaults).
TIMEOUT = httpx.Timeout(connect=5, read=300, write=300, pool=5)
BASELINE = "httpx-sse"

Consumer = Callable[[], Awaitable[tuple[int, Any]]]


def make_consumers(url: str, run_input: dict[str, Any]) -> tuple[dict[str, Consumer], list[Any]]:
    """One coroutine function per approach, returning (events seen, last event's data)."""
    baseline_http = httpx.AsyncClient(timeout=TIMEOUT)
    lg_client = lgwidget.Client(url)
    sdk_client = langgraph_sdk.get_client(url=url, api_key=None)
    body = {"assistant_id": "agent", "input": run_input, "stream_mode": "updates"}

    async def baseline() -> tuple[int, Any]:
        count, data = 0, None
        async with aconnect_sse(baseline_http, "POST", f"{url}/runs/stream", json=body) as es:
            async for sse in es.aiter_sse():
                data = json.loads(sse.data)
                count += 1
        return count, data

    async def with_lgwidget() -> tuple[int, Any]:
        count, data = 0, None
        async for part in lg_client.stream("agent", input=run_input):
            data = part.data
            count += 1
        return count, data

    async def with_sdk() -> tuple[int, Any]:
        count, data = 0, None
        async for part in sdk_client.runs.stream(
            None, "agent", input=run_input, stream_mode="updates"
        ):
            data = part.data
            count += 1
        return count, data

    consumers = {"httpx-sse": baseline, "lgwidget": with_lgwidget, "sdk": with_sdk}
    return consumers, [baseline_http, lg_client, sdk_client]


def check(name: str, result: tuple[int, Any], n: int) -> None:
    count, last = result
    expected_last = f"node_{n}" if n else "run_id"
    if count != n + 1 or not isinstance(last, dict) or expected_last not in last:
        raise AssertionError(
            f"{name}: expected {n + 1} events ending with {expected_last!r}, got {count} "
            f"ending with {str(last)[:80]!r}"
        )


async def interleave(
    consumers: dict[str, Consumer], repeat: int, n: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Run each consumer once untimed, then ``repeat`` timed rounds in rotated order.

    Returns the wall and the CPU seconds of each timed run, per consumer, in run order.
    """
    times: dict[str, list[float]] = {name: [] for name in consumers}
    cpu_times: dict[str, list[float]] = {name: [] for name in consumers}
    for name, consume in consumers.items():  # warm-up: connections, thread pools, caches
        check(name, await consume(), n)
    names = list(consumers)
    for round_ in range(repeat):
        for name in kit.rotated(names, round_):
            gc.collect()
            cpu_start = time.process_time()
            start = time.perf_counter()
            result = await consumers[name]()
            elapsed = time.perf_counter() - start
            cpu_elapsed = time.process_time() - cpu_start
            check(name, result, n)
            times[name].append(elapsed)
            cpu_times[name].append(cpu_elapsed)
    return times, cpu_times


async def measure(
    url: str, n: int, size: int, repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    consumers, clients = make_consumers(url, {"n": n, "size": size})
    try:
        return await interleave(consumers, repeat, n)
    finally:
        for client in clients:
            await client.aclose()


def print_table(rows: dict[str, dict[str, float]], events: int) -> None:
    w = max(10, *(len(name) for name in rows))
    print(
        f"{'':<{w}} {'--------------------- wall time ---------------------':>54}   "
        f"{'------------ CPU time ------------':>34}"
    )
    print(
        f"{'approach':<{w}} {'best ev/s':>10} {'median ev/s':>11} {'median ms':>9} "
        f"{'ratio best':>10} {'ratio median':>12}   {'us/event':>8} {'ratio best':>10} "
        f"{'ratio median':>12}"
    )
    for name, r in rows.items():
        print(
            f"{name:<{w}} {events / r['best_s']:>10,.0f} {events / r['median_s']:>11,.0f} "
            f"{r['median_s'] * 1e3:>9.1f} {kit.x(r['ratio_best'], 3):>10} "
            f"{kit.x(r['ratio_median'], 3):>12}   {r['cpu_per_item_us']:>8.2f} "
            f"{kit.x(r['cpu_ratio_best'], 3):>10} {kit.x(r['cpu_ratio_median'], 3):>12}"
        )
    print(f"(ratio = time / {BASELINE} time, >1 is slower; us/event = median CPU time per event)")


def print_summary(rows: dict[str, dict[str, float]], repeat: int) -> None:
    for name in ("lgwidget", "sdk"):
        print(
            f"{name}/httpx-sse time ratio: {kit.x(rows[name]['ratio_median'])} "
            f"(median of {repeat}; CPU time {kit.x(rows[name]['cpu_ratio_median'])})"
        )
    lg = rows["lgwidget"]
    within = max(lg["ratio_median"], lg["cpu_ratio_median"]) <= TARGET_RATIO
    print(
        f"target: lgwidget {'within' if within else 'NOT within'} {kit.x(TARGET_RATIO)} of "
        f"httpx-sse (wall {kit.x(lg['ratio_median'], 3)}, "
        f"CPU {kit.x(lg['cpu_ratio_median'], 3)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = kit.parser(__doc__, "3 rounds instead of 7")
    kit.chunks_arg(parser, 10_000, "updates events per stream")
    parser.add_argument("--size", type=int, default=1_000, help="bytes per event on the wire")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per approach")
    parser.add_argument("--framing", choices=("chunked", "close"), default="chunked")
    parser.add_argument("--events-per-chunk", type=int, default=1,
                        help="events per HTTP chunk (1: as the real server)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = min(args.repeat, 3)

    events = args.n + 1
    machine = kit.header("client", f"{events:,} events x {args.size} B, {args.framing}; "
                         f"{args.repeat} interleaved runs each")
    with replay_server(
        n=args.n, size=args.size, framing=args.framing, events_per_chunk=args.events_per_chunk
    ) as server:
        print(f"replay server pid {server.pid} at {server.url}")
        times, cpu_times = asyncio.run(measure(server.url, args.n, args.size, args.repeat))
    rows = kit.ratios(times, cpu_times, BASELINE, events)
    print_table(rows, events)
    print_summary(rows, args.repeat)
    import httpx_sse

    versions = {"httpx": httpx.__version__, "httpx_sse": getattr(httpx_sse, "__version__", "?"),
                "langgraph_sdk": langgraph_sdk.__version__}
    kit.write_json(args.json, {
        **machine, "versions": versions, "params": vars(args), "events_per_run": events,
        "times_s": times, "cpu_times_s": cpu_times, "summary": rows, "target": TARGET_RATIO,
    })


if __name__ == "__main__":
    main()
