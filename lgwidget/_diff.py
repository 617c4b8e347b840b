"""What two runs did differently, and what a run produced (pure: no I/O, no widget).

- :func:`output`: a run's final output, the last ``values`` state, else its node updates merged
  in order (what the state would be, key by key, when values were not streamed);
- :func:`compare_nodes`: the node sequences of two runs aligned (``difflib.SequenceMatcher`` on
  the node names), each row ``same``, ``changed`` (same node, another value), ``added`` (only
  in b) or ``removed`` (only in a);
- :func:`compare_values`: where two values differ, path by path.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from ._model import Update, _short, final_state, updates
from ._parts import StreamPart

#: Differences listed at most per comparison of two values: a diff of two unrelated states
#: would otherwise be as long as both.
MAX_CHANGES = 200


def output(chunks: Sequence[StreamPart]) -> Any:
    """The run's final output: its last ``values`` state, else its root graph's node updates
    merged in order (a later key wins), else None."""
    state = final_state(chunks)
    if state is not None:
        return state
    merged: dict[str, Any] | None = None
    for update in updates(chunks):
        if not update.namespace and isinstance(update.data, dict):
            merged = {**(merged or {}), **update.data}
    return merged


def preview(value: Any, limit: int = 120) -> str:
    """One line of text for a value, cut at ``limit`` characters; a conversation shows its
    last message's text."""
    if isinstance(value, dict) and isinstance(value.get("messages"), list) and value["messages"]:
        last = value["messages"][-1]
        content = last.get("content") if isinstance(last, dict) else None
        if isinstance(content, str):
            return _short(content, limit)
    return "" if value is None else _short(value, limit)


def compare_values(a: Any, b: Any, path: str = "") -> list[dict[str, Any]]:
    """Where ``a`` and ``b`` differ: ``{"path", "change": "changed"|"added"|"removed", "a",
    "b"}`` each, going into dicts (by key) and lists (by index); at most :data:`MAX_CHANGES`."""
    found: list[dict[str, Any]] = []
    _walk(a, b, path, found)
    return found[:MAX_CHANGES]


_MISSING = object()


def _walk(a: Any, b: Any, path: str, found: list[dict[str, Any]]) -> None:
    if len(found) >= MAX_CHANGES or a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            _walk(a.get(key, _MISSING), b.get(key, _MISSING), f"{path}.{key}" if path else
                  str(key), found)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            _walk(a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING,
                  f"{path}[{i}]", found)
        return
    change = "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
    found.append({"path": path, "change": change, "a": None if a is _MISSING else a,
                  "b": None if b is _MISSING else b})


def compare_nodes(a: Sequence[Update], b: Sequence[Update]) -> list[dict[str, Any]]:
    """The two runs' node updates side by side: ``{"change", "node", "a", "b", "changes"}``
    per row, ``a``/``b`` the update's value (None on the side that has none), ``changes`` what
    differs in a ``changed`` row (see :func:`compare_values`)."""
    names_a, names_b = [_name(u) for u in a], [_name(u) for u in b]
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=names_a, b=names_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                changes = compare_values(a[i].data, b[j].data)
                rows.append({"change": "changed" if changes else "same", "node": names_a[i],
                             "a": a[i].data, "b": b[j].data, "changes": changes})
            continue
        rows += [{"change": "removed", "node": names_a[i], "a": a[i].data, "b": None,
                  "changes": []} for i in range(i1, i2)]
        rows += [{"change": "added", "node": names_b[j], "a": None, "b": b[j].data,
                  "changes": []} for j in range(j1, j2)]
    return rows


def _name(update: Update) -> str:
    """A node's name with the subgraph path it ran in (task ids dropped: they differ per run)."""
    return "/".join([*(part.split(":", 1)[0] for part in update.namespace), update.node])
