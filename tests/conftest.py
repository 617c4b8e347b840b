"""Shared fixtures: one real ``langgraph dev`` server for the whole test session."""

from collections.abc import Iterator

import pytest

from tests.support.server import TEST_GRAPHS, run_langgraph_dev


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL of a live server with the graphs agent, failing, interrupting and bulk.

    Session-scoped because a start costs about 1.5 s. The context manager stops
    the server even when tests fail or the session is interrupted.
    """
    with run_langgraph_dev(TEST_GRAPHS) as url:
        yield url
