"""``ctx.confirm`` without a terminal: the line it refuses with names the flag that answers the question."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mojodex_core import NotInteractiveError
from mojodex_core.testing import make_context


@pytest.mark.parametrize(("refusal", "said"), [
    ("deleting todo 3 asks first: pass --yes to delete it", "deleting todo 3 asks first: pass --yes to delete it"),
    (None, "'Delete todo 3? (y/N)' needs an answer, but there is no terminal to ask"),
])
def test_confirm_without_a_terminal_refuses_with_the_caller_s_line(
    tmp_path: Path, refusal: str | None, said: str
) -> None:
    ctx = make_context(tmp_path, builtins=False, interactive=False)
    try:
        with pytest.raises(NotInteractiveError) as raised:
            asyncio.run(ctx.confirm("Delete todo 3? (y/N)", default=False, refusal=refusal))
    finally:
        asyncio.run(ctx.aclose())
    assert str(raised.value) == said
