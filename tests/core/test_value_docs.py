"""docs/plugins.md shows how to make every dataclass ``mojodex_core`` exports: its constructor (the required fields
in order, then the optional ones with their defaults) and a one-line example that works."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

import mojodex_core

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
MISSING = dataclasses.MISSING


def exported_dataclasses() -> dict[str, type]:
    found = {}
    for name in mojodex_core.__all__:
        value = getattr(mojodex_core, name)
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            found[name] = value
    return found


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.M | re.S)


def documented(name: str) -> tuple[ast.Call, str] | None:
    """The constructor shown for ``name`` (a block's statement ``Name(field, ..., field=default)``) and the block's
    example (``variable = Name(...)``), or None."""
    for block in python_blocks():
        if not block.startswith(f"{name}("):
            continue
        module = ast.parse(block)
        signature, *rest = module.body
        assert isinstance(signature, ast.Expr) and isinstance(signature.value, ast.Call), block
        examples = [ast.unparse(s.value) for s in rest
                    if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call)
                    and isinstance(s.value.func, ast.Name) and s.value.func.id == name]
        assert examples, f"the constructor of {name} in docs/plugins.md has no example after it"
        return signature.value, examples[0]
    return None


def default_of(field: dataclasses.Field[Any]) -> Any:
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return MISSING


def test_the_public_face_exports_the_value_classes():
    # The control for the tests below: they check these, and whatever dataclass joins __all__ later.
    assert {"StepEvent", "RunInfo", "ProducedText", "WorkflowInfo", "InputSpec", "ServerEvent"} <= set(
        exported_dataclasses())


@pytest.mark.parametrize("name", sorted(exported_dataclasses()))
def test_the_constructor_is_documented_with_its_required_fields_and_defaults(name):
    cls = exported_dataclasses()[name]
    shown = documented(name)
    assert shown is not None, f"docs/plugins.md shows no constructor of {name} (a block starting `{name}(`)"
    call, _ = shown
    fields = [f for f in dataclasses.fields(cls) if f.init]
    required = [f.name for f in fields if default_of(f) is MISSING]
    optional = {f.name: default_of(f) for f in fields if default_of(f) is not MISSING}

    assert all(isinstance(a, ast.Name) for a in call.args), ast.unparse(call)
    assert [a.id for a in call.args if isinstance(a, ast.Name)] == required, f"{name}: the required fields"
    assert [k.arg for k in call.keywords] == list(optional), f"{name}: the optional fields, in order"
    for keyword in call.keywords:
        assert ast.literal_eval(keyword.value) == optional[str(keyword.arg)], f"{name}.{keyword.arg}'s default"


@pytest.mark.parametrize("name", sorted(exported_dataclasses()))
def test_the_example_makes_one(name):
    shown = documented(name)
    assert shown is not None
    _, example = shown
    value = eval(example, {n: getattr(mojodex_core, n) for n in mojodex_core.__all__})
    assert isinstance(value, exported_dataclasses()[name])
