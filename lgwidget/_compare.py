"""``compare(a, b)``: two runs side by side, what one did that the other did not.

A run is a :class:`~lgwidget.RunWidget` (a batch's row: ``b.runs[i]``) or a run file written by
``w.save(path)``. The comparison is plain data (``.nodes``, ``.state``, see ``_diff``) and a
small view of it; the view gets text previews only, never whole values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import _runfile
from ._diff import compare_nodes, compare_values, output, preview
from ._model import updates
from ._parts import StreamPart
from ._widget import RunWidget

_STATIC = Path(__file__).parent / "static"
#: Characters of a value's preview in the view.
PREVIEW_CHARS = 160


class Comparison(anywidget.AnyWidget):
    """Two runs compared. ``nodes``: their node updates aligned, each row ``{"change":
    "same"|"changed"|"added"|"removed", "node", "a", "b", "changes"}`` (added: only in b;
    removed: only in a); ``state``: where their final states differ, ``{"path", "change",
    "a", "b"}`` each; ``labels``: what the two runs are called."""

    _esm = _STATIC / "compare.js"
    _css = _STATIC / "widget.css"

    labels = t.List(t.Unicode()).tag(sync=True)
    #: What the view shows: ``nodes`` and ``state`` with values as short text.
    node_rows = t.List(t.Dict()).tag(sync=True)
    state_rows = t.List(t.Dict()).tag(sync=True)

    def __init__(self, a: list[StreamPart], b: list[StreamPart], labels: tuple[str, str]) -> None:
        self.nodes = compare_nodes(updates(a), updates(b))
        self.state = compare_values(output(a), output(b))
        super().__init__(
            labels=list(labels),
            node_rows=[{"change": r["change"], "node": r["node"], "a": _text(r["a"], r["change"]
                        != "added"), "b": _text(r["b"], r["change"] != "removed"),
                        "changes": [_change_text(c) for c in r["changes"]]} for r in self.nodes],
            state_rows=[_change_text(c) for c in self.state])

    @property
    def same(self) -> bool:
        """Whether the runs did the same: the same nodes with the same values, the same state."""
        return not self.state and all(r["change"] == "same" for r in self.nodes)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for row in self.nodes:
            counts[row["change"]] = counts.get(row["change"], 0) + 1
        said = ", ".join(f"{n} {change}" for change, n in counts.items()) or "no nodes"
        return (f"LangGraph run comparison, {self.labels[0]!r} vs {self.labels[1]!r}: nodes "
                f"{said}; {len(self.state)} differences in the final state")


def compare(a: RunWidget | str | os.PathLike[str], b: RunWidget | str | os.PathLike[str]
            ) -> Comparison:
    """Compare two runs: RunWidgets (two rows of a batch: ``b.runs[i]``) or run files saved
    with ``w.save(path)``. Display the result for the side-by-side view; ``.nodes`` and
    ``.state`` hold the differences as data."""
    (chunks_a, label_a), (chunks_b, label_b) = _chunks(a, "a"), _chunks(b, "b")
    if label_a == label_b:
        label_a, label_b = f"a: {label_a}", f"b: {label_b}"
    return Comparison(chunks_a, chunks_b, (label_a, label_b))


def _chunks(run: Any, side: str) -> tuple[list[StreamPart], str]:
    if isinstance(run, RunWidget):
        # A run id's end: its start is the time, the same for runs made together.
        return list(run.chunks), f"{run.assistant_id} …{(run.run_id or side)[-8:]}"
    if isinstance(run, (str, os.PathLike)):
        _header, parts, _times = _runfile.read(run)
        return parts, Path(run).name
    raise TypeError(f"compare takes RunWidgets or run files (w.save(path)), not "
                    f"{type(run).__name__}")


def _text(value: Any, present: bool) -> str:
    if not present:
        return ""
    return "null" if value is None else preview(value, PREVIEW_CHARS)


def _change_text(change: dict[str, Any]) -> dict[str, str]:
    return {"path": change["path"], "change": change["change"],
            "a": _text(change["a"], change["change"] != "added"),
            "b": _text(change["b"], change["change"] != "removed")}
