"""The public surface: what ``lgwidget`` exports, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import lgwidget


def test_all_names_exist_and_nothing_public_is_missing() -> None:
    for name in lgwidget.__all__:
        assert getattr(lgwidget, name) is not None
    public = {n for n in dir(lgwidget) if not n.startswith("_")
              and not isinstance(getattr(lgwidget, n), types.ModuleType)}  # subpackages: demo
    hooks = {"load_ipython_extension", "unload_ipython_extension"}  # IPython finds these
    assert public - set(lgwidget.__all__) <= {"annotations", "TYPE_CHECKING", "Any", *hooks}


def test_import_is_cheap() -> None:
    """``import lgwidget`` loads neither the HTTP stack, the widget stack nor IPython."""
    code = ("import sys, lgwidget; heavy = [m for m in ('httpx', 'httpx_sse', 'anywidget', "
            "'ipywidgets', 'IPython', 'traitlets') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_errors_share_one_root() -> None:
    for name in ("ConnectError", "APIStatusError", "ProtocolError", "DisconnectedError"):
        assert issubclass(getattr(lgwidget, name), lgwidget.LGWidgetError)


def test_a_url_without_scheme_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        lgwidget.Client("127.0.0.1:2024")


def test_the_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGGRAPH_API_URL", raising=False)
    assert lgwidget.Client().url == "http://127.0.0.1:2024"
    monkeypatch.setenv("LANGGRAPH_API_URL", "http://10.1.2.3:8123/")
    assert lgwidget.Client().url == "http://10.1.2.3:8123"
    assert lgwidget.Client("http://h:1").url == "http://h:1"
