"""The package's layers, as pyproject.toml's import-linter contract states them, hold; no module
imports another in a cycle, counting imports inside functions and under ``TYPE_CHECKING``; and
the type checker is clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "portal_blocks"


def tool(name: str) -> str:
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it is in the test extra)")
    return found


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("lint-imports"), "--no-cache"], cwd=cwd, capture_output=True, text=True
    )


def test_the_layering_contract_holds():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract can fail: a copy of the package where routing (domain) imports GraphQL."""
    shutil.copytree(PACKAGE, tmp_path / "portal_blocks", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    routing = tmp_path / "portal_blocks" / "layout" / "routing.py"
    routing.write_text(
        routing.read_text() + "\nfrom portal_blocks.graphql.errors import PublicError  # noqa\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "portal_blocks.layout.routing is not allowed to import portal_blocks.graphql" in (
        result.stdout
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "migrations/versions" not in p.as_posix()
    }


def _imports(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, bool]]:
    """(imported module, whether the import sits at module level outside TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def targets(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
            return
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        for alias in node.names:
            yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base

    def walk(node: ast.AST, top: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            here = top
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                here = False
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                here = False
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in targets(child):
                    while target not in known and "." in target:
                        target = target.rpartition(".")[0]
                    if target in known and target != module:
                        yield target, here
            yield from walk(child, here)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")), True)


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    modules = _modules()
    known = set(modules)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    hidden: list[str] = []
    for module, path in modules.items():
        for target, top in _imports(module, path, known):
            edges[module].add(target)
            if not top:
                hidden.append(f"{module} -> {target}")
    return edges, hidden


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
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
        for other in edges[node]:
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

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_in_a_cycle():
    edges, _hidden = _graph()
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_hides_inside_a_function_or_under_type_checking():
    _edges, hidden = _graph()
    assert hidden == []


def test_the_type_checker_is_clean():
    result = subprocess.run([tool("mypy")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr
