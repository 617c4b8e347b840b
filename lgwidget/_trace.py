"""The link to a run's trace in LangSmith, built from the run id alone: no network call.

The Agent Server traces a run with the run's id as the id of the trace's root run, so the
trace is at ``<project page>/r/<run_id>?poll=true``, the form the ``langsmith`` SDK builds
(``Client.get_run_url``). A project page's address, as the browser shows it,
``https://smith.langchain.com/o/<organization id>/projects/p/<project id>``, holds the base
URL (another host for a self-hosted LangSmith or another region) and the project: it is the
one setting. Finding it from a project's name would need LangSmith's API and a key.
"""

from __future__ import annotations

import os
import re
import warnings
from urllib.parse import quote, urlsplit

#: The environment variable with the default project page (for a server that traces every run).
ENV = "LGWIDGET_LANGSMITH_PROJECT"
_PROJECT_PATH = re.compile(r"/projects/p/[^/]+$")


def project_url(value: str | None) -> str | None:
    """A project page's address, checked: http(s), ending in ``/projects/p/<id>``."""
    if value is None or value == "":
        return None
    url = value.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.username \
            or not _PROJECT_PATH.search(parts.path):
        raise ValueError(
            f"not a LangSmith project page: {value!r}; expected the address your browser shows "
            "for the project, "
            "https://smith.langchain.com/o/<organization id>/projects/p/<project id>")
    return url


def default_project() -> str | None:
    """The project page from ``$LGWIDGET_LANGSMITH_PROJECT``, or None (with a warning when it
    is set to something else: a run must not fail over its link)."""
    try:
        return project_url(os.environ.get(ENV))
    except ValueError as exc:
        warnings.warn(f"${ENV}: {exc}", stacklevel=2)
        return None


def trace_url(project: str | None, run_id: str | None) -> str | None:
    """The trace of run ``run_id`` in ``project`` (a checked project page), or None."""
    if not project or not run_id:
        return None
    return f"{project}/r/{quote(run_id, safe='')}?poll=true"
