"""The chunk model: what a run's stream parts mean, as pure functions (no I/O, no widget).

Event names are the server's: ``updates``, ``values``, ``messages``, ``custom``, ``debug``, …
With ``stream_subgraphs`` a subgraph's events carry its namespace after a bar:
``updates|tools:<task-id>`` (nested subgraphs: ``updates|outer:<id>|inner:<id>``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from ._parts import StreamPart

#: The key under which a graph's interrupts come in ``updates`` and ``values``: not a node.
INTERRUPT = "__interrupt__"
_SUMMARY_NODES = 15  # nodes named at each end of a long run's summary


class Update(NamedTuple):
    """One node's update from ``stream_mode="updates"``."""

    node: str
    data: Any
    namespace: tuple[str, ...] = ()
    """Where it ran: () for the root graph, ``("tools:<task-id>",)`` inside a subgraph."""


def split_event(event: str) -> tuple[str, tuple[str, ...]]:
    """``"updates|tools:1f0…"`` → ``("updates", ("tools:1f0…",))``."""
    mode, *namespace = event.split("|")
    return mode, tuple(namespace)


def updates(chunks: Iterable[StreamPart]) -> list[Update]:
    """Every node update of the run, in order, subgraphs included."""
    return list(_iter_updates(chunks))


def _iter_updates(chunks: Iterable[StreamPart], reverse: bool = False) -> Iterator[Update]:
    for event, data, _ in chunks:
        if event.startswith("updates") and isinstance(data, dict):
            mode, namespace = split_event(event)
            if mode == "updates":
                items = reversed(data.items()) if reverse else data.items()
                yield from (Update(node, value, namespace) for node, value in items
                            if node != INTERRUPT)


def _label(update: Update) -> str:
    if not update.namespace:
        return update.node
    return f"{update.node} (in {_short_ns(update.namespace)})"


def by_node(chunks: Iterable[StreamPart]) -> dict[str, list[Any]]:
    """Each node's updates in order, keyed by node name in the order nodes first ran."""
    grouped: dict[str, list[Any]] = {}
    for update in updates(chunks):
        grouped.setdefault(update.node, []).append(update.data)
    return grouped


def final_state(chunks: Sequence[StreamPart]) -> Any:
    """The root graph's last state from ``stream_mode="values"``, or None."""
    return next((p.data for p in reversed(chunks) if p.event == "values"), None)


def interrupts(chunks: Iterable[StreamPart]) -> list[Any]:
    """The interrupts the run stopped on (``{"value": ..., "id": ...}``), each once, whichever
    stream modes carried them: ``updates`` and ``values`` (an ``__interrupt__`` key), ``tasks``
    and ``debug`` (a task result's ``interrupts``)."""
    found: dict[Any, Any] = {}
    for event, data, _ in chunks:
        if type(data) is not dict:
            continue
        mode = event.partition("|")[0]
        if mode in ("updates", "values"):
            given = data.get(INTERRUPT)
        elif mode == "tasks":
            given = data.get("interrupts")
        elif mode == "debug" and data.get("type") == "task_result":
            given = (data.get("payload") or {}).get("interrupts")
        else:
            continue
        for value in _as_list(given) if given else ():
            # The id tells repeats apart; one that is not text (a malformed stream) is no id.
            given_id = value.get("id") if isinstance(value, dict) else None
            key = given_id if isinstance(given_id, str) and given_id else repr(value)
            found.setdefault(key, value)
    return list(found.values())


def failed_node(chunks: Sequence[StreamPart]) -> str | None:
    """The node of the last task that ended in an error (``tasks`` and ``debug`` modes)."""
    for event, data, _ in reversed(chunks):
        if type(data) is not dict:
            continue
        mode = event.partition("|")[0]
        task = data if mode == "tasks" else data.get("payload") if mode == "debug" else None
        if isinstance(task, dict) and task.get("error") and isinstance(task.get("name"), str):
            return str(task["name"])
    return None


def interrupted(chunks: Sequence[StreamPart]) -> bool:
    """Did the run stop on an interrupt? An ``interrupt()`` in a node, or ``interrupt_before`` /
    ``interrupt_after`` (an ``__interrupt__`` key with no values)."""
    return any(type(data) is dict and INTERRUPT in data and event.partition("|")[0] in
               ("updates", "values") for event, data, _ in chunks) or bool(interrupts(chunks))


def summary(
    *,
    assistant_id: str,
    status: str,
    chunks: Sequence[StreamPart],
    run_id: str | None = None,
    error: dict[str, Any] | None = None,
    elapsed: float | None = None,
    pending: list[Any] | None = None,
    thread_id: str | None = None,
) -> str:
    """A few lines of plain text that say what happened, for places without the widget.
    ``pending``: the interrupts still waiting (default: those in the chunks)."""
    head = f"LangGraph run of {assistant_id!r}: {status}, {len(chunks)} chunks"
    if elapsed is not None:
        head += f" in {elapsed:.1f} s"
    lines = [head]
    if run_id:
        lines.append(f"run_id: {run_id}")
    if thread_id:
        lines.append(f"thread_id: {thread_id}")
    # The first and last few nodes and a count: a long run is summed up cheaply, without
    # making an Update for each of its chunks (this runs at the end of every run).
    count = sum(len(data) - (INTERRUPT in data) for event, data, _ in chunks
                if event.startswith("updates") and type(data) is dict)
    if count:
        first = [_label(u) for u in itertools.islice(_iter_updates(chunks), _SUMMARY_NODES)]
        if count <= _SUMMARY_NODES:
            nodes = first
        else:
            tail = min(_SUMMARY_NODES, count - _SUMMARY_NODES)
            last = list(itertools.islice(_iter_updates(reversed(chunks), reverse=True), tail))[::-1]
            skipped = count - len(first) - len(last)
            nodes = [*first, *([f"… {skipped} more …"] if skipped else []), *map(_label, last)]
        lines.append("nodes: " + " → ".join(nodes))
    pending = interrupts(chunks) if pending is None else pending
    if pending:
        shown = [_short(i.get("value") if isinstance(i, dict) else i) for i in pending[:3]]
        more = f" (and {len(pending) - 3} more)" if len(pending) > 3 else ""
        lines.append(f"interrupted: {'; '.join(shown)}{more}")
    if error:
        where = f" in {error['node']}" if error.get("node") else ""
        lines.append(f"error: {error.get('error', 'Error')}{where}: {error.get('message', '')}")
    return "\n".join(lines)


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _short_ns(namespace: tuple[str, ...]) -> str:
    return "/".join(part.split(":", 1)[0] for part in namespace)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
