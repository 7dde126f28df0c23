"""A three-conversation workflow whose middle one writes code, and a model that answers it by conversation and
message number (whatever the order of the calls), for the edit, rewind and workspace tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local_helpers import turn_of

from mojodex_engine.testing import Reply

THREE_TALKS = (Path(__file__).with_name("three_talks.toml")).read_text(encoding="utf-8")

CODE = """Here is the code.

```python path=app/main.py
print("hello")
```

```python
def helper():
    return 1
```"""


def three_talks_reply(body: dict[str, Any]) -> str | Reply:
    """Message 1 opens, message 2 gives the output and ends; Coding's output is CODE."""
    conv, speaker, turn = turn_of(body)
    if turn == 1:
        return f"{speaker}: Let us do {conv}."
    output = {"Planning": "PLAN-1: write hello", "Coding": CODE, "Reviewing": "NOTES-1: fine"}[conv]
    return f"{speaker}: {output}\nEND CONVERSATION"


def conversations(requests: list[dict[str, Any]]) -> list[str]:
    return [turn_of(r)[0] for r in requests]
