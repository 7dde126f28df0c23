"""docs/hooks.md documents every hook of mojodex_core/hookspecs.py, with the hook's own arguments."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from mojodex_core import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def declared_hooks() -> dict[str, list[str]]:
    """Every hookspec: its name and its arguments, in order."""
    marker = f"{hookspecs.PROJECT}_spec"
    return {
        name: list(inspect.signature(func).parameters)
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(func, marker)
    }


def documented_hooks() -> dict[str, list[str]]:
    """Every ``### `mojodex_name(arg, ...)``` heading of docs/hooks.md."""
    found = {}
    for name, args in re.findall(r"^### `(mojodex_\w+)\(([^)]*)\)`\s*$", DOCS.read_text(encoding="utf-8"), re.M):
        found[name] = [a.strip() for a in args.split(",") if a.strip()]
    return found


def test_the_spec_declares_the_contract_hooks():
    hooks = declared_hooks()
    for name in ("mojodex_register_commands", "mojodex_step_started", "mojodex_step_ended", "mojodex_startup",
                 "mojodex_shutdown"):
        assert name in hooks


def test_every_hook_is_documented():
    missing = sorted(set(declared_hooks()) - set(documented_hooks()))
    assert missing == [], f"docs/hooks.md lacks a section for {missing}"


def test_documented_arguments_match_the_spec():
    documented = documented_hooks()
    wrong = {name: (args, documented[name]) for name, args in declared_hooks().items()
             if name in documented and documented[name] != args}
    assert wrong == {}, "docs/hooks.md shows other arguments (spec, docs) for these hooks"


def test_no_documented_hook_is_unknown():
    extra = sorted(set(documented_hooks()) - set(declared_hooks()))
    assert extra == [], f"docs/hooks.md documents hooks hookspecs.py does not declare: {extra}"


def test_every_hook_has_a_docstring_and_an_example():
    text = DOCS.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    for name in declared_hooks():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
        [section] = [s for s in sections if s.startswith(f"`{name}(")]
        assert "**When:**" in section and "**Returns:**" in section and "```python" in section, name
