"""Arrows point down: `store` (tables, the writers' queue) below `sync` (the engine) below
`server` (the Litestar app), and no module imports one that imports it back.

Read from the source (every `import`, at module level or inside a function), so a call-time
import cannot hide a back-edge; imports under `if TYPE_CHECKING:` are for type hints only
and are not counted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "sync", "server")

# What each layer must never import.
FORBIDDEN = {
    "store": ("server", "sync", "litestar"),
    "sync": ("server", "litestar"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


MODULES = _modules()


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # `from . import x` imports the module x when there is one, else a name of `.`.
            found.update(
                f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target
                for alias in node.names
            )
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges = set()
        for target in _imports(name, path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_imports_nothing_above_it(layer: str) -> None:
    offending = sorted(
        f"{name} imports {target}"
        for name, path in MODULES.items()
        if name == layer or name.startswith(layer + ".")
        for target in _imports(name, path)
        if target.split(".")[0] in FORBIDDEN[layer]
    )
    assert offending == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_the_walk_sees_a_call_time_back_edge() -> None:
    # The check itself: an import inside a function counts like one at the top.
    graph = {"a": {"b"}, "b": set()}
    source = "def later():\n    from a import thing\n"
    tree = ast.parse(source)
    imported = {
        node.module for node in _runtime_nodes(tree) if isinstance(node, ast.ImportFrom)
    }
    graph["b"] |= {name for name in imported if name}
    assert _cycles(graph) == [["a", "b"]]
    # … and one under TYPE_CHECKING does not.
    typed = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import T\n")
    seen = [n.module for n in _runtime_nodes(typed) if isinstance(n, ast.ImportFrom)]
    assert seen == ["typing"]
