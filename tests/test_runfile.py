"""Runs you can keep: save a run, load it with no server, the same Python API and view state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import lgwidget
from lgwidget._transport import decode_batch
from tests.support.server import QUESTION

MODES = ["updates", "values", "messages-tuple", "messages", "custom", "debug", "tasks"]


def view_chunks(w: lgwidget.RunWidget) -> list[tuple[str, Any, int]]:
    """What the view renders from: every chunk of the snapshot, with its time."""
    out = []
    for blob in w.snapshot:
        _, events, times, lines = decode_batch(blob)
        out += [(e, json.loads(line) if line else None, t)
                for e, line, t in zip(events, lines, times, strict=True)]
    return out


@pytest.mark.server
@pytest.mark.parametrize("mode", MODES)
async def test_save_and_load_round_trip_for_every_stream_mode(
    server_url: str, mode: str, tmp_path: Path
) -> None:
    w = await lgwidget.RunWidget("agent", QUESTION, url=server_url, stream_mode=[mode],
                                 stream_subgraphs=True).run()
    path = w.save(tmp_path / "run.jsonl")
    loaded = lgwidget.RunWidget.load(path)
    assert loaded.chunks == w.chunks
    for name in ("assistant_id", "url", "stream_mode", "run_id", "status", "started_at",
                 "ended_at", "error", "chunk_count", "byte_count"):
        assert getattr(loaded, name) == getattr(w, name), name
    assert view_chunks(loaded) == view_chunks(w)  # the same view, the same times
    assert loaded.updates == w.updates and loaded.final_state == w.final_state
    assert loaded.summary() == w.summary()


async def test_a_failed_run_keeps_its_error_and_a_replay_runs_again(tmp_path: Path) -> None:
    async def parts():
        yield lgwidget.StreamPart("metadata", {"run_id": "r1", "attempt": 1})
        yield lgwidget.StreamPart("updates", {"plan": {"steps": ["a\\nb"]}})
        yield lgwidget.StreamPart("error", {"error": "ValueError", "message": "boom"})

    w = await lgwidget.RunWidget.from_stream(parts(), assistant_id="agent").run()
    loaded = lgwidget.RunWidget.load(w.save(tmp_path / "failed.jsonl"))
    assert (loaded.status, loaded.error, loaded.run_id) == ("error", w.error, "r1")
    again = await loaded.run()  # no server: the file's parts, streamed into the view again
    assert again.status == "error" and again.chunks == w.chunks


def test_the_file_is_json_lines_with_a_header(tmp_path: Path) -> None:
    w = lgwidget.RunWidget("agent", url="http://user:secret-pass@127.0.0.1:9/")
    path = w.save(tmp_path / "empty.jsonl")
    (header,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert header["lgwidget"] == lgwidget.__version__ and header["status"] == "idle"
    assert header["url"] == "http://127.0.0.1:9"  # no credentials
    assert "secret-pass" not in path.read_text()


def test_a_file_that_is_not_a_run_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"lgwidget": "0.1.0"}\n{"event": "updates", "data": 1}\nnot json\n')
    with pytest.raises(ValueError, match="line 3: not JSON"):
        lgwidget.RunWidget.load(bad)
    bad.write_text('{"event": "updates"}\n')
    with pytest.raises(ValueError, match="not an lgwidget run file"):
        lgwidget.RunWidget.load(bad)


async def test_the_offline_page_holds_the_front_end_and_the_run(tmp_path: Path) -> None:
    async def parts():
        yield lgwidget.StreamPart("updates", {"a</script><script>alert(1)</script>": {"x": 1}})

    w = await lgwidget.RunWidget.from_stream(parts(), assistant_id="agent").run()
    html = w.to_html(tmp_path / "run.html").read_text()
    assert html.count("</script>") == 2  # the state's and the module's own ends, nothing else
    assert html.startswith("<!doctype html>") and 'id="lgwidget-view"' in html
    state = html.split('id="lgwidget-state">', 1)[1].split("</script>", 1)[0]
    data = json.loads(state)
    assert data["status"] == "done" and len(data["snapshot"]) == len(w.snapshot)
