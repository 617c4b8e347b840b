"""The package's structure: no import circles, one job per module, one version."""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

import lgwidget

PACKAGE = Path(lgwidget.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """Every module this one imports, anywhere in it (imports inside functions count: a lazy
    import is still a dependency). ``from . import x`` is the submodule x when ``modules`` has
    it, else the package."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    names = frozenset(modules)
    return {name: {m for m in _imports(path, names) if m in modules and m != name}
            for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circles_in_the_package() -> None:
    graph = _graph()
    assert len(graph) > 10 and graph["lgwidget._widget"], graph  # the parser sees imports
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]


def test_the_widget_knows_nothing_of_http_and_the_wire_nothing_of_widgets() -> None:
    def imported(module: str) -> set[str]:
        return _imports(PACKAGE / f"{module}.py")

    assert not {m for m in imported("_widget") if m.split(".")[0] in {"httpx", "httpx_sse"}}
    assert "lgwidget._client" not in imported("_widget")
    for wire in ("_client", "_decode", "_request"):
        assert not {m for m in imported(wire) if m.split(".")[0] in {"anywidget", "traitlets"}}


def test_the_version_is_declared_once() -> None:
    assert importlib.metadata.version("lgwidget") == lgwidget.__version__
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject
