"""The built-in plugins and the example annotate every ``ctx`` with ``mojodex_core.Context``, so that mypy (in CI)
checks them against what docs/plugins.md promises; mypy itself checks that the shell's context is one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _plugin_sources() -> list[Path]:
    files = sorted((ROOT / "plugins").rglob("*.py"))
    files += sorted((ROOT / "examples" / "mojodex-transcript" / "mojodex_transcript").rglob("*.py"))
    return files


def _untyped_ctx(tree: ast.AST) -> list[str]:
    """Each ``ctx`` parameter, or ``ctx`` attribute given a type, whose annotation is not ``Context``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if arg.arg == "ctx" and (arg.annotation is None or ast.unparse(arg.annotation) != "Context"):
                    found.append(f"{node.name}() line {node.lineno}")
        elif (isinstance(node, ast.AnnAssign) and ast.unparse(node.target) in ("ctx", "self.ctx")
              and ast.unparse(node.annotation) not in ("Context", "Context | None")):
            found.append(f"{ast.unparse(node.target)} line {node.lineno}")
    return found


def test_every_ctx_of_the_plugins_and_the_example_is_a_context():
    sources = _plugin_sources()
    assert len(sources) > 30  # the plugins were found
    untyped = {str(p.relative_to(ROOT)): u for p in sources if (u := _untyped_ctx(ast.parse(p.read_text())))}
    assert untyped == {}


def test_the_check_sees_a_ctx_typed_any():
    tree = ast.parse("def hello(ctx: Any, args): ...\nasync def ok(self, ctx: Context): ...\n"
                     "class P:\n    def __init__(self):\n        self.ctx: Any = None\n")
    assert _untyped_ctx(tree) == ["hello() line 1", "self.ctx line 5"]
