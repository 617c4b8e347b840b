"""Fixtures for real-browser tests: `jupyterlab` (module), `browser` (session), `page` (function).

Chromium is required: if /usr/bin/chromium is missing these fixtures FAIL (CI installs it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.support.harness import (
    CHROMIUM_PATH,
    RUN_MARKER_PREFIX,
    JupyterLab,
    kill_harness_processes,
    launch_chromium,
    start_jupyterlab,
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the JupyterLab log tail and the browser console errors to the report."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    lab = item.funcargs.get("jupyterlab")
    if isinstance(lab, JupyterLab):
        rep.sections.append(("jupyterlab log (tail)", lab.log_text()[-6000:]))
    pg = item.funcargs.get("page")
    errors = getattr(pg, "lgw_console_errors", None)
    if errors:
        rep.sections.append(("browser console errors", "\n".join(errors[-50:])))


def pytest_sessionfinish(session, exitstatus):
    """Last line of defence: no Jupyter/kernel/Chromium process started here may outlive pytest."""
    leaked = kill_harness_processes(RUN_MARKER_PREFIX)
    if leaked:
        sys.stderr.write(f"\n[browser harness] killed leaked processes: {leaked}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> JupyterLab:
    """A JupyterLab server whose root dir is a fresh temp dir (shared by the tests of a module).

    Tests write notebooks into `jupyterlab.root_dir` (`write_notebook`) and open them with
    `open_notebook`. Use a distinct notebook name per test: a kernel session outlives the page,
    and re-opening the same path reconnects to the old kernel (or call
    `jupyterlab.shutdown_all_kernels()`).
    The server log is at `jupyterlab.log_path`; its tail is attached to failing tests' reports.
    """
    root = tmp_path_factory.mktemp("lab-root")
    with start_jupyterlab(root) as lab:
        yield lab


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it lives, and pytest-asyncio cannot run the async tests of other modules then.
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM_PATH):
        pytest.fail(
            f"{CHROMIUM_PATH} not found: the browser tests need Debian's chromium "
            "(apt-get install chromium); `playwright install` is not used.",
            pytrace=False,
        )
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser, request):
    """A page in a fresh browser context (own cookies/storage), closed after the test.

    Console errors and page errors are collected in `page.lgw_console_errors`.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.lgw_console_errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()
