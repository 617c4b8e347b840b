"""lgwidget: live, collapsible views of LangGraph agent runs in Jupyter.

``import lgwidget`` is cheap: the HTTP client, the widget and IPython load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    APIStatusError,
    ConnectError,
    DisconnectedError,
    LGWidgetError,
    ProtocolError,
    RunError,
)
from ._parts import StreamPart
from ._version import __version__

if TYPE_CHECKING:
    from ._batch import Batch, batch
    from ._client import Client, stream
    from ._compare import Comparison, compare
    from ._graph_widget import show_graph
    from ._widget import RunWidget

# name -> module that defines it, imported on first access (PEP 562).
_LAZY = {
    "Client": "._client",
    "stream": "._client",
    "RunWidget": "._widget",
    "show_graph": "._graph_widget",
    "Batch": "._batch",
    "batch": "._batch",
    "Comparison": "._compare",
    "compare": "._compare",
}

__all__ = [
    "APIStatusError",
    "Batch",
    "Client",
    "Comparison",
    "ConnectError",
    "DisconnectedError",
    "LGWidgetError",
    "ProtocolError",
    "RunError",
    "RunWidget",
    "StreamPart",
    "__version__",
    "batch",
    "compare",
    "show_graph",
    "stream",
]


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext lgwidget``: registers ``%%lgrun`` (imported here, not at ``import lgwidget``)."""
    from ._magic import load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from ._magic import unload

    unload(shell)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lgwidget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
