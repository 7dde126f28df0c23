"""Mojodex shell core: the plugin contract, config, credentials, the HTTP client and the prompt loop.

Plugins import what they need from here: ``from mojodex_core import hookimpl, StepEvent, MojodexError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["MojodexError", "StepEvent", "WorkflowInfo", "__version__", "hookimpl"]

if TYPE_CHECKING:
    from mojodex_core._errors import MojodexError
    from mojodex_core._events import StepEvent, WorkflowInfo
    from mojodex_core.hookspecs import hookimpl


def __getattr__(name: str) -> Any:
    # Lazy so that `mojodex --version` imports nothing but this file.
    if name == "hookimpl":
        from mojodex_core.hookspecs import hookimpl

        return hookimpl
    if name in ("StepEvent", "WorkflowInfo"):
        from mojodex_core import _events as events

        return getattr(events, name)
    if name == "MojodexError":
        from mojodex_core._errors import MojodexError

        return MojodexError
    raise AttributeError(f"module 'mojodex_core' has no attribute {name!r}")
