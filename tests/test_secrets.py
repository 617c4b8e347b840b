"""Credentials stay in Python: the API key and every header that carries a credential
(``Authorization: Bearer``, ``Cookie``, a hand-made ``x-api-key``) and the password of a URL
with user info are sent to the server, and found nowhere else: not in widget traits, not in any
iopub message of a real kernel, not in the saved notebook, not in its HTML export, not in logs.

The server is a loopback server (tests/support/loopback.py) that can echo the request's headers
back: in a 401's ``detail`` (the client redacts the API key from error bodies), in a stream event's
data, or in an ``error`` event's message (where nothing redacts it: see the xfail reasons).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
import zlib
from collections.abc import Iterable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import lgwidget
from tests.support.kernel import Execution, running_kernel
from tests.support.loopback import (
    LAST_CHUNK,
    chunk,
    http_response,
    serve,
    sse_event,
    sse_response_head,
)

KEY = "sk-lgw-ARGKEY-3c1f9a7e"  # api_key=
ENV_KEY = "sk-lgw-ENVKEY-5b2d8e40"  # $LANGGRAPH_API_KEY
BEARER = "bearer-tok-8e4a2c61"
COOKIE = "sess-cookie-1d7f3b90"
CUSTOM = "custom-key-6a9e0c47"  # headers={"x-api-key": ...} without api_key=
USER, PASSWORD = "alice", "url-pass-4f8b1e23"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()  # what httpx sends for it
KEY_ENV_VARS = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")

RUN_ID = "1f0c0de0-0000-6000-8000-00000000beef"
ANSWER = "the-answer-is-42"  # a value of the plain run: proves the scans read what was sent
HEADERS = {"Authorization": f"Bearer {BEARER}", "Cookie": f"session={COOKIE}"}
ALL_SECRETS = (KEY, ENV_KEY, BEARER, COOKIE, CUSTOM, PASSWORD, BASIC)


# --------------------------------------------------------------------------- the server


async def echo_server(request, conn) -> None:
    """The assistant id picks the behaviour; "echo-*" send the request's headers back. The
    graph a run asks for is refused with the headers echoed (the widget's note says why)."""
    echoed = json.dumps(request.headers)
    if request.method == "GET":
        detail = f"no graph; you sent {echoed}"
        await conn.send(http_response(403, json.dumps({"detail": detail})))
        return
    assistant = request.json().get("assistant_id")
    if assistant == "echo-error":
        detail = f"bad credentials; you sent {echoed}"
        await conn.send(http_response(401, json.dumps({"detail": detail})))
        return
    await conn.send(sse_response_head())
    await conn.send(chunk(sse_event("metadata", {"run_id": RUN_ID, "attempt": 1})))
    if assistant == "echo-event":
        await conn.send(chunk(sse_event("updates", {"echo": {"request_headers": request.headers}})))
    elif assistant == "echo-error-event":
        await conn.send(chunk(sse_event("error", {"error": "AuthError", "message": echoed})))
    elif assistant == "echo-bare":
        # A server that parsed the credentials and echoes their parts: tokens without their
        # scheme, cookie values without their names.
        parts = [part for value in request.headers.values()
                 for word in value.replace(";", " ").split() for part in word.split("=")]
        await conn.send(chunk(sse_event("error", {"error": "AuthError",  # each part alone
                                                  "message": f"unknown: {' | '.join(parts)}"})))
    else:
        await conn.send(chunk(sse_event("updates", {"agent": {"answer": ANSWER}})))
    await conn.send(LAST_CHUNK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_userinfo(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@", 1)


@pytest.fixture
def no_key_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in KEY_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --------------------------------------------------------------------------- scanning


_B64 = re.compile(r"^[A-Za-z0-9+/=\s]{16,}$")


def texts(value: Any) -> Iterator[str]:
    """Every piece of text in a JSON-like value, with bytes and base64 strings decoded and
    zlib blobs (the widget's batches and snapshot) inflated."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        yield raw.decode("latin-1")
        with contextlib.suppress(zlib.error):
            yield zlib.decompress(raw).decode("utf-8", "replace")
    elif isinstance(value, str):
        yield value
        if _B64.match(value):
            with contextlib.suppress(binascii.Error, ValueError):
                yield from texts(base64.b64decode(value, validate=False))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from texts(v)
    elif value is not None:
        yield str(value)


def text_of(value: Any) -> str:
    return "\n".join(texts(value))


def leaks(text: str, secrets: Iterable[str]) -> list[str]:
    return [s for s in secrets if s in text]


def widget_text(w: lgwidget.RunWidget) -> str:
    """What leaves Python for the browser and the notebook: the synced state, and the text/plain
    summary the output shows without a widget front end."""
    state = {k: v for k, v in w.get_state().items() if k not in ("_esm", "_css")}
    return text_of(state) + "\n" + repr(w) + "\n" + w._repr_mimebundle_()[0]["text/plain"]


def iopub_text(result: Execution) -> str:
    return "\n".join(text_of([m["content"], m.get("metadata"), m.get("buffers", [])])
                     for m in result.messages)


# --------------------------------------------------------------------------- widget traits

# Each credential: how it is given to the widget, and the strings that must not come back.
CREDENTIALS: dict[str, dict[str, Any]] = {
    "api_key=": {"kwargs": {"api_key": KEY}, "secrets": [KEY], "sent": ("x-api-key", KEY)},
    "LANGGRAPH_API_KEY": {"env": ENV_KEY, "secrets": [ENV_KEY], "sent": ("x-api-key", ENV_KEY)},
    "Authorization: Bearer": {"kwargs": {"headers": {"Authorization": f"Bearer {BEARER}"}},
                              "secrets": [BEARER], "sent": ("authorization", f"Bearer {BEARER}")},
    "Cookie": {"kwargs": {"headers": {"Cookie": f"session={COOKIE}"}}, "secrets": [COOKIE],
               "sent": ("cookie", f"session={COOKIE}")},
    "headers x-api-key": {"kwargs": {"headers": {"x-api-key": CUSTOM}}, "secrets": [CUSTOM],
                          "sent": ("x-api-key", CUSTOM)},
    "URL user:password": {"userinfo": True, "secrets": [PASSWORD, BASIC],
                          "sent": ("authorization", f"Basic {BASIC}")},
}
SCENARIOS = ["plain", "refused", "echo-error", "echo-event", "echo-error-event", "echo-bare"]

def _cases() -> Iterator[Any]:
    for credential in CREDENTIALS:
        for scenario in SCENARIOS:
            yield pytest.param(credential, scenario, id=f"{credential}-{scenario}")


@pytest.mark.parametrize(("credential", "scenario"), list(_cases()))
async def test_a_credential_is_sent_and_never_widget_state(no_key_env, credential, scenario):
    spec = CREDENTIALS[credential]
    if "env" in spec:
        no_key_env.setenv("LANGGRAPH_API_KEY", spec["env"])
    async with serve(echo_server) as srv:
        base = srv.url if scenario != "refused" else f"http://127.0.0.1:{free_port()}"
        url = with_userinfo(base) if spec.get("userinfo") else base
        w = lgwidget.RunWidget(scenario, {"q": 1}, url=url, **spec.get("kwargs", {}))
        await w.run()
    host = base.removeprefix("http://")
    assert w.url == f"http://{host}"  # the URL trait never holds user info
    if scenario == "refused":
        assert w.status == "error" and w.error["error"] == "ConnectError"
    else:
        # It did go out, where it belongs.
        header, value = spec["sent"]
        assert srv.requests[0].headers[header] == value
        assert w.status == ("done" if scenario in ("plain", "echo-event") else "error")
    assert leaks(widget_text(w), spec["secrets"]) == []
    if scenario == "echo-error" and credential in ("api_key=", "LANGGRAPH_API_KEY"):
        assert "***" in w.error["message"]  # the echo came back, redacted


# --------------------------------------------------------------------------- a real kernel


def secrets_file(tmp_path: Path) -> str:
    """Credentials in a file the cells read, as a careful user keeps them out of the source
    (the source goes to iopub in execute_input, and into the notebook)."""
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"key": KEY, "headers": HEADERS}))
    return f"import json as _json\nCRED = _json.load(open({str(path)!r}))\n"


def kernel_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in KEY_ENV_VARS}
    return {**env, **extra}


def test_no_credential_in_any_iopub_message_of_a_kernel(tmp_path) -> None:
    with serve(echo_server) as srv, running_kernel(env=kernel_env(LANGGRAPH_API_KEY=ENV_KEY)) as k:
        url = srv.url
        cells = [
            # RunWidget with an explicit key and credential headers, against a plain run.
            secrets_file(tmp_path) + "import lgwidget\n"
            f"w = lgwidget.RunWidget('plain', {{'q': 1}}, url={url!r}, api_key=CRED['key'],"
            " headers=CRED['headers'])\nw",
            "await w.run()\nprint(w)\nw.error",
            # An explicit key, echoed back in a 401's detail.
            f"w2 = lgwidget.RunWidget('echo-error', {{'q': 1}}, url={url!r}, api_key=CRED['key'])\n"
            "display(w2)\nawait w2.run()\nprint(repr(w2), w2.exception)\nw2.error",
            # The magic, with the key from the environment.
            "%load_ext lgwidget",
            f"%%lgrun plain --url {url} -o m1\n{{\"q\": 1}}",
            f"%%lgrun echo-error --url {url} -o m2\n{{\"q\": 1}}",
            f"%lgrun --url {url} plain {{\"q\": 2}}",  # the line form runs on a thread
            "print(m1, m2, m2.exception)\nm2.error",
        ]
        results = [k.execute(cell) for cell in cells]
    for cell, result in zip(cells, results, strict=True):
        assert result.status == "ok", (cell, result.error)

    # Every credential went out to the server, with each run and with its graph's request.
    sent = [r.headers for r in srv.requests if r.method == "POST"]
    assert [h.get("x-api-key") for h in sent] == [KEY, KEY, ENV_KEY, ENV_KEY, ENV_KEY]
    graphs = [r.headers.get("x-api-key") for r in srv.requests if r.method == "GET"]
    assert graphs.count(KEY) == 1 and graphs.count(ENV_KEY) == 2  # the runs that started
    assert sent[0]["authorization"] == HEADERS["Authorization"]
    assert sent[0]["cookie"] == HEADERS["Cookie"]

    everything = "\n".join(iopub_text(r) for r in results)
    # The scan reads the widget's batches: the run's data is in there, the key is not.
    assert ANSWER in everything and RUN_ID in everything
    assert "***" in everything  # the echoed key, redacted
    assert leaks(everything, ALL_SECRETS) == []


def test_a_key_echoed_in_event_data_does_not_reach_the_browser(tmp_path) -> None:
    with serve(echo_server) as srv, running_kernel(env=kernel_env()) as k:
        result = k.execute(
            secrets_file(tmp_path) + "import lgwidget\n"
            f"w = lgwidget.RunWidget('echo-event', {{'q': 1}}, url={srv.url!r},"
            " api_key=CRED['key'])\n"
            "display(w)\nawait w.run()")
    assert result.status == "ok", result.error
    assert srv.requests[0].headers["x-api-key"] == KEY
    assert leaks(iopub_text(result), [KEY]) == []


# --------------------------------------------------------------------------- saved notebook, HTML


def widget_state_in_html(html: str) -> list[Any]:
    return [json.loads(m) for m in re.findall(
        r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', html, re.S)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A notebook run by nbclient (RunWidget with api_key= and credential headers, %%lgrun
    with the key from the environment, plain runs and echoed 401s), written with nbformat, and
    its ``jupyter nbconvert --to html`` export."""
    tmp_path = tmp_path_factory.mktemp("exported")
    with pytest.MonkeyPatch.context() as mp, serve(echo_server) as srv:
        for name in KEY_ENV_VARS:
            mp.delenv(name, raising=False)
        mp.setenv("LANGGRAPH_API_KEY", ENV_KEY)  # the kernel inherits it
        url = srv.url
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in [
            secrets_file(tmp_path) + "import lgwidget\n"
            f"w = lgwidget.RunWidget('plain', {{'q': 1}}, url={url!r}, api_key=CRED['key'],"
            " headers=CRED['headers'])\nw",
            "await w.run()\nw.status",
            f"w2 = lgwidget.RunWidget('echo-error', {{'q': 1}}, url={url!r}, api_key=CRED['key'])\n"
            "display(w2)\nawait w2.run()\nw2.error",
            "%load_ext lgwidget",
            f"%%lgrun plain --url {url}\n{{\"q\": 1}}",
            f"%%lgrun echo-error --url {url}\n{{\"q\": 1}}",
        ]]
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={
            "metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, str(path))
    out = tmp_path / "html"
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path),
         "--output-dir", str(out)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "markdown", str(path),
         "--output-dir", str(out)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {"saved": path.read_text(), "html": (out / "run.html").read_text(),
            "markdown": (out / "run.md").read_text(),
            "sent": [r.headers.get("x-api-key") for r in srv.requests if r.method == "POST"]}


def test_the_saved_notebook_holds_no_credential(exported) -> None:
    assert exported["sent"] == [KEY, KEY, ENV_KEY, ENV_KEY]  # the keys did go out
    saved = exported["saved"]
    notebook = json.loads(saved)
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    scanned = text_of(notebook)
    assert ANSWER in text_of(state)  # the snapshot blobs were decoded and read
    assert "***" in scanned  # the echoed key, redacted
    assert "LangGraph run of 'plain': done" in scanned  # the text/plain summary
    assert leaks(saved, ALL_SECRETS) == [] and leaks(scanned, ALL_SECRETS) == []


def test_the_html_export_holds_no_credential(exported) -> None:
    html = exported["html"]
    embedded = widget_state_in_html(html)
    assert embedded and ANSWER in text_of(embedded)  # the widget state, decoded and read
    assert leaks(unescape(html), ALL_SECRETS) == []
    assert leaks(text_of(embedded), ALL_SECRETS) == []


def test_a_text_export_reads_as_a_summary_of_the_run(exported) -> None:
    """Where the widget cannot render, text/plain stands in: the final summary, not "idle".

    (``--to html`` embeds the widget state and renders the widget view only, which needs
    the widget scripts from a CDN: offline it shows nothing of the run.)"""
    text = exported["markdown"]
    assert "LangGraph run of 'plain': done" in text
    assert "LangGraph run of 'echo-error': error" in text
    assert leaks(text, ALL_SECRETS) == []


# --------------------------------------------------------------------------- logs


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("httpx", "httpcore", "lgwidget"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


async def test_no_credential_in_debug_logs(no_key_env, debug_logs) -> None:
    no_key_env.setenv("LANGGRAPH_API_KEY", ENV_KEY)
    async with serve(echo_server) as srv:
        await lgwidget.RunWidget("plain", {"q": 1}, url=srv.url, api_key=KEY,
                                 headers=HEADERS).run()
        await lgwidget.RunWidget("echo-error", {"q": 1}, url=srv.url).run()
        async with lgwidget.Client(srv.url, headers={"x-api-key": CUSTOM}) as client:
            async for _ in client.stream("plain", input={}):
                pass
    await lgwidget.RunWidget("refused", url=f"http://127.0.0.1:{free_port()}", api_key=KEY).run()
    assert [r.headers["x-api-key"] for r in srv.requests if r.method == "POST"] == [
        KEY, ENV_KEY, ENV_KEY]
    assert [r.headers["x-api-key"] for r in srv.requests if r.method == "GET"] == [KEY]
    text = debug_logs.text
    assert "HTTP Request: GET" in text  # the graph's request, logged without its key too
    assert "HTTP Request: POST" in text and "send_request_headers" in text  # httpx and httpcore
    assert leaks(text, [KEY, ENV_KEY, BEARER, COOKIE]) == []


async def test_custom_header_credentials_are_not_logged(no_key_env, debug_logs) -> None:
    async with serve(echo_server) as srv:
        async with lgwidget.Client(srv.url, headers={"x-api-key": CUSTOM, **HEADERS}) as client:
            async for _ in client.stream("plain", input={}):
                pass
    assert srv.requests[0].headers["x-api-key"] == CUSTOM
    assert "HTTP Request: POST" in debug_logs.text
    assert leaks(debug_logs.text, [CUSTOM, BEARER, COOKIE]) == []


async def test_a_url_password_is_not_logged(no_key_env, debug_logs) -> None:
    async with serve(echo_server) as srv:
        await lgwidget.RunWidget("plain", {"q": 1}, url=with_userinfo(srv.url)).run()
    assert srv.requests[0].headers["authorization"] == f"Basic {BASIC}"
    assert "HTTP Request: POST" in debug_logs.text
    assert leaks(debug_logs.text, [PASSWORD, BASIC]) == []
