"""Where a run's time and tokens went: one row per node, from its chunks and their arrival times.

Pure (no I/O, no widget). The same rules as the view's "Time & tokens" pane (``js/src/stats.js``):

- **Time.** With ``tasks`` or ``debug`` in the stream, each node run is a task with a start and
  a result: ``debug`` events carry timestamps, ``tasks`` events none, so for them the arrival
  times of the start and the result are used (both are sent as the task starts and ends).
  Without those modes a run is *approximate*: it ends when its update arrives and starts when
  the step before it ended (or when its first token came, for parallel branches).
- **Tokens.** ``usage_metadata`` of the messages in ``messages`` (messages-tuple),
  ``messages/complete``, ``updates``, ``values`` and task results, each message id counted
  once, for the node that produced it (``values`` alone does not say which: a message seen
  only there counts for the one node that ended before that state, else for ``(state)``).

A subgraph's node is named by its path, its parent and its name joined by :data:`SEPARATOR`
(as the view writes it), with ``stream_subgraphs``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._model import INTERRUPT, split_event
from ._parts import StreamPart

#: The columns of a row of :func:`stats`, in order.
COLUMNS = ("node", "runs", "total_s", "max_s", "input_tokens", "output_tokens")
#: Tokens of messages seen only in a ``values`` state no single node can be named for.
STATE = "(state)"
SEPARATOR = " \u203a "  # a single right-pointing angle quote, as the view shows paths


class Stats(list[dict[str, Any]]):
    """``w.stats()``: one row (a dict of :data:`COLUMNS`) per node, in the order nodes first ran.

    ``exact`` says whether durations are the tasks' own (``tasks`` or ``debug`` streamed) or
    derived from arrival times."""

    exact: bool = False

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` indexed by node (pandas is not a dependency)."""
        try:
            import pandas  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise ImportError("Stats.to_pandas() needs pandas, which lgwidget does not install: "
                              "pip install pandas (or use the rows, a list of dicts)") from None
        return pandas.DataFrame(list(self), columns=list(COLUMNS)).set_index("node")


def stats(chunks: Sequence[StreamPart], times: Sequence[float | None]) -> Stats:
    """Rows for ``chunks``; ``times[i]``: chunk i's arrival in ms since the start (None or
    missing: not known yet, the last known time is used)."""
    order: dict[str, None] = {}
    durations = _Durations()
    tokens = _Tokens()
    last = 0.0
    for index, (event, data, _) in enumerate(chunks):
        t = times[index] if index < len(times) else None
        last = float(t) if t is not None else last
        mode, namespace = split_event(event)
        path = tuple(part.partition(":")[0] for part in namespace)
        durations.add(mode, path, data, last, order)
        tokens.add(mode, path, data, order)
    rows = Stats()
    rows.exact = durations.exact
    for key in order:
        runs = durations.runs.get(key, [])
        given, said = tokens.by_node.get(key, (0, 0))
        rows.append({"node": key, "runs": len(runs), "total_s": round(sum(runs) / 1000, 3),
                     "max_s": round(max(runs, default=0) / 1000, 3), "input_tokens": given,
                     "output_tokens": said})
    return rows


def _key(path: Iterable[str], node: str) -> str:
    return SEPARATOR.join([*path, node])


class _Durations:
    """Node runs in ms: exact from tasks/debug, else from the arrival of updates."""

    def __init__(self) -> None:
        self.runs: dict[str, list[float]] = {}
        self.exact = False
        self._tasks: dict[str, tuple[str, float, float | None]] = {}  # id -> key, t, timestamp
        self._last_end: dict[tuple[str, ...], float] = {}  # where a step ended, per subgraph
        self._open: dict[tuple[tuple[str, ...], str], list[float]] = {}  # runs seen working
        self._working: set[Any] = set()  # tasks (checkpoint namespaces) seen working

    def add(self, mode: str, path: tuple[str, ...], data: Any, t: float,
            order: dict[str, None]) -> None:
        if type(data) is not dict and not (mode == "messages" and isinstance(data, list)):
            return
        if mode == "metadata":
            self._last_end.setdefault((), t)  # the run began: its first step starts here
            return
        if mode == "values" and not self.exact:
            self._last_end[path] = t  # a state is sent as a step ends, the input's before step 1
            return
        if isinstance(data, dict) and (mode == "tasks" or (
                mode == "debug" and data.get("type") in ("task", "task_result"))):
            self.exact = True
            task = data if mode == "tasks" else data.get("payload")
            stamp = _timestamp(data.get("timestamp")) if mode == "debug" else None
            if isinstance(task, dict) and isinstance(task.get("name"), str):
                self._task(task, path, t, stamp, order)
        elif self.exact:
            return  # the tasks say it all; updates would count each run twice
        elif mode == "messages" and isinstance(data, list) and len(data) == 2 \
                and isinstance(data[1], dict):
            # A task's first token: it was at work (parallel branches each have a task).
            node, task = data[1].get("langgraph_node"), data[1].get("langgraph_checkpoint_ns")
            if isinstance(node, str) and task not in self._working:
                self._working.add(task)
                where = _checkpoint_path(data[1])
                self._open.setdefault((where, node), []).append(self._step_start(where))
        elif mode == "updates" and isinstance(data, dict):
            for node in data:
                if node == INTERRUPT:
                    continue
                open_runs = self._open.get((path, node))
                start = open_runs.pop(0) if open_runs else self._step_start(path)
                if open_runs == []:
                    del self._open[(path, node)]
                key = _key(path, node)
                order.setdefault(key)
                self.runs.setdefault(key, []).append(max(0.0, t - start))
                self._last_end[path] = t

    def _task(self, task: dict[str, Any], path: tuple[str, ...], t: float,
              stamp: float | None, order: dict[str, None]) -> None:
        task_id = str(task.get("id"))
        key = _key(path, task["name"])
        if "result" not in task and "error" not in task:
            order.setdefault(key)
            self._tasks.setdefault(task_id, (key, t, stamp))
            return
        begun = self._tasks.pop(task_id, None)
        if begun is None:
            return
        _, started, started_stamp = begun
        both = stamp is not None and started_stamp is not None
        took = (stamp - started_stamp) * 1000 if both else t - started  # type: ignore[operator]
        self.runs.setdefault(key, []).append(max(0.0, took))

    def _step_start(self, path: tuple[str, ...]) -> float:
        for depth in range(len(path), -1, -1):
            if path[:depth] in self._last_end:
                return self._last_end[path[:depth]]
        return 0.0


class _Tokens:
    """``usage_metadata`` per node, each message once."""

    def __init__(self) -> None:
        self.by_node: dict[str, tuple[int, int]] = {}
        self._seen: dict[str, tuple[str, int, int]] = {}  # message id -> key, input, output
        self._names: dict[str, str] = {}  # message id -> key (messages/metadata)
        self._ended: dict[tuple[str, ...], list[str]] = {}  # nodes ended since the last values

    def add(self, mode: str, path: tuple[str, ...], data: Any, order: dict[str, None]) -> None:
        if mode == "messages" and isinstance(data, list) and len(data) == 2:
            meta: dict[str, Any] = data[1] if isinstance(data[1], dict) else {}
            node = meta.get("langgraph_node")
            if isinstance(node, str):
                self._count(data[0], _key(_checkpoint_path(meta), node), order)
        elif mode == "messages/metadata" and isinstance(data, dict):
            for message_id, value in data.items():
                found = value.get("metadata") if isinstance(value, dict) else None
                if isinstance(found, dict) and isinstance(found.get("langgraph_node"), str):
                    self._names[message_id] = _key(_checkpoint_path(found),
                                                   found["langgraph_node"])
        elif mode == "messages/complete" and isinstance(data, list):
            for message in data:
                if isinstance(message, dict) and message.get("id") in self._names:
                    self._count(message, self._names[message["id"]], order)
        elif mode == "updates" and isinstance(data, dict):
            for node, update in data.items():
                if node != INTERRUPT:
                    self._ended.setdefault(path, []).append(node)
                    self._scan(update, _key(path, node), order)
        elif mode in ("tasks", "debug") and isinstance(data, dict):
            task = data if mode == "tasks" else data.get("payload")
            if isinstance(task, dict) and isinstance(task.get("name"), str) and "result" in task:
                if mode == "tasks" or data.get("type") == "task_result":
                    self._scan(task["result"], _key(path, task["name"]), order)
        elif mode == "values" and isinstance(data, dict):
            ended = list(dict.fromkeys(self._ended.pop(path, [])))
            key = _key(path, ended[0]) if len(ended) == 1 else STATE
            self._scan(data, key, order, only_new=True)

    def _scan(self, value: Any, key: str, order: dict[str, None], only_new: bool = False) -> None:
        for message in _messages(value):
            if not (only_new and message.get("id") in self._seen):
                self._count(message, key, order)

    def _count(self, message: Any, key: str, order: dict[str, None]) -> None:
        usage = message.get("usage_metadata") if isinstance(message, dict) else None
        if not isinstance(usage, dict):
            return
        given, said = _int(usage.get("input_tokens")), _int(usage.get("output_tokens"))
        message_id = message.get("id")
        if not isinstance(message_id, str):
            message_id = f"#{len(self._seen)}"  # no id: nothing to tell repeats apart by
        before = self._seen.get(message_id)
        if before is not None:
            key = before[0]
            if given + said <= before[1] + before[2]:
                return
            self._add(key, -before[1], -before[2])
        self._seen[message_id] = (key, given, said)
        order.setdefault(key)
        self._add(key, given, said)

    def _add(self, key: str, given: int, said: int) -> None:
        old = self.by_node.get(key, (0, 0))
        self.by_node[key] = (old[0] + given, old[1] + said)


def _messages(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The messages in an update, a state or a task's result: the value itself, a list of
    them, a dict of them, or ``[channel, value]`` pairs (``debug`` results)."""
    if isinstance(value, dict):
        if "usage_metadata" in value:
            yield value
        elif depth < 2:
            for item in value.values():
                yield from _messages(item, depth + 1)
    elif isinstance(value, list) and depth < 3:
        for item in value:
            yield from _messages(item, depth + 1)


def _checkpoint_path(meta: dict[str, Any]) -> tuple[str, ...]:
    """The subgraph a message came from: its ``langgraph_checkpoint_ns`` without its own task."""
    ns = meta.get("langgraph_checkpoint_ns")
    if not isinstance(ns, str) or not ns:
        return ()
    return tuple(part.partition(":")[0] for part in ns.split("|")[:-1])


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _int(value: Any) -> int:
    return value if type(value) is int and value > 0 else 0
