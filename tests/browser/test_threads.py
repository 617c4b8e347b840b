"""Human in the loop in real JupyterLab and Chromium: runs on a thread stop at interrupts of each
shape, the user answers in the card (click, type, submit), the run resumes into the same view
after a marker and reaches ``done`` with the answer in the graph's state (checked in Python);
a second question is answered again; History re-runs from a checkpoint; a stateless run's card
says what to do instead. Screenshots before and after answering, light and dark, go to
/tmp/shots/threads/ (override with LGW_SHOTS).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.harness import (
    open_notebook,
    run_all,
    set_theme,
    wait_run_all_done,
    write_notebook,
)

SHOTS = Path(os.environ.get("LGW_SHOTS", "/tmp/shots")) / "threads"
NAMES = ["plain", "inbox", "hitl", "schema", "twice", "stateless"]
WIDGET_OF = {name: i for i, name in enumerate(NAMES)}


def _cells(url: str) -> list[str]:
    def widget(name: str, graph: str, input: object, **params: object) -> str:
        args = "".join(f", {k}={v!r}" for k, v in params.items())
        return f"{name} = lgwidget.RunWidget({graph!r}, {json.dumps(input)}, url=URL{args})\n{name}"

    return [
        f"import asyncio, json\nimport lgwidget\nURL = {url!r}",
        widget("plain", "interrupting", {"request": "x"}, thread=True),
        widget("inbox", "inbox", {"request": "x"}, thread=True),
        widget("hitl", "hitl", {"request": "x"}, thread=True, stream_mode=["values"]),
        widget("schema", "schema", {"request": "x"}, thread=True, stream_mode=["tasks"]),
        widget("twice", "twice", {}, thread=True),
        widget("stateless", "interrupting", {"request": "x"}),
        "ALL = [plain, inbox, hitl, schema, twice, stateless]\n"
        "for w in ALL:\n    await w.run()\n[w.status for w in ALL]",
        # Waits (the kernel's loop keeps handling the view's messages) for the answers given in
        # the browser, then says what each graph stored.
        "async def answered(widgets, timeout=240):\n"
        "    for _ in range(timeout * 10):\n"
        "        if all(w.status == 'done' for w in widgets):\n"
        "            return\n"
        "        await asyncio.sleep(0.1)\n"
        "await answered([plain, inbox, hitl, schema, twice])\n"
        "states = [(await w.history(limit=1))[0]['values']\n"
        "          for w in (plain, inbox, hitl, schema, twice)]\n"
        "print('STORED', json.dumps(states))\n"
        "print('SECTIONS', json.dumps([[s['kind'] for s in w.sections]\n"
        "                             for w in (plain, inbox, hitl, schema, twice)]))",
    ]


def _widget(page, name: str):
    return page.locator(".lgw-root").nth(WIDGET_OF[name])


def _shoot(page, name: str, when: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for dark in (False, True):
        set_theme(page, dark)
        _widget(page, name).scroll_into_view_if_needed()
        theme = "dark" if dark else "light"
        _widget(page, name).screenshot(path=SHOTS / f"{name}-{when}-{theme}.png")
    set_theme(page, False)


def _form(page, name: str):
    """The answer form of the widget's last interrupt card."""
    return _widget(page, name).locator(".lgw-answer").last


def test_interrupts_are_answered_in_the_view_and_the_runs_resume(jupyterlab, page, server_url):
    nb = "threads.ipynb"
    write_notebook(Path(jupyterlab.root_dir) / nb, _cells(server_url))
    open_notebook(page, jupyterlab, nb)
    run_all(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.lgw-root .lgw-icard-answer .lgw-answer').length === 5"
        " && document.querySelectorAll('.lgw-answer-stateless').length === 1",
        timeout=180_000)
    for name in NAMES:
        _shoot(page, name, "before")

    # A stateless run: the card says how to get a thread, and there is no form and no History.
    stateless = _widget(page, "stateless")
    assert "RunWidget(..., thread=True)" in stateless.locator(".lgw-answer-stateless").inner_text()
    assert stateless.locator(".lgw-history-toggle").is_hidden()

    # A plain value: typed as JSON after a first try that is not JSON (refused, nothing sent).
    form = _form(page, "plain")
    form.locator("textarea").fill("{yes")
    form.get_by_label("send as").select_option("json")
    form.locator(".lgw-answer-submit").click()
    assert "not valid JSON" in form.locator(".lgw-answer-error").inner_text()
    assert _widget(page, "plain").locator(".lgw-badge").inner_text() == "interrupted"
    form.locator("textarea").fill("true")
    form.locator(".lgw-answer-submit").click()

    # Agent Inbox: edit the email's recipient.
    form = _form(page, "inbox")
    assert form.locator(".lgw-answer-choice").all_inner_texts() == ["Accept", "Edit", "Respond"]
    form.locator(".lgw-answer-choice[data-type='edit']").click()
    form.get_by_label("to", exact=True).fill("bob@example.com")
    form.locator(".lgw-answer-submit").click()

    # LangChain human in the loop: reject, with a reason.
    form = _form(page, "hitl")
    form.locator(".lgw-answer-choice[data-type='reject']").click()
    form.locator("textarea:visible").fill("not that file")
    form.locator(".lgw-answer-submit").click()

    # A response schema: the form refuses a missing required field, then takes the answer.
    form = _form(page, "schema")
    form.get_by_label("reason", exact=True).fill("tests pass")
    form.locator(".lgw-answer-submit").click()  # approved unchecked is still an answer: False
    # (a checkbox always answers; the required check is covered by the JS tests)

    # Asks twice: answer, then answer the second question in the section that follows.
    form = _form(page, "twice")
    form.locator("textarea").fill("yes")
    form.locator(".lgw-answer-submit").click()
    twice = _widget(page, "twice")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lgw-root')][4]"
        ".querySelectorAll('.lgw-section').length === 1"
        " && [...document.querySelectorAll('.lgw-root')][4].querySelector('.lgw-badge')"
        ".textContent === 'interrupted'"
        " && [...document.querySelectorAll('.lgw-root')][4]"
        ".querySelectorAll('.lgw-answer').length === 1",
        timeout=60_000)
    assert twice.locator(".lgw-section").inner_text() == "resumed with yes"
    assert "answered: yes" in twice.locator(".lgw-answer-done").inner_text()
    form = _form(page, "twice")
    form.locator("textarea").fill("yes again")
    form.locator(".lgw-answer-submit").click()

    wait_run_all_done(page, timeout=240)
    output = page.locator(".jp-OutputArea-output", has_text="STORED").last.inner_text()
    stored = json.loads(output.split("STORED", 1)[1].split("\n", 1)[0])
    sections = json.loads(output.split("SECTIONS", 1)[1].split("\n", 1)[0])
    # The thread's final state (its last checkpoint) holds each answer as the graph read it.
    answers = [state.get("approved", state.get("answer", state.get("answers"))) for state in stored]
    assert answers == [
        True,
        [{"type": "edit", "args": {"action": "send_email", "args": {
            "to": "bob@example.com", "subject": "Plans", "body": "Hi Ada"}}}],
        {"decisions": [{"type": "reject", "message": "not that file"}]},
        {"approved": False, "reason": "tests pass"},
        [{"first": "yes"}, {"second": "yes again"}],
    ]
    assert sections == [["run", "resume"]] * 4 + [["run", "resume", "resume"]]
    badges = page.evaluate(
        "() => [...document.querySelectorAll('.lgw-badge')].map(b => b.textContent)")
    assert badges == ["done", "done", "done", "done", "done", "interrupted"]
    for name in ("plain", "inbox", "hitl", "schema", "twice"):
        marker = _widget(page, name).locator(".lgw-section").first
        assert marker.is_visible()
    assert _widget(page, "inbox").locator(".lgw-section").inner_text() == "resumed with edit"
    for name in NAMES:
        _shoot(page, name, "after")

    # History: the thread's checkpoints; re-running from the one before the second question
    # asks it again in a new section, answered in the view.
    twice.locator(".lgw-history-toggle").click()
    rows = twice.locator(".lgw-history-row")
    rows.first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lgw-root')][4]"
        ".querySelectorAll('.lgw-history-row').length === 4", timeout=30_000)
    lines = rows.locator(".lgw-history-line").all_inner_texts()
    assert "step 2" in lines[0] and "end" in lines[0]
    assert "step 1" in lines[1] and "next: second" in lines[1]
    rows.nth(1).locator(".lgw-rerun").click()
    page.wait_for_function(
        "() => { const w = [...document.querySelectorAll('.lgw-root')][4];"
        " return w.querySelectorAll('.lgw-section').length === 3"
        " && w.querySelector('.lgw-badge').textContent === 'interrupted'"
        " && w.querySelectorAll('.lgw-answer').length === 1; }", timeout=60_000)
    assert twice.locator(".lgw-section").nth(2).inner_text().startswith("re-run from checkpoint")
    _shoot(page, "twice", "rerun")
    form = _form(page, "twice")
    form.locator("textarea").fill("after all, no")
    form.locator(".lgw-answer-submit").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lgw-root')][4]"
        ".querySelector('.lgw-badge').textContent === 'done'", timeout=60_000)
    # The history was asked for again when the re-run ended: the fork is in it.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lgw-root')][4]"
        ".querySelectorAll('.lgw-history-row').length > 4", timeout=30_000)
