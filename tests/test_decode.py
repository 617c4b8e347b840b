"""The one decode loop and the credentials it hides: pure, no server.

``decode`` turns a source's raw events into StreamParts (credentials redacted, JSON errors
named); ``_client._secrets`` decides which header values, tokens and URL passwords are
credentials; ``redact`` hides them.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import AsyncGenerator

import pytest

from lgwidget._client import _secrets
from lgwidget._decode import RawEvent, decode, decode_error, dumps, excerpt, redact
from lgwidget._errors import ProtocolError
from lgwidget._parts import StreamPart

WHERE = "http://127.0.0.1:2024/runs/stream"


async def source(*events: RawEvent, closed: list[bool] | None = None
                 ) -> AsyncGenerator[RawEvent, None]:
    try:
        for event in events:
            yield event
    finally:
        if closed is not None:
            closed.append(True)


async def parts(*events: RawEvent, **kwargs) -> list[StreamPart]:
    return [part async for part in decode(source(*events), WHERE, **kwargs)]


# --------------------------------------------------------------------------- decode


async def test_events_become_stream_parts_with_their_data_decoded_and_their_id() -> None:
    got = await parts(("metadata", '{"run_id": "r1"}', "0"), ("updates", '{"a": [1, 2.5]}', None),
                      ("custom", "", None))
    assert got == [StreamPart("metadata", {"run_id": "r1"}, "0"),
                   StreamPart("updates", {"a": [1, 2.5]}, None),
                   StreamPart("custom", None, None)]  # no data: None, not an error
    assert all(type(p) is StreamPart for p in got)
    assert got[0].event == "metadata" and got[0].data == {"run_id": "r1"} and got[0].id == "0"


async def test_json_that_only_pythons_parser_takes_still_decodes() -> None:
    # orjson refuses integers beyond 64 bits and NaN; json.loads takes them: so does decode.
    big = 2**70
    got = await parts(("values", f'{{"n": {big}}}', None), ("values", '{"x": NaN}', None))
    assert got[0].data == {"n": big}
    assert math.isnan(got[1].data["x"])


async def test_data_that_is_not_json_names_the_event_where_it_came_from_and_why() -> None:
    closed: list[bool] = []
    events = source(("updates", '{"ok": 1}', None), ("values", "{not json", None),
                    ("updates", "{}", None), closed=closed)
    seen = []
    with pytest.raises(ProtocolError) as info:
        async for part in decode(events, WHERE):
            seen.append(part)
    assert seen == [StreamPart("updates", {"ok": 1})]
    message = str(info.value)
    assert message.startswith(f"event 'values' from {WHERE} has data that is not JSON (")
    assert "Expecting property name" in message  # why: the parser's own words
    assert message.endswith("): {not json")
    assert info.value.url == WHERE
    assert closed == [True]  # the source (the HTTP request) is closed, not left to the GC


async def test_a_credential_echoed_in_an_event_is_redacted_before_it_is_parsed_or_tapped() -> None:
    tapped: list[tuple[str, str]] = []
    got = await parts(("updates", '{"echo": "Bearer s3cr3t-token", "k": "s3cr3t-token"}', None),
                      secrets=("Bearer s3cr3t-token", "s3cr3t-token"),
                      tap=lambda event, raw: tapped.append((event, raw)))
    assert got == [StreamPart("updates", {"echo": "***", "k": "***"})]
    assert tapped == [("updates", '{"echo": "***", "k": "***"}')]


async def test_a_consumer_that_stops_early_closes_the_source() -> None:
    closed: list[bool] = []
    stream = decode(source(("a", "1", None), ("b", "2", None), closed=closed), WHERE)
    async for _ in stream:
        break
    await stream.aclose()
    assert closed == [True]


def test_a_decode_error_has_a_url_only_when_the_source_is_one() -> None:
    reason = ValueError("Expecting value")
    error = decode_error("x" * 400, "updates", "the graph 'agent'", reason)
    assert error.url is None
    assert str(error) == ("event 'updates' from the graph 'agent' has data that is not JSON "
                          f"(Expecting value): {'x' * 300}…")
    assert decode_error("x", "updates", WHERE, reason).url == WHERE


def test_an_excerpt_is_one_line_cut_at_the_limit() -> None:
    assert excerpt("a\n  b\tc ") == "a b c"
    assert excerpt("y" * 300) == "y" * 300  # exactly the limit: whole
    assert excerpt("y" * 301) == "y" * 300 + "…"
    assert excerpt("abcdef", limit=3) == "abc…"


# --------------------------------------------------------------------------- redact


def test_redact_replaces_every_occurrence_of_every_secret() -> None:
    assert redact("k=abcd1234, again abcd1234; pw hunter22", ("abcd1234", "hunter22")) == (
        "k=***, again ***; pw ***")
    assert redact("nothing to hide", ("abcd1234",)) == "nothing to hide"
    assert redact("abcd1234", ()) == "abcd1234"


# --------------------------------------------------------------------------- _secrets


def test_a_bearer_tokens_bare_token_is_a_secret_too() -> None:
    """A server that echoes only the token (not ``Bearer <token>``) must not show it."""
    secrets = _secrets(None, {"Authorization": "Bearer tok-3f9a8c"}, "", "")
    assert redact('{"detail": "unknown token tok-3f9a8c"}', secrets) == (
        '{"detail": "unknown token ***"}')
    # The whole header value is replaced whole, not as "Bearer ***".
    assert redact("Authorization: Bearer tok-3f9a8c", secrets) == "Authorization: ***"


def test_the_api_key_and_credential_headers_are_secrets_whatever_their_case() -> None:
    headers = {
        "AUTHORIZATION": "Basic dXNlcjpwYXNz",
        "proxy-authorization": "Basic cHJveHk6cHc=",
        "Cookie": "session=c00kie-value",
        "X-API-Key": "header-key-1",
        "X-Custom-Key": "custom-key-2",
        "X-Auth-Token": "auth-token-3",
        "X-Client-Secret": "client-secret-4",
        "User-Agent": "my-notebook/1.0",
        "X-Request-Id": "req-123456",
    }
    secrets = _secrets("the-api-key", headers, "", "")
    for value in ["the-api-key", "dXNlcjpwYXNz", "cHJveHk6cHc=", "session=c00kie-value",
                  "header-key-1", "custom-key-2", "auth-token-3", "client-secret-4"]:
        assert value in secrets
        assert redact(f"echo: {value}", secrets) == "echo: ***"
    assert redact("my-notebook/1.0 req-123456", secrets) == "my-notebook/1.0 req-123456"


def test_the_credentials_after_any_auth_scheme_are_a_secret() -> None:
    value = 'Digest username="me", response="6629fae49393a05397450978507c4ef1"'
    secrets = _secrets(None, {"Authorization": value}, "", "")
    credentials = 'username="me", response="6629fae49393a05397450978507c4ef1"'
    assert redact(f"got {credentials}", secrets) == "got ***"


def test_a_url_password_and_its_basic_auth_form_are_secrets() -> None:
    secrets = _secrets(None, {}, "alice", "pw-1234")
    basic = base64.b64encode(b"alice:pw-1234").decode()
    assert redact(f"password pw-1234, header Basic {basic}", secrets) == (
        "password ***, header Basic ***")
    assert "alice" not in secrets  # a user name is not a credential


def test_a_url_user_without_a_password_is_sent_as_basic_auth_and_hidden_too() -> None:
    secrets = _secrets(None, {}, "tok-username-123", "")
    basic = base64.b64encode(b"tok-username-123:").decode()  # what httpx.BasicAuth sends
    assert redact(f"authorization: Basic {basic}", secrets) == "authorization: Basic ***"


def test_values_under_four_characters_are_not_hidden_but_four_are() -> None:
    assert _secrets("abc", {"X-Api-Key": "xyz"}, "u", "pw") == (
        base64.b64encode(b"u:pw").decode(),)
    assert _secrets("abcd", {}, "", "") == ("abcd",)
    assert _secrets(None, {}, "", "") == ()


def test_longer_secrets_come_first_so_a_value_is_replaced_whole() -> None:
    secrets = _secrets("zz-key-0000", {"Authorization": "Bearer aaaa-token-long-1111"}, "",
                       "pass-12345678")
    assert [len(s) for s in secrets] == sorted((len(s) for s in secrets), reverse=True)
    assert redact("Bearer aaaa-token-long-1111", secrets) == "***"


def test_each_cookies_value_is_a_secret_but_not_its_name() -> None:
    secrets = _secrets(None, {"Cookie": "session=abc123def; theme=dark-mode=on"}, "", "")
    assert "abc123def" in secrets and "dark-mode=on" in secrets  # the value after the first =
    assert "session" not in secrets and "theme" not in secrets
    assert redact("echo: abc123def / dark-mode=on", secrets) == "echo: *** / ***"


def test_a_word_that_is_not_an_auth_scheme_keeps_the_whole_value_only() -> None:
    secrets = _secrets(None, {"x-api-key": "not-a-scheme token-9f8e7d"}, "", "")
    assert secrets == ("not-a-scheme token-9f8e7d",)


def test_parts_that_came_decoded_get_their_json_text_once() -> None:
    assert dumps({"a": [1, "é", None], 2: True}) == '{"a":[1,"é",null],"2":true}'
    assert dumps({"big": 2**70}) == '{"big":1180591620717411303424}'  # past orjson's 64 bits
    assert dumps({"when": object}) == json.dumps({"when": str(object)}, separators=(",", ":"))


def test_text_for_the_browser_is_json_a_browser_reads() -> None:
    assert dumps({"x": float("nan")}) == '{"x":null}'  # JSON.parse refuses NaN
    assert dumps({"big": 2**70, "t": "é"}) == '{"big":1180591620717411303424,"t":"é"}'
