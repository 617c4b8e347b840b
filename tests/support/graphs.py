"""The test graphs (``tests/graphs/<name>.py``, what the test server serves) loaded in this
process, once each, for the in-process side of a comparison."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

GRAPHS = Path(__file__).parent.parent / "graphs"


def test_graph_module(name: str) -> ModuleType:
    """``tests/graphs/<name>.py`` as a module (``graph``, ``shapes.fanout``, ...)."""
    key = f"lgwidget_test_graphs_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, GRAPHS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


test_graph_module.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name
