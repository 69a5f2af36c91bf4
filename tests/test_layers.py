"""The direction of dependencies: `api` uses `ambidex`, never the other way, and the modules of
`ambidex` import each other without cycles (read from the source, as Python would import it)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "ambidex"
# The one place the core reaches the web layer: `ambidex serve` starts it, lazily.
ALLOWED_API_IMPORTS = {("ambidex.cli", "serve")}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST) -> list[tuple[str, str | None]]:
    """(imported module, enclosing function or None) for every import in a module."""
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.append((child.module, function))
                found.extend((f"{child.module}.{alias.name}", function) for alias in child.names)
            visit(child, function)

    visit(tree, None)
    return found


def _graph() -> dict[str, list[tuple[str, str | None]]]:
    return {
        _module(path): _imports(ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_nothing_in_the_core_imports_the_web_layer() -> None:
    graph = _graph()
    assert "ambidex.cli" in graph and "ambidex.search" in graph
    offending = {
        (module, function)
        for module, imports in graph.items()
        for name, function in imports
        if (name == "api" or name.startswith("api.")) and (module, function) not in ALLOWED_API_IMPORTS
    }
    assert offending == set()


def test_the_core_has_no_import_cycles() -> None:
    graph = _graph()
    edges = {
        module: {name for name, function in imports if function is None and name in graph and name != module}
        for module, imports in graph.items()
    }
    state: dict[str, int] = {}

    def cycle_from(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                return [*path, module, target]
            if target not in state and (found := cycle_from(target, [*path, module])):
                return found
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state:
            assert cycle_from(module, []) is None
