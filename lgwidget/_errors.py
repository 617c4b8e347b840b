"""The exceptions lgwidget raises, all under one root.

    LGWidgetError
    ├── ConnectError        the server could not be reached (refused, unknown host, connect timeout)
    ├── APIStatusError      the server answered with an HTTP error (.status_code, .detail)
    ├── ProtocolError       the answer is not an event stream of JSON events
    ├── DisconnectedError   the stream broke off after it started (reset, read timeout)
    └── RunError            a run that ended with an error (a batch's result for that input)

An ``error`` *event* in the stream (a node raised, bad input) is not an exception: the client
yields it as ``StreamPart("error", {...})``, as the SDK does.
"""

from __future__ import annotations


class LGWidgetError(Exception):
    """Base class of every lgwidget error. ``url`` is the request's URL when one was made."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class ConnectError(LGWidgetError):
    """The server could not be reached."""


class APIStatusError(LGWidgetError):
    """The server answered with an HTTP error status; ``detail`` is its explanation, if any."""

    def __init__(
        self, message: str, *, url: str | None = None, status_code: int, detail: str | None
    ) -> None:
        super().__init__(message, url=url)
        self.status_code = status_code
        self.detail = detail


class ProtocolError(LGWidgetError):
    """The server's answer is not a stream of JSON Server-Sent Events."""

    def __init__(self, message: str, *, url: str | None = None, status_code: int | None = None):
        super().__init__(message, url=url)
        self.status_code = status_code


class DisconnectedError(LGWidgetError):
    """The stream broke off before the server closed it; the parts received so far stand."""


class RunError(LGWidgetError):
    """A run ended with an error: ``error`` is the run's ``{"error", "message", "node"?}``.
    A batch's ``results`` hold one for each input whose run failed."""

    def __init__(self, message: str, *, error: dict[str, object] | None = None,
                 url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.error = error
