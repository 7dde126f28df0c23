"""Mojodex shell core: what a plugin may use, and nothing else (docs/plugins.md documents each name).

    from mojodex_core import hookimpl, MojodexError, UsageError, ArgumentParser, sanitize, result_lines

Everything else in this package is private (modules with a leading underscore) and may change at any time.
The names are loaded on first use, so that ``mojodex --version`` imports nothing but this file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the private module that holds it
_NAMES = {
    "hookimpl": "hookspecs",
    "Context": "_context_protocol",
    # errors
    "MojodexError": "_errors", "UsageError": "_errors", "ConfigError": "_errors", "NotInteractiveError": "_errors",
    "NotLoggedInError": "_errors", "NetworkError": "_errors", "ServerError": "_errors", "AuthError": "_errors",
    "NotFoundError": "_errors", "TermsNotAcceptedError": "_errors", "UnsupportedError": "_errors",
    "BadResponseError": "_errors", "CommandCancelled": "_errors",
    # commands
    "ArgumentParser": "_args", "HelpShown": "_args", "Command": "_registry",
    "parse_assignments": "_inputs", "pk_arg": "_inputs",
    # untrusted text
    "sanitize": "_text", "one_line": "_text", "clean": "_decode",
    "TextStream": "_stream", "Screen": "_stream",
    # what travels through hooks
    "StepEvent": "_events", "WorkflowInfo": "_events", "InputSpec": "_events", "RunInfo": "_events",
    "ServerEvent": "_events", "ProducedText": "_events",
    "Todo": "_events", "TodoPage": "_events", "Purchase": "_events", "Plan": "_events", "Account": "_events",
    "ProductCategory": "_events",
    "Resource": "_events",
    # showing results, asking
    "QUESTION": "_results", "result_lines": "_results", "report_event": "_results",
    "ask_validation": "_validation", "ask_inputs": "_inputs", "check_inputs": "_inputs",
    "input_text": "_inputs",
    # files
    "atomic_write": "_files", "ensure_private_dir": "_files", "file_lock": "_files", "update_json": "_files",
    "open_in_editor": "_editor",
    "ca_context": "_http",
    # the server
    "model_provider": "_models",
    "Server": "_server", "Capabilities": "_dialects._base", "PluginInfo": "_plugins_view",
    "DIALECTS": "_dialects",
}

__all__ = [
    "DIALECTS",
    "QUESTION",
    "Account",
    "ArgumentParser",
    "AuthError",
    "BadResponseError",
    "Capabilities",
    "Command",
    "CommandCancelled",
    "ConfigError",
    "Context",
    "HelpShown",
    "InputSpec",
    "MojodexError",
    "NetworkError",
    "NotFoundError",
    "NotInteractiveError",
    "NotLoggedInError",
    "Plan",
    "PluginInfo",
    "ProducedText",
    "ProductCategory",
    "Purchase",
    "Resource",
    "RunInfo",
    "Screen",
    "Server",
    "ServerError",
    "ServerEvent",
    "StepEvent",
    "TermsNotAcceptedError",
    "TextStream",
    "Todo",
    "TodoPage",
    "UnsupportedError",
    "UsageError",
    "WorkflowInfo",
    "__version__",
    "ask_inputs",
    "ask_validation",
    "atomic_write",
    "ca_context",
    "check_inputs",
    "clean",
    "ensure_private_dir",
    "file_lock",
    "hookimpl",
    "input_text",
    "model_provider",
    "one_line",
    "open_in_editor",
    "parse_assignments",
    "pk_arg",
    "report_event",
    "result_lines",
    "sanitize",
    "update_json",
]

if TYPE_CHECKING:
    from mojodex_core._args import ArgumentParser, HelpShown
    from mojodex_core._context_protocol import Context
    from mojodex_core._decode import clean
    from mojodex_core._dialects import DIALECTS
    from mojodex_core._dialects._base import Capabilities
    from mojodex_core._editor import open_in_editor
    from mojodex_core._errors import (
        AuthError,
        BadResponseError,
        CommandCancelled,
        ConfigError,
        MojodexError,
        NetworkError,
        NotFoundError,
        NotInteractiveError,
        NotLoggedInError,
        ServerError,
        TermsNotAcceptedError,
        UnsupportedError,
        UsageError,
    )
    from mojodex_core._events import (
        Account,
        InputSpec,
        Plan,
        ProducedText,
        ProductCategory,
        Purchase,
        Resource,
        RunInfo,
        ServerEvent,
        StepEvent,
        Todo,
        TodoPage,
        WorkflowInfo,
    )
    from mojodex_core._files import atomic_write, ensure_private_dir, file_lock, update_json
    from mojodex_core._http import ca_context
    from mojodex_core._inputs import ask_inputs, check_inputs, input_text, parse_assignments, pk_arg
    from mojodex_core._models import model_provider
    from mojodex_core._plugins_view import PluginInfo
    from mojodex_core._registry import Command
    from mojodex_core._results import QUESTION, report_event, result_lines
    from mojodex_core._server import Server
    from mojodex_core._stream import Screen, TextStream
    from mojodex_core._text import one_line, sanitize
    from mojodex_core._validation import ask_validation
    from mojodex_core.hookspecs import hookimpl


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'mojodex_core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"mojodex_core.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
