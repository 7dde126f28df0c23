"""One defensive decoding for everything a server or a model sends: size, depth and type limits.

What comes out is plain JSON data (dicts with str keys, lists, str, int, float, bool, None) that the rest of
the shell can print, copy and write to a file without surprises: lone surrogates become U+FFFD, bytes (a
Socket.IO binary attachment) become a short placeholder text, anything else becomes its ``str``.
"""

from __future__ import annotations

import re
from typing import Any

from mojodex_core._errors import BadResponseError

MAX_BYTES = 32 * 1024 * 1024  # a server answer larger than this is refused
MAX_DEPTH = 64  # protocol payloads are 4 or 5 levels deep; step results a few more
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def loads(body: bytes | str, what: str = "an answer") -> Any:
    """Decode a JSON body; a body too large, not JSON, or nested too deep is one ``BadResponseError``."""
    import json

    if len(body) > MAX_BYTES:
        raise BadResponseError(f"the server sent {what} larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        data = json.loads(body)
    except RecursionError:
        raise _too_deep(what) from None
    except ValueError:
        raise BadResponseError(f"the server sent {what} that is not valid JSON") from None
    return clean(data, what)


def clean(value: Any, what: str = "an answer") -> Any:
    """``value`` as plain, printable JSON data (see the module's docstring); too deep: ``BadResponseError``."""
    return _clean(value, 0, what)


def _clean(item: Any, depth: int, what: str) -> Any:
    # Recursive, and safe: it never goes deeper than MAX_DEPTH frames, far below the interpreter's limit.
    if isinstance(item, str):
        return item if item.isascii() or not _SURROGATES.search(item) else _SURROGATES.sub("\ufffd", item)
    if isinstance(item, dict):
        if depth >= MAX_DEPTH:
            raise _too_deep(what)
        return {(k if type(k) is str and k.isascii() else text(k)): _clean(v, depth + 1, what)
                for k, v in item.items()}
    if isinstance(item, list | tuple):
        if depth >= MAX_DEPTH:
            raise _too_deep(what)
        return [_clean(v, depth + 1, what) for v in item]
    return _scalar(item)


def text(value: Any) -> str:
    """A string that encodes to UTF-8 whatever it held (lone surrogates replaced)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes of binary data>"
    s = value if isinstance(value, str) else str(value)
    return _SURROGATES.sub("\ufffd", s) if _SURROGATES.search(s) else s


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    return text(value)


def _too_deep(what: str) -> BadResponseError:
    return BadResponseError(f"the server sent {what} nested more than {MAX_DEPTH} levels deep")
