"""The user's editor (``$VISUAL``, ``$EDITOR``, else ``vi``) on a text, in a private temporary file."""

from __future__ import annotations

from mojodex_core._errors import MojodexError


async def open_in_editor(text: str, *, prefix: str = "mojodex-", suffix: str = ".txt") -> str:
    """Open the user's editor on ``text``; the file's text once the editor exits.

    ``MojodexError`` (one line, ending "nothing was sent") when the editor cannot start or exits with a failure
    status. The temporary file is removed in every case.
    """
    import asyncio
    import os
    import shlex
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError:
        raise MojodexError(f"cannot read the editor command {editor!r} ($VISUAL or $EDITOR)") from None
    if not command:
        raise MojodexError("the editor command ($VISUAL or $EDITOR) is empty: nothing was sent")
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            proc = await asyncio.create_subprocess_exec(*command, path)
        except OSError as exc:
            raise MojodexError(f"cannot start the editor {command[0]!r}: {exc.strerror or exc} "
                               "(set $VISUAL or $EDITOR)") from None
        if await proc.wait() != 0:
            raise MojodexError(f"the editor exited with status {proc.returncode}: nothing was sent")
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    finally:
        os.unlink(path)
