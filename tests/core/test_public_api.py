"""The package has one face: plugins/ and examples/ use nothing of mojodex_core but what __init__ exports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mojodex_core

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = {"mojodex_core", "mojodex_core.testing"}  # the face, and the author kit (a pytest plugin)


def imports_of(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, name) for every import from mojodex_core in a file (name "" for ``import x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names if alias.name.startswith("mojodex_core")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mojodex_core"):
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
    return found


def checked_files(root: Path) -> list[Path]:
    """The files that must use the public face only: every module of plugins/ and examples/ under ``root``."""
    return [*(root / "plugins").rglob("*.py"), *(root / "examples").rglob("*.py")]


def private_imports(files: list[Path], root: Path) -> list[str]:
    """One line per import of something ``mojodex_core`` does not export, as ``path:line: what``."""
    wrong = []
    for path in files:
        for line, module, name in imports_of(path):
            where = f"{path.relative_to(root)}:{line}"
            if module not in PUBLIC_MODULES:
                wrong.append(f"{where}: imports {module}")
            elif module == "mojodex_core" and name and name not in mojodex_core.__all__:
                wrong.append(f"{where}: imports {name}, which mojodex_core does not export")
    return wrong


def test_plugins_and_examples_import_the_public_face_only():
    files = checked_files(ROOT)
    assert len(files) > 10
    assert private_imports(files, ROOT) == []


def test_the_check_sees_a_private_import(tmp_path):
    # A tree of its own, laid out as the project's: the check runs as above, and the real plugins stay untouched.
    bad = tmp_path / "plugins" / "mojodex_help" / "_probe_private_import.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from mojodex_core._text import sanitize\nfrom mojodex_core import not_a_public_name\n"
                   "from mojodex_core import hookimpl\nimport mojodex_core.testing\n")
    found = private_imports(checked_files(tmp_path), tmp_path)
    assert len(found) == 2 and "mojodex_core._text" in found[0] and "not_a_public_name" in found[1]
    assert found[0].startswith("plugins/mojodex_help/_probe_private_import.py:1: ")


def test_every_exported_name_resolves_and_is_documented():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name in mojodex_core.__all__:
        assert getattr(mojodex_core, name) is not None, name
        assert f"`{name}" in guide, f"docs/plugins.md does not document mojodex_core.{name}"


def test_importing_the_face_loads_nothing_behind_it():
    code = ("import sys, mojodex_core; "
            "print(sorted(m for m in sys.modules if m.startswith('mojodex_core.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
