"""Answers to interrupts checked against what the graph asked (lgwidget/_answers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from lgwidget._answers import check, check_resume, summary, validate

FORM = {"type": "object", "required": ["approved"], "additionalProperties": False,
        "properties": {"approved": {"type": "boolean"},
                       "reason": {"type": "string", "minLength": 3, "maxLength": 20,
                                  "pattern": "^[a-z ]+$"},
                       "count": {"type": "integer", "minimum": 1, "maximum": 5},
                       "level": {"enum": ["low", "high"]},
                       "tags": {"type": "array", "items": {"type": "string"}},
                       "ratio": {"type": ["number", "null"]},
                       "mode": {"const": "fast"}}}


@pytest.mark.parametrize(("value", "problems"), [
    ({"approved": True}, []),
    ({"approved": False, "reason": "looks good", "count": 5, "level": "low", "tags": ["a"],
      "ratio": None, "mode": "fast"}, []),
    ({"approved": True, "count": 2.0, "ratio": 0.5}, []),  # 2.0 is an integer in JSON Schema
    ({}, ["approved is required"]),
    ({"approved": "yes"}, ["approved must be boolean, not string"]),
    ({"approved": 1}, ["approved must be boolean, not integer"]),
    ({"approved": True, "reason": "no"}, ["reason must be at least 3 characters"]),
    ({"approved": True, "reason": "x" * 21}, ["reason must be at most 20 characters"]),
    ({"approved": True, "reason": "Bad!"}, ["reason must match ^[a-z ]+$"]),
    ({"approved": True, "count": 0}, ["count must be at least 1"]),
    ({"approved": True, "count": 6}, ["count must be at most 5"]),
    ({"approved": True, "count": 1.5}, ["count must be integer, not number"]),
    ({"approved": True, "count": True}, ["count must be integer, not boolean"]),
    ({"approved": True, "level": "mid"}, ['level must be one of "low", "high"']),
    ({"approved": True, "tags": ["a", 2]}, ["tags[1] must be string, not integer"]),
    ({"approved": True, "ratio": "1"}, ["ratio must be number or null, not string"]),
    ({"approved": True, "mode": "slow"}, ['mode must be "fast"']),
    ({"approved": True, "extra": 1}, ["extra is not asked for"]),
    ("yes", ["the answer must be object, not string"]),
])
def test_validate_names_each_problem(value: Any, problems: list[str]) -> None:
    assert validate(FORM, value) == problems


def test_unknown_keywords_and_bad_patterns_are_not_the_answers_fault() -> None:
    assert validate({"type": "string", "format": "email", "pattern": "("}, "x") == []
    assert validate({"oneOf": [{"type": "string"}]}, 3) == []


REQUEST = {"action_request": {"action": "send", "args": {"to": "a"}},
           "config": {"allow_accept": True, "allow_edit": True, "allow_respond": False,
                      "allow_ignore": False}}


def test_agent_inbox_answers_follow_the_allow_flags() -> None:
    entry = {"value": [REQUEST], "id": "i1"}
    assert check(entry, [{"type": "accept", "args": None}]) == []
    assert check(entry, [{"type": "edit", "args": {"action": "send", "args": {"to": "b"}}}]) == []
    assert check(entry, [{"type": "response", "args": "no"}]) == [
        "response 1: type must be one of accept, edit, not 'response'"]
    assert check(entry, [{"type": "edit", "args": {"to": "b"}}]) == [
        'response 1: an edit\'s args is {"action": ..., "args": {...}}']
    assert check({"value": REQUEST}, []) != []  # one request alone is answered with a list of one


def test_human_in_the_loop_answers_follow_allowed_decisions() -> None:
    entry = {"value": {"action_requests": [{"name": "rm", "args": {}}, {"name": "ls", "args": {}}],
                       "review_configs": [{"action_name": "rm", "allowed_decisions": ["reject"]}]},
             "id": "i1"}
    assert check(entry, {"decisions": [{"type": "reject"}, {"type": "approve"}]}) == []
    assert check(entry, {"decisions": [{"type": "approve"}, {"type": "approve"}]}) == [
        "decision 1 (rm): type must be one of reject, not 'approve'"]
    assert check(entry, {"decisions": [{"type": "reject"},
                                       {"type": "edit", "edited_action": {"name": "ls",
                                                                          "args": {}}}]}) == []


def test_plain_values_take_any_answer_and_several_need_ids() -> None:
    one = {"value": "ok?", "id": "a"}
    two = {"value": "ok?", "id": "b"}
    assert check(one, "anything") == [] and check(one, {"x": [1]}) == []
    assert check_resume([one], "yes") == []
    assert check_resume([one], {"a": "yes"}) == []
    assert check_resume([one, two], {"a": 1, "b": 2}) == []
    assert "answer each by its id" in check_resume([one, two], {"a": 1})[0]
    assert "answer each by its id" in check_resume([one, two], "yes")[0]


def test_summaries_are_short_and_say_the_decisions() -> None:
    assert summary([{"type": "accept", "args": None}]) == "accept"
    assert summary({"decisions": [{"type": "approve"}, {"type": "reject"}]}) == (
        "2 decisions: approve, reject")
    assert summary([{"type": "accept"}, {"type": "ignore"}]) == "2 responses: accept, ignore"
    assert summary("yes") == "yes"
    assert summary("two\nlines ") == "two lines"
    assert summary({"a": 1}) == '{"a":1}'  # as JSON.stringify says it
    long = summary("x" * 500)
    assert len(long) == 80 and long.endswith("…")
