"""Run parameters, declared once: the request body, unknown names, and the magic's options."""

from __future__ import annotations

import dataclasses

import pytest

from lgwidget._request import OPTIONS, PARAMS, RunRequest


def test_the_body_is_the_sdks() -> None:
    request = RunRequest.make("agent", {"q": 1}, ("updates", "values"), config={"x": 1},
                              langsmith_tracing={"project_name": "p"})
    assert request.payload() == {
        "assistant_id": "agent", "input": {"q": 1}, "stream_mode": ["updates", "values"],
        "config": {"x": 1}, "on_disconnect": "cancel",
        "langsmith_tracer": {"project_name": "p"},  # the SDK's wire name
    }
    assert request.stream_modes == ["updates", "values"]


def test_none_is_not_sent_and_on_disconnect_can_be_chosen() -> None:
    body = RunRequest.make("agent", on_disconnect="continue", metadata=None).payload()
    assert body == {"assistant_id": "agent", "stream_mode": "updates",
                    "on_disconnect": "continue"}


def test_an_unknown_parameter_is_named() -> None:
    with pytest.raises(TypeError, match="'stream_modes'"):
        RunRequest.make("agent", stream_modes="updates")
    with pytest.raises(TypeError, match="assistant_id"):
        RunRequest.make("")


def test_every_field_is_a_parameter_and_the_magic_options_come_from_the_fields() -> None:
    names = [f.name for f in dataclasses.fields(RunRequest)]
    assert names[:3] == ["assistant_id", "input", "stream_mode"]
    assert PARAMS == tuple(names[3:])
    flags = {name: flag for name, _, flag, _ in OPTIONS}
    assert flags == {"config": "--config", "context": "--context", "metadata": "--metadata",
                     "stream_subgraphs": "--subgraphs", "interrupt_before": "--interrupt-before",
                     "interrupt_after": "--interrupt-after"}


def test_an_unknown_parameter_error_lists_what_a_run_takes() -> None:
    with pytest.raises(TypeError) as info:
        RunRequest.make("agent", stream_modes="updates", configs={})
    message = str(info.value)
    assert message.startswith("unexpected keyword argument 'configs'; a run takes ")
    assert message.endswith(", ".join(sorted(PARAMS)))
    assert "command, config, context" in message
