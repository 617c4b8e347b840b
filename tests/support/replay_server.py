"""A fast local SSE replay server that speaks the Agent Server's ``POST /runs/stream`` wire format.

The real ``langgraph dev`` server (langgraph-api 0.16.7, in-memory runtime) emits about 1,000
events/s, so any client keeps up with it. To measure a client's own overhead, this server replays
a pre-built stream as fast as the socket takes it. It runs in a separate process, so it never
shares a GIL (or a core's scheduler slice) with the client being measured.

The wire format is the real server's, captured from langgraph-api 0.16.7 (``langgraph dev``, the
``bulk`` test graph; CRLF line ends, compact JSON, no end event)::

    HTTP/1.1 200 OK
    location: /runs/<run_id>/stream
    content-location: /runs/<run_id>
    content-type: text/event-stream; charset=utf-8
    transfer-encoding: chunked                       (one HTTP chunk per event, as uvicorn does)

    event: metadata\\r\\ndata: {"run_id":"<run_id>","attempt":1}\\r\\n\\r\\n
    event: updates\\r\\ndata: {"node_1":{"payload":"..."}}\\r\\n\\r\\n     (n of these)

then the end of the body: no end event, exactly like the real server.

Use from Python (tests and benchmarks import this module)::

    from tests.support.replay_server import replay_server

    with replay_server(n=10_000, size=1_000) as server:   # defaults for every request
        server.url                                         # "http://127.0.0.1:PORT"
        httpx.post(f"{server.url}/runs/stream", json={"input": {"n": 50, "size": 200}})

Run it by hand (for a front-end or Node benchmark)::

    python -m tests.support.replay_server --port 8123 --n 10000 --size 1000

Parameters. Each can be set when the server starts (keyword arguments / command line flags) and
overridden per request in the body's ``input`` (the ``bulk`` test graph takes the same
``{"n": ..., "size": ...}`` input, so one request body works against both servers):

* ``n``: number of ``updates`` events after the ``metadata`` event (so a client sees n + 1).
* ``size``: bytes of each ``updates`` event on the wire, from ``event:`` through the blank line
  (HTTP chunk framing not counted). The payload string is padded so every event has exactly this
  size; sizes below the fixed overhead (51 bytes plus the digits of the event number) give an
  empty payload.
* ``framing``: ``"chunked"`` (default, as the real server: keep-alive, one HTTP chunk per group of
  ``events_per_chunk`` events) or ``"close"`` (no length, ``connection: close``, the body ends
  when the server closes the socket).
* ``events_per_chunk``: events per HTTP chunk with chunked framing; 1 (default) is the real
  server's framing.
* ``interval``: seconds between HTTP chunks (between events, with one event per chunk); 0, the
  default, sends as fast as the socket takes it. Paced streams keep an absolute schedule (chunk
  i at start + (i + 1) * interval) and send overdue chunks together, for load tests that want
  the real server's rate (about 0.001 s per event).

Other routes: ``GET /ok`` answers 200 (the readiness check); ``GET /info`` a minimal info
document; ``GET /runs/<id>`` answers 404 ``{"detail":"Not Found"}`` as the real server does for
a stateless run, and so does anything else. A body that is not JSON, or a bad parameter,
answers 422 ``{"detail": ...}``.

Streams are pre-built once per parameter set (the server's defaults before it reports ready,
others on first use, then cached); unpaced ones are sent in 256 KiB writes. Only the headers and
the ``metadata`` event, which carry a fresh run id, are built per request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

#: Size of each socket write for unpaced streams: large enough that the server does a few dozen
#: syscalls for a 10 MB stream, small enough that 50 concurrent streams do not each buffer 10 MB.
WRITE_SIZE = 256 * 1024
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
FRAMINGS = ("chunked", "close")
_READY_PREFIX = "LISTENING "
# The payload is text, not one repeated byte, but plain ASCII: nothing for JSON to escape.
_FILLER = "The quick brown fox jumps over the lazy dog while the agent thinks about its next step. "


@dataclass(frozen=True)
class StreamSpec:
    """What one response contains; hashable, so pre-built bodies are cached by it."""

    n: int = 10_000
    size: int = 1_000
    framing: str = "chunked"
    events_per_chunk: int = 1
    interval: float = 0.0

    def validated(self) -> StreamSpec:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 0:
            raise ValueError(f"n must be an integer >= 0, not {self.n!r}")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValueError(f"size must be an integer >= 0, not {self.size!r}")
        if self.framing not in FRAMINGS:
            raise ValueError(f"framing must be one of {FRAMINGS}, not {self.framing!r}")
        epc = self.events_per_chunk
        if not isinstance(epc, int) or isinstance(epc, bool) or epc < 1:
            raise ValueError(f"events_per_chunk must be an integer >= 1, not {epc!r}")
        if not isinstance(self.interval, (int, float)) or self.interval < 0:
            raise ValueError(f"interval must be a number >= 0, not {self.interval!r}")
        return self

    def with_overrides(self, overrides: Any) -> StreamSpec:
        """This spec with the known keys of a request's ``input`` applied."""
        if not isinstance(overrides, dict):
            return self
        known = {
            k: overrides[k]
            for k in ("n", "size", "framing", "events_per_chunk", "interval")
            if k in overrides
        }
        return replace(self, **known).validated()


# --------------------------------------------------------------------------- the bytes


def updates_event(i: int, size: int) -> bytes:
    """The i-th ``updates`` event, padded to exactly ``size`` bytes when size allows."""
    head = b'event: updates\r\ndata: {"node_%d":{"payload":"' % i
    tail = b'"}}\r\n\r\n'
    pad = max(0, size - len(head) - len(tail))
    filler = (_FILLER * (pad // len(_FILLER) + 1))[:pad].encode()
    return head + filler + tail


def metadata_event(run_id: str) -> bytes:
    return b'event: metadata\r\ndata: {"run_id":"%s","attempt":1}\r\n\r\n' % run_id.encode()


def frame_chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def response_head(spec: StreamSpec, run_id: str) -> bytes:
    lines = [
        b"HTTP/1.1 200 OK",
        b"server: lgwidget-replay",
        b"location: /runs/%s/stream" % run_id.encode(),
        b"content-location: /runs/%s" % run_id.encode(),
        b"cache-control: no-store",
        b"x-accel-buffering: no",
        b"content-type: text/event-stream; charset=utf-8",
    ]
    if spec.framing == "chunked":
        lines += [b"connection: keep-alive", b"transfer-encoding: chunked"]
    else:
        lines += [b"connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def build_events(spec: StreamSpec) -> list[bytes]:
    """The ``updates`` part of the body, one item per HTTP chunk (already framed if chunked)."""
    events = [updates_event(i, spec.size) for i in range(1, spec.n + 1)]
    if spec.framing == "close":
        return events
    k = spec.events_per_chunk
    return [frame_chunk(b"".join(events[j : j + k])) for j in range(0, len(events), k)]


# Pre-built streams, keyed by the spec without its interval. A long-lived server asked for many
# sizes clears them rather than hoarding memory.
_CACHE_LIMIT = 8
_chunks_cache: dict[StreamSpec, list[bytes]] = {}
_body_cache: dict[StreamSpec, bytes] = {}


def prebuilt_chunks(spec: StreamSpec) -> list[bytes]:
    """The HTTP chunks of the ``updates`` part (events, if close-delimited), built once."""
    key = replace(spec, interval=0.0)
    chunks = _chunks_cache.get(key)
    if chunks is None:
        if len(_chunks_cache) >= _CACHE_LIMIT:
            _chunks_cache.clear()
        chunks = _chunks_cache[key] = build_events(key)
    return chunks


def prebuilt_body(spec: StreamSpec) -> bytes:
    """The whole ``updates`` part of the body as one bytes object, built once."""
    key = replace(spec, interval=0.0)
    body = _body_cache.get(key)
    if body is None:
        if len(_body_cache) >= _CACHE_LIMIT:
            _body_cache.clear()
        body = _body_cache[key] = b"".join(build_events(key))
    return body


def simple_response(status: str, body: dict[str, Any], *, keep_alive: bool) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return (
        b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"connection: %s\r\n\r\n%s"
        % (status.encode(), len(data), b"keep-alive" if keep_alive else b"close", data)
    )


# --------------------------------------------------------------------------- the server


class _BadRequest(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest("chunked request bodies are not supported")
    length = int(headers.get("content-length") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, target.split("?", 1)[0], headers, body


async def _send_stream(writer: asyncio.StreamWriter, spec: StreamSpec) -> None:
    run_id = str(uuid.uuid4())
    first = metadata_event(run_id)
    if spec.framing == "chunked":
        first = frame_chunk(first)
    writer.write(response_head(spec, run_id) + first)
    if spec.interval:
        await _send_paced(writer, prebuilt_chunks(spec), spec.interval)
    else:
        body = memoryview(prebuilt_body(spec))
        for start in range(0, len(body), WRITE_SIZE):
            writer.write(body[start : start + WRITE_SIZE])
            await writer.drain()
    if spec.framing == "chunked":
        writer.write(b"0\r\n\r\n")
    await writer.drain()


async def _send_paced(writer: asyncio.StreamWriter, chunks: list[bytes], interval: float) -> None:
    """Chunk i goes out at start + (i + 1) * interval, on an absolute schedule.

    ``asyncio.sleep`` overshoots (by about 0.1-1 ms, more under load), so sleeping ``interval``
    between chunks would undershoot the rate; when the server falls behind, every overdue chunk
    goes out in one write, as a busy real server bursts.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while sent < len(chunks):
        delay = start + (sent + 1) * interval - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        due = min(len(chunks), max(sent + 1, int((loop.time() - start) / interval)))
        writer.write(b"".join(chunks[sent:due]) if due - sent > 1 else chunks[sent])
        await writer.drain()
        sent = due


async def _handle(
    defaults: StreamSpec, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                method, path, headers, body = await _read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the client closed its keep-alive connection
            except (_BadRequest, ValueError, asyncio.LimitOverrunError) as exc:
                writer.write(
                    simple_response("400 Bad Request", {"detail": str(exc)}, keep_alive=False)
                )
                await writer.drain()
                return
            keep_alive = headers.get("connection", "").lower() != "close"
            if method == "POST" and path == "/runs/stream":
                try:
                    request = json.loads(body) if body.strip() else {}
                    spec = defaults.with_overrides(
                        request.get("input") if isinstance(request, dict) else None
                    )
                except (ValueError, TypeError) as exc:
                    writer.write(
                        simple_response(
                            "422 Unprocessable Entity", {"detail": str(exc)}, keep_alive=keep_alive
                        )
                    )
                else:
                    await _send_stream(writer, spec)
                    keep_alive = keep_alive and spec.framing == "chunked"
            elif method == "GET" and path == "/ok":
                writer.write(simple_response("200 OK", {"ok": True}, keep_alive=keep_alive))
            elif method == "GET" and path == "/info":
                writer.write(
                    simple_response(
                        "200 OK", {"version": "replay", "flags": {}}, keep_alive=keep_alive
                    )
                )
            else:
                writer.write(
                    simple_response("404 Not Found", {"detail": "Not Found"}, keep_alive=keep_alive)
                )
            await writer.drain()
            if not keep_alive:
                return
    except ConnectionError:
        return  # the client went away mid-stream: nothing to clean up
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def serve(host: str, port: int, defaults: StreamSpec) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(defaults, r, w),
        host,
        port,
        backlog=512,
        limit=1024 * 1024,
    )
    bound = server.sockets[0].getsockname()
    # Build the default stream before announcing "ready", so no timed request pays for it.
    if defaults.interval:
        prebuilt_chunks(defaults)
    else:
        prebuilt_body(defaults)
    print(f"{_READY_PREFIX}http://{bound[0]}:{bound[1]}", flush=True)
    async with server:
        await server.serve_forever()


def _exit_when_parent_goes() -> None:
    """Exit when stdin reaches EOF: the parent closed it or died, so no server is ever orphaned."""

    def watch() -> None:
        with contextlib.suppress(Exception):
            while sys.stdin.buffer.read(65536):
                pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    parser.add_argument("--n", type=int, default=StreamSpec.n)
    parser.add_argument("--size", type=int, default=StreamSpec.size)
    parser.add_argument("--framing", choices=FRAMINGS, default=StreamSpec.framing)
    parser.add_argument("--events-per-chunk", type=int, default=StreamSpec.events_per_chunk)
    parser.add_argument("--interval", type=float, default=StreamSpec.interval)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="exit when stdin closes (used by replay_server())",
    )
    args = parser.parse_args(argv)
    defaults = StreamSpec(
        args.n, args.size, args.framing, args.events_per_chunk, args.interval
    ).validated()
    if args.exit_on_stdin_eof:
        _exit_when_parent_goes()
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, defaults))


# --------------------------------------------------------------------------- the client side


@dataclass(frozen=True)
class ReplayServer:
    """A running replay server: ``url`` is ``http://127.0.0.1:PORT``."""

    url: str
    port: int
    pid: int
    defaults: StreamSpec


def _read_ready_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"replay server did not start within {timeout:.0f} s")
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if ready:
            byte = os.read(proc.stdout.fileno(), 1)
            if not byte:
                raise RuntimeError(
                    f"replay server exited with code {proc.wait()} before "
                    "listening (see its stderr above)"
                )
            line += byte
    text = line.decode().strip()
    if not text.startswith(_READY_PREFIX):
        raise RuntimeError(f"unexpected first line from the replay server: {text!r}")
    return text[len(_READY_PREFIX) :]


def _wait_answers(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll ``GET /ok`` (plain http.client: no proxy settings apply) until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"replay server exited with code {proc.returncode}")
        conn = http.client.HTTPConnection(host, port, timeout=1.0)
        try:
            conn.request("GET", "/ok")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        if time.monotonic() > deadline:
            raise TimeoutError(f"replay server on port {port} does not answer GET /ok")
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """terminate, wait; kill if it lingers. Safe to call on a process that already exited."""
    for pipe in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if pipe is not None:
                pipe.close()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def replay_server(
    *,
    n: int = StreamSpec.n,
    size: int = StreamSpec.size,
    framing: str = StreamSpec.framing,
    events_per_chunk: int = StreamSpec.events_per_chunk,
    interval: float = StreamSpec.interval,
    host: str = "127.0.0.1",
    loop: str = "asyncio",
    timeout: float = START_TIMEOUT,
) -> Iterator[ReplayServer]:
    """Start a replay server process on a free port, wait until it answers, stop it on exit.

    The keyword arguments are the defaults of every request (a request's ``input`` overrides
    them). The process is always terminated and waited for, and it also exits by itself if this
    process dies (it watches its stdin).
    """
    defaults = StreamSpec(n, size, framing, events_per_chunk, interval).validated()
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--host",
        host,
        "--port",
        "0",
        "--n",
        str(n),
        "--size",
        str(size),
        "--framing",
        framing,
        "--events-per-chunk",
        str(events_per_chunk),
        "--interval",
        repr(float(interval)),
        "--loop",
        loop,
        "--exit-on-stdin-eof",
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        url = _read_ready_line(proc, timeout)
        port = int(url.rsplit(":", 1)[1])
        _wait_answers(host, port, proc, timeout)
        yield ReplayServer(url=url, port=port, pid=proc.pid, defaults=defaults)
    finally:
        _stop(proc)


if __name__ == "__main__":
    main()
