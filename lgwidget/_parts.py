"""The unit of a run's stream, shaped as the SDK's ``langgraph_sdk.schema.StreamPart``."""

from __future__ import annotations

from typing import Any, NamedTuple


class StreamPart(NamedTuple):
    """One Server-Sent Event of a run: its name, its JSON-decoded data, and its id if any."""

    event: str
    data: Any
    id: str | None = None
