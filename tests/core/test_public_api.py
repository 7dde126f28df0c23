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


def private_imports() -> list[str]:
    wrong = []
    files = [*(ROOT / "plugins").rglob("*.py"), *(ROOT / "examples").rglob("*.py")]
    assert len(files) > 10
    for path in files:
        for line, module, name in imports_of(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if module not in PUBLIC_MODULES:
                wrong.append(f"{where}: imports {module}")
            elif module == "mojodex_core" and name and name not in mojodex_core.__all__:
                wrong.append(f"{where}: imports {name}, which mojodex_core does not export")
    return wrong


def test_plugins_and_examples_import_the_public_face_only():
    assert private_imports() == []


def test_the_check_sees_a_private_import(tmp_path, monkeypatch):
    bad = ROOT / "plugins" / "mojodex_help" / "_probe_private_import.py"
    bad.write_text("from mojodex_core._text import sanitize\nfrom mojodex_core import not_a_public_name\n")
    try:
        found = private_imports()
    finally:
        bad.unlink()
    assert len(found) == 2 and "mojodex_core._text" in found[0] and "not_a_public_name" in found[1]


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
