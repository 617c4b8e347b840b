"""The wire: a streaming run, ``POST {url}/runs/stream`` (stateless) or
``POST {url}/threads/{thread_id}/runs/stream``, read as Server-Sent Events; and the few JSON
calls a thread needs (create one, read its history).

Names and defaults follow ``langgraph_sdk``'s ``client.runs.stream(thread_id, ...)``; the run's
parameters are :class:`~lgwidget._request.RunRequest`'s. The events are decoded by the one loop
in ``_decode``, which the widget shares.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx
from httpx_sse import EventSource

from ._decode import RawEvent, decode, excerpt, redact
from ._errors import APIStatusError, ConnectError, DisconnectedError, LGWidgetError, ProtocolError
from ._parts import StreamPart
from ._request import RunRequest

#: Where ``lgwidget demo`` and ``langgraph dev`` serve when no URL is given anywhere.
DEFAULT_URL = "http://127.0.0.1:2024"
URL_ENV_VAR = "LANGGRAPH_API_URL"
#: Looked up in this order when no ``api_key`` is passed, as the SDK does.
API_KEY_ENV_VARS = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
#: The SDK's timeouts. The read timeout spans one read, and the server sends a heartbeat
#: every 5 s, so a long quiet run does not time out.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5, read=300, write=300, pool=5)
# An error body is read for its message only; a proxy's 50 MB page must not be held in memory.
_ERROR_BODY_LIMIT = 64 * 1024
# A graph is one small answer: no heartbeats keep a slow one alive, so it need not wait long.
_GRAPH_TIMEOUT = httpx.Timeout(connect=5, read=30, write=30, pool=5)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings, built once: loading the CA bundle costs ~28 ms, which
    every run (every RunWidget, every %%lgrun cell) would otherwise pay again."""
    return httpx.create_ssl_context()


def resolve_url(url: str | None) -> str:
    """The argument, else ``$LANGGRAPH_API_URL``, else :data:`DEFAULT_URL`; no trailing slash."""
    resolved = (url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL).rstrip("/")
    if not resolved.startswith(("http://", "https://")):
        raise ValueError(f"the server URL must start with http:// or https://, not {resolved!r}")
    return resolved


def public_url(url: str) -> str:
    """The URL without user info, query or fragment: what may be shown (messages, the view)."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(userinfo=b"", query=None, fragment=None)).rstrip("/")


def resolve_api_key(api_key: str | None) -> str | None:
    """The argument, else the first of :data:`API_KEY_ENV_VARS` that is set, stripped."""
    key = api_key or next((os.environ[v] for v in API_KEY_ENV_VARS if os.environ.get(v)), None)
    if key is None:
        return None
    # A key read from a file often ends in a newline, which no HTTP header may carry.
    key = key.strip()
    if not key.isprintable():
        raise ValueError("the API key has characters an HTTP header cannot carry")
    return key or None


class Client:
    """An HTTP client for one Agent Server, holding one connection pool.

    Use it as an async context manager::

        async with lgwidget.Client("http://127.0.0.1:2024") as client:
            async for part in client.stream("agent", input={"messages": [...]}):
                print(part.event, part.data)
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | float | None = None,
    ) -> None:
        # Credentials in the URL go into an auth header: the URL itself is shown in messages.
        parsed = httpx.URL(resolve_url(url))
        auth = httpx.BasicAuth(parsed.username, parsed.password) if parsed.userinfo else None
        self.url = public_url(str(parsed))
        all_headers = dict(headers or {})
        key = resolve_api_key(api_key)
        if key:
            all_headers["x-api-key"] = key
        #: Every credential this client sends, so none of them is ever shown back.
        self.secrets = _secrets(key, all_headers, parsed.username, parsed.password)
        self._http = httpx.AsyncClient(
            base_url=self.url,
            headers=all_headers,
            auth=auth,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            verify=_tls_context(),
        )

    def __repr__(self) -> str:  # never shows headers: they may carry a key
        return f"Client(url={self.url!r})"

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def stream(self, *args: Any, **params: Any) -> AsyncIterator[StreamPart]:
        """Stream a run as :class:`StreamPart` s, like the SDK's
        ``client.runs.stream(thread_id, assistant_id, ...)``: ``stream("agent", input=...)``
        is a stateless run, ``stream(thread_id, "agent", ...)`` (or ``thread_id=``) a run on
        that thread (see :meth:`create_thread`), ``stream(None, "agent", ...)`` as the SDK.

        ``params`` are the SDK's names (see :class:`~lgwidget._request.RunRequest`): input,
        stream_mode (default ``"updates"``), command (``{"resume": value}`` answers an
        interrupt of a thread run), checkpoint_id, config, context, metadata,
        stream_subgraphs, interrupt_before, interrupt_after, on_disconnect (default
        ``"cancel"``), ... An ``error`` event is yielded, not raised; HTTP and transport
        failures raise :class:`LGWidgetError` subclasses.
        """
        request = RunRequest.make(*_thread_and_assistant(args, params), **params)
        return decode(self.events(request), self.endpoint(request), self.secrets)

    def endpoint(self, request: RunRequest) -> str:
        """The URL a request streams from (shown in messages; no credentials)."""
        return f"{self.url}{request.path()}"

    async def events(self, request: RunRequest) -> AsyncGenerator[RawEvent, None]:
        """The run's events, ``(event, JSON text, id)``, not yet decoded: the widget forwards
        the text to the browser as it came. Failures raise :class:`LGWidgetError` subclasses."""
        url = self.endpoint(request)
        received = 0
        with self._failures(url, lambda: received):
            async with self._http.stream(
                "POST",
                request.path(),
                json=request.payload(),
                headers={"accept": "text/event-stream", "cache-control": "no-store"},
            ) as response:
                await _check_response(response, url, self.secrets)
                async for sse in EventSource(response).aiter_sse():
                    received += 1
                    yield sse.event, sse.data, sse.id or None

    async def create_thread(self, *, metadata: Mapping[str, Any] | None = None,
                            thread_id: str | None = None,
                            if_exists: str | None = None) -> dict[str, Any]:
        """A new thread, as the SDK's ``client.threads.create(...)``: ``{"thread_id", ...}``."""
        body = {"metadata": metadata, "thread_id": thread_id, "if_exists": if_exists}
        thread: dict[str, Any] = await self._json(
            "POST", "/threads", {k: v for k, v in body.items() if v is not None})
        return thread

    async def get_history(self, thread_id: str, *, limit: int = 10, before: Any = None,
                          metadata: Mapping[str, Any] | None = None,
                          checkpoint: Any = None) -> list[dict[str, Any]]:
        """The thread's checkpoints, newest first, as the SDK's
        ``client.threads.get_history(...)``: each ``{"values", "next", "tasks", "metadata",
        "created_at", "checkpoint": {"checkpoint_id", ...}, "parent_checkpoint"}``."""
        body = {"limit": limit, "before": before, "metadata": metadata, "checkpoint": checkpoint}
        history: list[dict[str, Any]] = await self._json(
            "POST", f"/threads/{quote(thread_id, safe='')}/history",
            {k: v for k, v in body.items() if v is not None})
        return history

    async def metrics(self) -> dict[str, Any]:
        """The server's capacity and load, ``GET /metrics?format=json``: ``{"workers": {"max",
        "active", "available"}, "queue": {"n_pending", "n_running", ...}, ...}``."""
        found: dict[str, Any] = await self._json("GET", "/metrics", params={"format": "json"})
        return found

    async def _json(self, method: str, path: str, body: Any = None,
                    params: Mapping[str, Any] | None = None, timeout: Any = None) -> Any:
        """One request answered with JSON; failures raise as a stream's do."""
        url = f"{self.url}{path}"
        extra = {} if timeout is None else {"timeout": timeout}
        with self._failures(url, lambda: 0):
            async with self._http.stream(method, path, json=body, params=params,
                                         **extra) as response:
                await _check_response(response, url, self.secrets, "application/json")
                try:
                    return json.loads(await response.aread())
                except ValueError:
                    raise ProtocolError(f"the answer from {method} {url} is not JSON",
                                        url=url) from None

    @contextlib.contextmanager
    def _failures(self, url: str, received: Callable[[], int]) -> Iterator[None]:
        """httpx's failures as :class:`LGWidgetError` s that say where and when, and never
        quote a credential."""
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectError(f"cannot connect to {url}: {_reason(exc)}", url=url) from exc
        except httpx.ReadTimeout as exc:
            raise DisconnectedError(
                f"no data from {url} for {self._http.timeout.read} s "
                f"after {received()} events; the stream was closed",
                url=url,
            ) from exc
        except httpx.LocalProtocolError:
            # Its message quotes the offending header, which may be a credential.
            raise LGWidgetError(
                f"the request to {url} could not be sent: a header is not valid HTTP", url=url
            ) from None
        except httpx.TransportError as exc:
            where = f"after {received()} events" if received() else "before any event"
            raise DisconnectedError(
                f"connection to {url} lost {where}: {_reason(exc)}", url=url
            ) from exc
        except httpx.DecodingError as exc:
            raise ProtocolError(
                f"the answer from {url} could not be decoded: {_reason(exc)}", url=url
            ) from exc

    async def get_graph(self, assistant_id: str, *, xray: int | bool = False) -> dict[str, Any]:
        """The assistant's graph, as the SDK's ``assistants.get_graph``:
        ``{"nodes": [{"id", "type", "data": {"name"}}, ...], "edges": [{"source", "target",
        "conditional"?}, ...]}``. ``xray`` (True, or a depth) draws subgraphs as their own
        nodes, prefixed with their parent's name (``research:search``). A graph the server
        cannot draw is an :class:`APIStatusError` with status 422."""
        path = f"/assistants/{quote(assistant_id, safe='')}/graph"
        graph = await self._json("GET", path, params={"xray": xray}, timeout=_GRAPH_TIMEOUT)
        if not isinstance(graph, dict):
            url = f"{self.url}{path}"
            raise ProtocolError(f"the answer from GET {url} is not a JSON object", url=url)
        return graph


def _thread_and_assistant(args: tuple[Any, ...], params: dict[str, Any]) -> tuple[Any, ...]:
    """``(assistant_id,)`` or the SDK's ``(thread_id, assistant_id)``, as (assistant_id,) with
    ``thread_id`` moved into ``params``."""
    if len(args) == 2:
        thread_id, assistant_id = args
        if thread_id is not None:
            if params.get("thread_id") not in (None, thread_id):
                raise TypeError("thread_id given twice")
            params["thread_id"] = thread_id
        return (assistant_id,)
    if len(args) != 1:
        raise TypeError("stream() takes assistant_id, or thread_id and assistant_id as the SDK")
    return args


def stream(
    *args: Any,
    url: str | None = None,
    api_key: str | None = None,
    headers: Mapping[str, str] | None = None,
    **params: Any,
) -> AsyncIterator[StreamPart]:
    """One run with a client of its own, closed when the stream ends::

        async for part in lgwidget.stream("agent", input={...}, stream_mode="updates"):
            ...

    ``lgwidget.stream(thread_id, "agent", ...)`` runs on a thread, as the SDK's
    ``runs.stream``. ``url``, ``api_key`` and ``headers`` are :class:`Client`'s; ``params``
    those of :meth:`Client.stream`.
    """
    request = RunRequest.make(*_thread_and_assistant(args, params), **params)  # fails here
    return _stream_once(request, url, api_key, headers)


async def _stream_once(
    request: RunRequest,
    url: str | None,
    api_key: str | None,
    headers: Mapping[str, str] | None,
) -> AsyncIterator[StreamPart]:
    async with Client(url, api_key=api_key, headers=headers) as client:
        async for part in decode(client.events(request), client.endpoint(request), client.secrets):
            yield part


async def _check_response(
    response: httpx.Response, url: str, secrets: tuple[str, ...],
    expected: str = "text/event-stream",
) -> None:
    """Raise for an HTTP error, or for an answer that is not of the ``expected`` type.

    The status comes first: httpx-sse alone would only complain about the content type.
    """
    content_type = response.headers.get("content-type", "").partition(";")[0].strip()
    if response.status_code < 400 and content_type == expected:
        return
    body = await _read_limited(response)
    # A server or proxy that echoes the request must not put a credential in our errors.
    body = redact(body, secrets)
    status = f"{response.status_code} {response.reason_phrase}".strip()
    method = response.request.method
    if response.status_code >= 400:
        detail = _detail(body)
        raise APIStatusError(
            f"{status} from {method} {url}: {detail or excerpt(body) or 'no details'}",
            url=url,
            status_code=response.status_code,
            detail=detail,
        )
    raise ProtocolError(
        f"expected {_KINDS.get(expected, expected)} from {method} {url}, got {status} "
        f"({content_type or 'no content type'}): {excerpt(body) or 'empty body'}",
        url=url,
        status_code=response.status_code,
    )


_KINDS = {"text/event-stream": "an event stream", "application/json": "JSON"}


async def _read_limited(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _ERROR_BODY_LIMIT:
            break
    return b"".join(chunks)[:_ERROR_BODY_LIMIT].decode(errors="replace")


_KINDS = {"text/event-stream": "an event stream", "application/json": "JSON"}

# Headers whose values are credentials, whatever else the user sends.
_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key")


def _secrets(
    api_key: str | None, headers: Mapping[str, str], username: str, password: str
) -> tuple[str, ...]:
    found = [api_key] if api_key else []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _CREDENTIAL_HEADERS or any(w in lowered for w in ("key", "token", "secret")):
            found.append(value)
            scheme, _, token = value.partition(" ")  # "Bearer <token>": the token alone too
            if token and scheme.isalpha():
                found.append(token)
            for pair in value.split(";"):  # "a=<value>; b=<value>": each cookie's value too
                _, equals, part = pair.strip().partition("=")
                if equals:
                    found.append(part)
    if password:
        found.append(password)
    if username or password:  # http://<token>@host is sent as Basic base64("<token>:") too
        found.append(base64.b64encode(f"{username}:{password}".encode()).decode())
    # Longest first, so a value is replaced whole before a part of it; short values are not
    # secrets worth hiding and would mangle the text.
    return tuple(sorted({s for s in found if len(s) >= 4}, key=len, reverse=True))


def _detail(body: str) -> str | None:
    """The server's ``{"detail": ...}`` explanation, as text."""
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return None
    if detail is None:
        return None
    return detail if isinstance(detail, str) else json.dumps(detail)


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


__all__ = ["DEFAULT_URL", "Client", "stream"]
