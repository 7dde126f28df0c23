"""The ``task`` commands: instruct tasks of Mojodex 0.4 (the assistant writes a document), chat, past runs."""

from __future__ import annotations


class TaskPlugin:
    """Built-in plugin object (one per shell)."""
