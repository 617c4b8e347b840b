"""Where lgwidget's per-event overhead over the bare httpx-sse loop comes from, step by step.

    python bench/client_overhead.py [--n 10000] [--size 1000] [--repeat 15]
        [--framing chunked|close] [--events-per-chunk 1]

Each variant adds one piece of what ``lgwidget.Client.stream`` does on top of the baseline, so
the differences between rows attribute the overhead; the last rows are candidate fixes,
measured, not applied (they live here, not in lgwidget/):

* ``httpx-sse``: the baseline of bench_client.py (``aconnect_sse`` + ``aiter_sse`` + json.loads);
* ``+generator``: the same, but the events pass through one more async generator, as
  ``Client.stream_payload`` adds on top of httpx-sse's ``aiter_sse``;
* ``+StreamPart``: that generator also decodes the JSON and yields ``StreamPart(...)`` (a
  NamedTuple: its ``__new__`` is a Python function);
* ``lgwidget``: the real ``Client.stream``;
* ``fix:micro``: ``+StreamPart`` with public APIs only, trimmed: each ``sse`` property read
  once, ``json.loads`` inline, ``tuple.__new__(StreamPart, ...)`` instead of the NamedTuple's
  Python-level ``__new__``;
* ``fix:flat``: one async generator over ``response.aiter_text()`` feeding httpx-sse's own
  line and event decoders (``httpx_sse._decoders``: private), so the events skip the two
  generator layers inside ``aiter_sse`` (one of which is resumed once per *line*: 3 times per
  event), with each ``sse`` property read once and ``tuple.__new__`` for the StreamPart;
* ``fix:flat+orjson``: the same, decoding with ``orjson.loads`` (what the SDK uses), if installed.

Timing and output as in bench_client.py (interleaved rounds, wall and CPU time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import EventSource, aconnect_sse
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

import lgwidget
from lgwidget._client import build_payload
from lgwidget._parts import StreamPart

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_client import TIMEOUT, interleave, print_table, summarize
from replay_server import replay_server

_HEADERS = {"accept": "text/event-stream", "cache-control": "no-store"}
_tuple_new = tuple.__new__


async def count(parts: AsyncIterator[Any]) -> tuple[int, Any]:
    n, last = 0, None
    async for last in parts:  # noqa: B007 (the last part is checked by the caller)
        n += 1
    return n, getattr(last, "data", last)


def make_variants(url: str, run_input: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    http = httpx.AsyncClient(base_url=url, timeout=TIMEOUT)
    lg_client = lgwidget.Client(url)
    body = build_payload("agent", run_input, "updates", {})

    async def baseline() -> tuple[int, Any]:
        n, data = 0, None
        async with aconnect_sse(http, "POST", "/runs/stream", json=body) as es:
            async for sse in es.aiter_sse():
                data = json.loads(sse.data)
                n += 1
        return n, data

    async def plus_generator_events() -> AsyncIterator[Any]:
        async with http.stream("POST", "/runs/stream", json=body, headers=_HEADERS) as r:
            async for sse in EventSource(r).aiter_sse():
                yield sse

    async def plus_generator() -> tuple[int, Any]:
        n, data = 0, None
        async for sse in plus_generator_events():
            data = json.loads(sse.data)
            n += 1
        return n, data

    async def plus_streampart_events() -> AsyncIterator[StreamPart]:
        async with http.stream("POST", "/runs/stream", json=body, headers=_HEADERS) as r:
            async for sse in EventSource(r).aiter_sse():
                yield StreamPart(
                    sse.event, json.loads(sse.data) if sse.data else None, sse.id or None
                )

    async def micro_events() -> AsyncIterator[StreamPart]:
        async with http.stream("POST", "/runs/stream", json=body, headers=_HEADERS) as r:
            async for sse in EventSource(r).aiter_sse():
                data = sse.data
                yield _tuple_new(
                    StreamPart, (sse.event, json.loads(data) if data else None, sse.id or None)
                )

    def flat_events(loads: Callable[[str], Any]) -> Callable[[], AsyncIterator[StreamPart]]:
        def part(sse: Any) -> StreamPart:
            data = sse.data
            return _tuple_new(
                StreamPart, (sse.event, loads(data) if data else None, sse.id or None)
            )

        async def events() -> AsyncIterator[StreamPart]:
            async with http.stream("POST", "/runs/stream", json=body, headers=_HEADERS) as r:
                lines, decoder = SSELineDecoder(), SSEDecoder()
                async for text in r.aiter_text():
                    for line in lines.decode(text):
                        sse = decoder.decode(line)
                        if sse is not None:
                            data = sse.data  # inlined, not part(sse): a call costs ~0.1 us
                            yield _tuple_new(
                                StreamPart,
                                (sse.event, loads(data) if data else None, sse.id or None),
                            )
                for line in lines.flush():
                    sse = decoder.decode(line)
                    if sse is not None:
                        yield part(sse)

        return events

    variants: dict[str, Any] = {
        "httpx-sse": baseline,
        "+generator": plus_generator,
        "+StreamPart": lambda: count(plus_streampart_events()),
        "lgwidget": lambda: count(lg_client.stream("agent", input=run_input)),
        "fix:micro": lambda: count(micro_events()),
        "fix:flat": lambda: count(flat_events(json.loads)()),
    }
    try:
        import orjson

        variants["fix:flat+orjson"] = lambda: count(flat_events(orjson.loads)())
    except ImportError:
        pass
    return variants, [http, lg_client]


async def measure(url: str, n: int, size: int, repeat: int) -> Any:
    variants, clients = make_variants(url, {"n": n, "size": size})
    try:
        return await interleave(variants, repeat, n)
    finally:
        for client in clients:
            await client.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--framing", choices=("chunked", "close"), default="chunked")
    parser.add_argument("--events-per-chunk", type=int, default=1)
    args = parser.parse_args(argv)
    with replay_server(
        n=args.n, size=args.size, framing=args.framing, events_per_chunk=args.events_per_chunk
    ) as server:
        times, cpu_times = asyncio.run(measure(server.url, args.n, args.size, args.repeat))
    print(
        f"{args.n + 1:,} events x {args.size} B, {args.framing}, {args.events_per_chunk} "
        f"event(s) per chunk; {args.repeat} interleaved runs each"
    )
    print_table(summarize(times, cpu_times, args.n + 1))


if __name__ == "__main__":
    main()
