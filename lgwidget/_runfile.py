"""Runs you can keep: a run file (JSON Lines) and an offline page (one HTML file).

A run file's first line is a header, then one line per :class:`StreamPart`::

    {"lgwidget": "0.1.0", "assistant_id": "agent", "url": "http://127.0.0.1:2024",
     "stream_mode": ["updates"], "run_id": "...", "status": "done", "started_at": 1764600000.0,
     "ended_at": 1764600001.5, "error": null}
    {"event": "metadata", "data": {"run_id": "...", "attempt": 1}, "id": null, "t": 0}
    {"event": "updates", "data": {"plan": {...}}, "id": null, "t": 412}

``t`` is the chunk's arrival in milliseconds since the start, as the view shows it. The URL is
the public one (no credentials); nothing else of the connection is kept.

The offline page inlines the widget's own front end (``static/page.js``, which mounts the same
view on a model that holds the run) and the widget's state, so it opens from ``file://`` in any
browser with no network, no kernel and no Jupyter.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._parts import StreamPart
from ._version import __version__

#: The widget's state that describes a run: the header of a run file, the traits of a view.
HEADER_FIELDS = ("assistant_id", "url", "stream_mode", "run_id", "status", "started_at",
                 "ended_at", "error", "byte_count", "thread_id", "sections", "graph", "graph_note")
_STATIC = Path(__file__).parent / "static"


def write(path: str | os.PathLike[str], header: dict[str, Any], chunks: Iterable[StreamPart],
          times: Iterable[int]) -> Path:
    """Write a run file; returns its path."""
    target = Path(path)
    with target.open("w", encoding="utf-8") as out:
        out.write(_line({"lgwidget": __version__, **header}))
        for (event, data, id_), t in zip(chunks, times, strict=True):
            out.write(_line({"event": event, "data": data, "id": id_, "t": t}))
    return target


def read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[StreamPart], list[int]]:
    """A run file's header, parts and times; ``ValueError`` says which line is wrong."""
    header: dict[str, Any] | None = None
    parts: list[StreamPart] = []
    times: list[int] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}, line {number}: not JSON ({exc})") from None
            if header is None:
                if not isinstance(record, dict) or "lgwidget" not in record:
                    raise ValueError(f"{path} is not an lgwidget run file (no header line)")
                header = record
            elif isinstance(record, dict) and isinstance(record.get("event"), str):
                parts.append(StreamPart(record["event"], record.get("data"), record.get("id")))
                times.append(int(record.get("t") or 0))
            else:
                raise ValueError(f"{path}, line {number}: not a stream part")
    if header is None:
        raise ValueError(f"{path} is empty")
    return header, parts, times


def page(state: dict[str, Any], snapshot: list[bytes], title: str) -> str:
    """One self-contained HTML page that shows a run: the front end and the state inlined."""
    script = (_STATIC / "page.js").read_text(encoding="utf-8")
    css = (_STATIC / "widget.css").read_text(encoding="utf-8")
    data = {**state, "snapshot": [base64.b64encode(blob).decode() for blob in snapshot]}
    # Nothing inlined may end its element early: "</" is written as "<\/" (the same in JS and
    # JSON strings) and JSON's "<" as \\u003c.
    state_json = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    css, script = css.replace("</", "<\\/"), script.replace("</", "<\\/")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title>",
        f"<style>{css}</style>",
        "<style>body{margin:1rem;font-family:system-ui,sans-serif}</style>",
        "</head><body>",
        '<div id="lgwidget-view"></div>',
        f'<script type="application/json" id="lgwidget-state">{state_json}</script>',
        f'<script type="module">{script}</script>',
        "</body></html>",
    ])


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
