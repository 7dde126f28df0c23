"""A three-conversation workflow whose middle one writes code, and a model that answers it by conversation and
message number (whatever the order of the calls), for the edit, rewind and workspace tests."""

from __future__ import annotations

from typing import Any

from local_helpers import turn_of

from mojodex_engine.testing import Reply

THREE_TALKS = """
name = "Three talks"
description = "Plan, code, review"
inputs = ["task"]

[[roles]]
name = "Boss"
description = "Decides."

[[roles]]
name = "Maker"
description = "Builds."

[[artifacts]]
name = "Task"
from_input = "task"

[[artifacts]]
name = "Plan"

[[artifacts]]
name = "Code"
files = true

[[artifacts]]
name = "Notes"

[[conversations]]
name = "Planning"
lead = "Boss"
assistant = "Maker"
input = "Task"
output = "Plan"
turns = 2

[[conversations]]
name = "Coding"
lead = "Maker"
assistant = "Boss"
input = "Plan"
output = "Code"
turns = 2

[[conversations]]
name = "Reviewing"
lead = "Boss"
assistant = "Maker"
input = "Code"
output = "Notes"
turns = 2
"""

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
