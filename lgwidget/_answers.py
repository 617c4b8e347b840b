"""Answers to interrupts: checked against the shape the graph asked for, before anything is sent.

The shapes, as the graph reads its ``interrupt()`` return value:

- an Agent Inbox request (``{"action_request": {"action", "args"}, "config": {"allow_accept",
  "allow_edit", "allow_respond", "allow_ignore"}, "description"}``, or a list of them) is
  answered with a list of responses, one per request: ``{"type": "accept" | "edit" |
  "response" | "ignore", "args": ...}``, as its ``allow_*`` flags permit;
- a LangChain human-in-the-loop request (``{"action_requests": [...], "review_configs":
  [{"action_name", "allowed_decisions"}]}``) with ``{"decisions": [...]}``, one per action:
  ``{"type": "approve"}``, ``{"type": "edit", "edited_action": {"name", "args"}}`` or
  ``{"type": "reject", "message": ...}``, as ``allowed_decisions`` permit;
- ``interrupt(value, response_schema=...)`` with a value valid against the JSON Schema (the
  keywords a form can ask for: type, enum, const, required, properties, additionalProperties,
  items, minimum, maximum, minLength, maxLength, pattern; others are not checked);
- anything else with any value.

The front end checks the same before it sends (``js/src/answer.js``); this side checks again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_INBOX_TYPES = {"accept": "allow_accept", "edit": "allow_edit", "response": "allow_respond",
                "ignore": "allow_ignore"}
_HITL_TYPES = ("approve", "edit", "reject")


def summary(value: Any, limit: int = 80) -> str:
    """A short line saying what an answer was, for the "resumed with ..." marker (as
    ``answerSummary`` in ``js/src/answer.js`` says it in the card)."""
    def typed(items: Any) -> bool:
        return isinstance(items, list) and bool(items) and all(
            isinstance(v, Mapping) and isinstance(v.get("type"), str) for v in items)

    def listed(items: list[Any], plural: str) -> str:
        types = [v["type"] for v in items]
        return types[0] if len(types) == 1 else f"{len(types)} {plural}: {', '.join(types)}"

    if typed(value):
        return _cut(listed(value, "responses"), limit)
    if isinstance(value, Mapping) and typed(value.get("decisions")):
        return _cut(listed(value["decisions"], "decisions"), limit)
    try:
        text = " ".join(value.split()) if isinstance(value, str) else json.dumps(value, default=str,
                                                               separators=(",", ":"))
    except ValueError:
        text = repr(value)
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_resume(pending: list[Any], value: Any) -> list[str]:
    """What is wrong with ``value`` as the answer to the ``pending`` interrupts (none: [])."""
    ids = [i.get("id") for i in pending if isinstance(i, Mapping)]
    by_id = isinstance(value, Mapping) and value and set(value) <= set(ids)
    if len(pending) == 1 and not by_id:
        return check(pending[0], value)
    if not by_id or set(value) != set(ids):
        return [f"{len(pending)} interrupts wait for an answer: answer each by its id, "
                f"{{{', '.join(repr(i) + ': ...' for i in ids)}}}"]
    return [problem for entry in pending for problem in check(entry, value[entry["id"]])]


def check(entry: Any, value: Any) -> list[str]:
    """What is wrong with ``value`` as the answer to one interrupt ``{"value", "id",
    "response_schema"?}``."""
    asked = entry.get("value") if isinstance(entry, Mapping) else entry
    schema = entry.get("response_schema") if isinstance(entry, Mapping) else None
    if isinstance(schema, Mapping):
        return validate(schema, value)
    requests = _inbox_requests(asked)
    if requests is not None:
        return _check_inbox(requests, value)
    if isinstance(asked, Mapping) and isinstance(asked.get("action_requests"), list):
        return _check_hitl(asked, value)
    return []


def _inbox_requests(asked: Any) -> list[Mapping[str, Any]] | None:
    def is_request(v: Any) -> bool:
        return isinstance(v, Mapping) and isinstance(v.get("action_request"), Mapping)

    if is_request(asked):
        return [asked]
    if isinstance(asked, list) and asked and all(is_request(v) for v in asked):
        return asked
    return None


def _check_inbox(requests: list[Mapping[str, Any]], value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) != len(requests):
        return [f"an Agent Inbox request is answered with a list of {len(requests)} "
                f"response{'s' if len(requests) != 1 else ''}, "
                '[{"type": "accept" | "edit" | "response" | "ignore", "args": ...}]']
    problems = []
    for n, (request, response) in enumerate(zip(requests, value, strict=True), 1):
        config = request.get("config") or {}
        kind = response.get("type") if isinstance(response, Mapping) else None
        allowed = [t for t, flag in _INBOX_TYPES.items() if config.get(flag)]
        if kind not in allowed:
            problems.append(f"response {n}: type must be one of {', '.join(allowed)}, "
                            f"not {kind!r}")
        elif kind == "response" and not isinstance(response.get("args"), str):
            problems.append(f"response {n}: a response's args is the text of the answer")
        elif kind == "edit" and not (isinstance(response.get("args"), Mapping)
                                     and isinstance(response["args"].get("args"), Mapping)):
            problems.append(f'response {n}: an edit\'s args is {{"action": ..., "args": {{...}}}}')
    return problems


def _check_hitl(asked: Mapping[str, Any], value: Any) -> list[str]:
    actions = asked["action_requests"]
    decisions = value.get("decisions") if isinstance(value, Mapping) else None
    if not isinstance(decisions, list) or len(decisions) != len(actions):
        return [f'a human-in-the-loop request is answered with {{"decisions": [...]}}, one '
                f"decision per action ({len(actions)})"]
    configs = {c.get("action_name"): c for c in asked.get("review_configs") or []
               if isinstance(c, Mapping)}
    problems = []
    for n, (action, decision) in enumerate(zip(actions, decisions, strict=True), 1):
        name = action.get("name") if isinstance(action, Mapping) else None
        allowed = (configs.get(name) or {}).get("allowed_decisions") or list(_HITL_TYPES)
        kind = decision.get("type") if isinstance(decision, Mapping) else None
        if kind not in allowed:
            problems.append(f"decision {n} ({name}): type must be one of "
                            f"{', '.join(allowed)}, not {kind!r}")
        elif kind == "edit" and not isinstance(decision.get("edited_action"), Mapping):
            problems.append(f'decision {n} ({name}): an edit needs "edited_action": '
                            '{"name": ..., "args": {...}}')
    return problems


_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def validate(schema: Mapping[str, Any], value: Any, where: str = "the answer") -> list[str]:
    """What is wrong with ``value`` against the JSON Schema keywords listed above."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    if isinstance(types, list) and not any(_TYPES.get(t, lambda v: True)(value) for t in types):
        return [f"{where} must be {' or '.join(types)}, not {_json_type(value)}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} must be one of {', '.join(map(json.dumps, schema['enum']))}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where} must be {json.dumps(schema['const'])}")
    if isinstance(value, str):
        problems += _check_string(schema, value, where)
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where} must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where} must be at most {schema['maximum']}")
    if isinstance(value, Mapping):
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in value:
                problems.append(f"{_field(where, name)} is required")
        for name, item in value.items():
            if name in props:
                problems += validate(props[name], item, _field(where, name))
            elif schema.get("additionalProperties") is False:
                problems.append(f"{_field(where, name)} is not asked for")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for n, item in enumerate(value):
            problems += validate(schema["items"], item, f"{where}[{n}]")
    return problems


def _check_string(schema: Mapping[str, Any], value: str, where: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{where} must be at least {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where} must be at most {schema['maxLength']} characters")
    if isinstance(schema.get("pattern"), str):
        try:
            if re.search(schema["pattern"], value) is None:
                problems.append(f"{where} must match {schema['pattern']}")
        except re.error:
            pass  # a pattern Python cannot read is not the answer's fault
    return problems


def _field(where: str, name: str) -> str:
    return name if where == "the answer" else f"{where}.{name}"


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__
