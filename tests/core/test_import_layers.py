"""`mojodex_core` and `mojodex_server` import themselves in layers: no module imports, at run time, one that imports
it back.

In the core, only the imports a module runs when it is loaded count: those at its top level (not under
``if TYPE_CHECKING:``, not inside a function, which runs later). In the reference server, an import inside a
function counts too: its layers are the shared modules, the dialect registry, one package per dialect and the
server that holds them, and only type hints look back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mojodex_core
import mojodex_server

CORE = Path(mojodex_core.__file__).parent
SERVER = Path(mojodex_server.__file__).parent
FACE: dict[str, str] = mojodex_core._NAMES  # a name of the face -> the private module that holds it


def _module_name(path: Path, root: Path = CORE) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _load_time_imports(tree: ast.Module, name: str, package: bool, late: bool = False) -> set[str]:
    """The modules that loading the module ``name`` imports (``late``: and its functions, when they run)."""
    base = name if package else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parent = base.rsplit(".", node.level - 1)[0] if node.level > 1 else base
                    module = f"{parent}.{node.module}" if node.module else parent
                else:
                    module = node.module or ""
                if node.module or not node.level:  # (``from . import x``: x, a module beside this one)
                    found.add(module)
                for alias in node.names:
                    found.add(f"{module}.{alias.name}")  # a submodule imported by name
                    if module == "mojodex_core" and alias.name in FACE:  # the face loads the name's module
                        found.add(f"mojodex_core.{FACE[alias.name]}")
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, (ast.With, ast.AsyncWith, ast.ClassDef)):
                visit(node.body)  # a class body runs at load time (a function's body, later: not visited)
            elif late and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body)

    visit(tree.body)
    return found


def _graph(root: Path = CORE, late: bool = False) -> dict[str, set[str]]:
    paths = {_module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imported = _load_time_imports(tree, name, path.name == "__init__.py", late)
        graph[name] = {module for module in imported if module in paths and module != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, as the list of its modules (the first one again at the end), or None."""
    state: dict[str, int] = {}  # 1: being visited, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return [*stack[stack.index(other):], other]
            if other not in state:
                found = visit(other)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_type_only_and_late_imports_do_not_count() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from mojodex_core import _files\n"
        "if TYPE_CHECKING:\n    from mojodex_core._server import Server\n"
        "def later():\n    from mojodex_core import _shell\n"
        "from ._text import sanitize\n"
        "from mojodex_core import UsageError\n")
    found = {module for module in _load_time_imports(tree, "mojodex_core._x", False) if "mojodex_core" in module}
    assert found == {"mojodex_core", "mojodex_core._files", "mojodex_core._text", "mojodex_core._text.sanitize",
                     "mojodex_core.UsageError", "mojodex_core._errors"}  # the face's UsageError loads _errors


def test_mojodex_core_has_no_import_cycle() -> None:
    graph = _graph()
    assert "mojodex_core._server" in graph  # the walk found the modules
    cycle = _cycle(graph)
    assert cycle is None, "import cycle in mojodex_core: " + " -> ".join(cycle or [])


def test_the_reference_server_has_no_import_cycle_even_inside_functions() -> None:
    graph = _graph(SERVER, late=True)
    assert "mojodex_server.mojodex_04.task_routes" in graph
    cycle = _cycle(graph)
    assert cycle is None, "import cycle in mojodex_server: " + " -> ".join(cycle or [])


def test_a_dialect_package_imports_no_other_dialect_and_shared_modules_import_none() -> None:
    """The server picks a dialect by name (mojodex_server.dialect); only 2024 builds on the spec, as its backend
    did."""
    dialects = {"mojodex_server.spec", "mojodex_server.mojodex_2024", "mojodex_server.mojodex_04"}
    allowed = {"mojodex_server.mojodex_2024": {"mojodex_server.spec"}}

    def package(module: str) -> str | None:
        return next((d for d in dialects if module == d or module.startswith(d + ".")), None)

    for module, imported in _graph(SERVER, late=True).items():
        own = package(module)
        for other in imported:
            theirs = package(other)
            if theirs is not None and theirs != own:
                assert theirs in allowed.get(own or "", set()), f"{module} imports {other}"
