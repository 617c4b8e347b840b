"""A tiny real HTTP server on 127.0.0.1 for faults a real LangGraph server cannot produce on demand.

A test gives a *handler*; the server reads each request and hands it over with a
:class:`Connection` that sends raw bytes, so the test decides exactly what goes on the wire
(partial frames, pauses, a reset, nothing at all)::

    from tests.support.loopback import (
        HEARTBEAT, LAST_CHUNK, chunk, serve, sse_event, sse_response_head,
    )

    async def handler(request, conn):
        await conn.send(sse_response_head())                    # chunked, like the real server
        await conn.send(chunk(sse_event("metadata", {"run_id": "r1"})))
        await conn.reset()                                      # RST mid-stream

    async with serve(handler) as srv:                           # or plain ``with``
        ... lgwidget.Client(srv.url) ...
        assert srv.requests[0].json()["assistant_id"] == "agent"

The server runs an asyncio loop in a background thread (port 0: a free port). One request per
connection: every response head these helpers build says ``Connection: close``.

After the handler returns, the server flushes, sends FIN (unless the handler already closed or
reset the connection), then waits for the *client* to close its end. So a connection the client
leaks stays "open" here, and leaving ``serve`` raises ``AssertionError`` when one is still open
(``check_closed=True``, the default). Leaving ``serve`` also re-raises the first exception a
handler raised (a client that goes away mid-write is not one: see :attr:`Connection.peer_gone`),
and always stops the thread and closes every socket, even when the test body failed.

Handlers run on the server's loop: an ``async def`` may ``await asyncio.sleep``; a plain
function may call :meth:`Connection.write` but must not block. In an ``async`` test, prefer
``async with serve(...)``: its exit lets the client's loop run while it waits for the client to
close its sockets (a plain ``with`` blocks that loop while it waits).

Wire format helpers follow langgraph-api: ``event: X\\r\\ndata: <compact JSON>\\r\\n\\r\\n``,
comments ``: heartbeat\\r\\n\\r\\n``, chunked transfer encoding, no end event.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import inspect
import json
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HEARTBEAT",
    "LAST_CHUNK",
    "SSE_CONTENT_TYPE",
    "Connection",
    "LoopbackServer",
    "Request",
    "chunk",
    "http_response",
    "serve",
    "sse_event",
    "sse_response_head",
]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
#: The real server's keep-alive comment (sse-starlette ``ServerSentEvent(comment="heartbeat")``).
HEARTBEAT = b": heartbeat\r\n\r\n"
#: The end of a chunked body: what a clean end of a run looks like on the wire.
LAST_CHUNK = b"0\r\n\r\n"

Handler = Callable[["Request", "Connection"], "Awaitable[None] | None"]


# --------------------------------------------------------------------------- wire helpers


def sse_event(event: str, data_obj: Any, *, id: str | None = None) -> bytes:
    """One event as langgraph-api writes it: compact JSON, raw UTF-8, CRLF line ends."""
    data = json.dumps(data_obj, separators=(",", ":"), ensure_ascii=False).encode()
    out = b"event: " + event.encode() + b"\r\ndata: " + data + b"\r\n"
    if id is not None:
        out += b"id: " + id.encode() + b"\r\n"
    return out + b"\r\n"


def chunk(data: bytes) -> bytes:
    """``data`` framed as one HTTP/1.1 chunk (empty data would end the body: use LAST_CHUNK)."""
    if not data:
        raise ValueError("an empty chunk ends the body; send LAST_CHUNK for that")
    return b"%x\r\n" % len(data) + data + b"\r\n"


def _head(status: int, headers: Iterable[tuple[str, str]]) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def sse_response_head(
    status: int = 200,
    content_type: str | None = SSE_CONTENT_TYPE,
    extra_headers: Iterable[tuple[str, str]] | dict[str, str] = (),
    *,
    chunked: bool = True,
) -> bytes:
    """A response head with no Content-Length and ``Connection: close``.

    ``chunked=True`` (the real server's framing): send the body as :func:`chunk` s and end it
    with :data:`LAST_CHUNK`; a close before that is an "incomplete chunked read" for the client.
    ``chunked=False``: the body ends when the server closes (close-delimited).
    ``content_type=None`` leaves the header out.
    """
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("content-type", content_type))
    if chunked:
        headers.append(("transfer-encoding", "chunked"))
    headers.append(("connection", "close"))
    items = extra_headers.items() if isinstance(extra_headers, dict) else extra_headers
    headers += list(items)
    return _head(status, headers)


def http_response(
    status: int,
    body: bytes | str = b"",
    content_type: str | None = "application/json",
    extra_headers: Iterable[tuple[str, str]] | dict[str, str] = (),
) -> bytes:
    """A whole response with Content-Length and ``Connection: close`` (an error page, JSON)."""
    if isinstance(body, str):
        body = body.encode()
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("content-type", content_type))
    headers += [("content-length", str(len(body))), ("connection", "close")]
    items = extra_headers.items() if isinstance(extra_headers, dict) else extra_headers
    headers += list(items)
    return _head(status, headers) + body


# --------------------------------------------------------------------------- requests


@dataclass
class Request:
    """A request as received. ``headers`` keys are lower case (a repeated header: last wins);
    ``raw_headers`` keeps every (name, value) pair in order."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


async def _read_request(reader: asyncio.StreamReader) -> Request:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    raw = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            raw.append((name.strip().lower(), value.strip()))
    headers = dict(raw)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", 0)))
    return Request(method, path, headers, body, raw)


# --------------------------------------------------------------------------- connections


class Connection:
    """One accepted connection, as a handler sees it. Every method runs on the server loop."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        # drain() then returns only once every byte is handed to the kernel: a write is a write.
        writer.transport.set_write_buffer_limits(high=0)
        self.request: Request | None = None
        #: Bytes handed to the kernel (or buffered by :meth:`write`) so far.
        self.bytes_sent = 0
        #: The client closed or reset its end (seen by a read, or by a failed write).
        self.peer_gone = False
        #: When the server noticed :attr:`peer_gone` (``time.monotonic()``), else None.
        self.peer_gone_at: float | None = None
        self._ended = False  # FIN sent or reset: nothing more goes out

    def write(self, data: bytes) -> None:
        """Buffer ``data`` for sending (for plain-function handlers); flushed after the handler."""
        self._writer.write(data)
        self.bytes_sent += len(data)

    async def send(self, data: bytes) -> None:
        """Send ``data`` now and wait until the kernel has taken all of it.

        Raises ``ConnectionError`` if the client is gone (which marks :attr:`peer_gone`).
        """
        self.write(data)
        await self.flush()

    async def flush(self) -> None:
        try:
            await self._writer.drain()
        except ConnectionError:
            self._mark_peer_gone()
            raise

    async def close(self) -> None:
        """End the response: flush, then send FIN (half-close). The server still waits for the
        client to close its end, to notice a client that leaks its connection."""
        if self._ended:
            return
        with contextlib.suppress(ConnectionError):
            await self.flush()
        self._ended = True
        if not self._writer.transport.is_closing():
            with contextlib.suppress(OSError):
                self._writer.write_eof()

    async def reset(self) -> None:
        """Flush what was sent, then abort the connection with RST (SO_LINGER 0)."""
        with contextlib.suppress(ConnectionError):
            await self.flush()
        self._ended = True
        sock = self._writer.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._writer.transport.abort()
        await asyncio.sleep(0)  # let the loop close the socket now

    async def wait_peer_closed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the client to close its end (EOF or reset); any bytes it
        sends meanwhile are discarded. True if it did."""
        if self.peer_gone:
            return True
        try:
            await asyncio.wait_for(self._read_to_eof(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def _read_to_eof(self) -> None:
        try:
            while await self._reader.read(65536):
                pass
        except (ConnectionError, OSError):
            pass
        self._mark_peer_gone()

    def _mark_peer_gone(self) -> None:
        if not self.peer_gone:
            self.peer_gone = True
            self.peer_gone_at = time.monotonic()

    def _abort(self) -> None:
        self._writer.transport.abort()


# --------------------------------------------------------------------------- the server


class LoopbackServer:
    """What ``serve`` yields: :attr:`url`, :attr:`requests` (in arrival order),
    :attr:`connections` (every accepted :class:`Connection`), :attr:`errors` (handler bugs)."""

    #: How long the server waits, after a response, for the client to close its end.
    LINGER = 30.0

    def __init__(self, handler: Handler, host: str = "127.0.0.1") -> None:
        self._handler = handler
        self._host = host
        self.url = ""
        self.port = 0
        self.requests: list[Request] = []
        self.connections: list[Connection] = []
        self.errors: list[BaseException] = []
        self._open: set[Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    @property
    def open_connections(self) -> int:
        """Connections not finished yet: handler running, or the client has not closed its end."""
        return len(self._open)

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Block until no connection is open; True if that happened within ``timeout``."""
        deadline = time.monotonic() + timeout
        while self._open and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._open

    async def await_idle(self, timeout: float = 2.0) -> bool:
        """:meth:`wait_idle` for async code: lets the caller's loop run while waiting."""
        deadline = time.monotonic() + timeout
        while self._open and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return not self._open

    # -- lifecycle

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="loopback-server", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._startup_error is not None:
            self._thread.join(5)
            raise self._startup_error
        if not self._ready.is_set():
            raise RuntimeError("loopback server did not start")

    def stop(self) -> None:
        """Abort every connection, close the listener, end the loop and join its thread."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        self._thread = None
        if thread.is_alive():
            raise RuntimeError("loopback server thread did not stop (a handler blocks its loop?)")

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # startup failed: report it to start()
            if not self._ready.is_set():
                self._startup_error = exc
                self._ready.set()
            else:
                self.errors.append(exc)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._on_client, self._host, 0)
        self.port = server.sockets[0].getsockname()[1]
        self.url = f"http://{self._host}:{self.port}"
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            for conn in list(self._open):
                conn._abort()
            await server.wait_closed()
            for _ in range(3):  # let transports run connection_lost (closes the sockets)
                await asyncio.sleep(0)

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Connection(reader, writer)
        self.connections.append(conn)
        self._open.add(conn)
        try:
            try:
                request = await _read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the client went away before it finished its request
            conn.request = request
            self.requests.append(request)
            try:
                result = self._handler(request, conn)
                if inspect.isawaitable(result):
                    await result
                await conn.close()  # no-op if the handler already closed or reset
            except ConnectionError:
                conn._mark_peer_gone()  # the client left mid-response: a fault test, not a bug
            if not conn.peer_gone:
                await conn.wait_peer_closed(self.LINGER)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            self.errors.append(exc)
        finally:
            conn._abort()
            self._open.discard(conn)
            self._tasks.discard(task)


class serve:  # lower case: used like a function, ``with serve(handler) as srv``
    """Run ``handler`` behind a fresh loopback server; ``with`` / ``async with`` it.

    On a clean exit it waits up to ``close_timeout`` s for the client to close every connection,
    then stops the server; it raises the first handler error, else ``AssertionError`` if a
    connection was still open. On an exit by exception it only stops the server.
    """

    def __init__(
        self, handler: Handler, *, check_closed: bool = True, close_timeout: float = 2.0
    ) -> None:
        self._server = LoopbackServer(handler)
        self._check_closed = check_closed
        self._close_timeout = close_timeout

    def __enter__(self) -> LoopbackServer:
        self._server.start()
        return self._server

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        idle = True
        if exc_type is None and self._check_closed:
            idle = self._server.wait_idle(self._close_timeout)
        self._finish(exc_type is None, idle)

    async def __aenter__(self) -> LoopbackServer:
        return self.__enter__()

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        idle = True
        if exc_type is None and self._check_closed:
            idle = await self._server.await_idle(self._close_timeout)
        self._finish(exc_type is None, idle)

    def _finish(self, clean: bool, idle: bool) -> None:
        srv = self._server
        still_open = srv.open_connections
        srv.stop()
        if not clean:
            return
        if srv.errors:
            raise srv.errors[0]
        if not idle:
            raise AssertionError(
                f"{still_open} connection(s) to {srv.url} still open {self._close_timeout} s "
                "after the test: the client did not close them"
            )
