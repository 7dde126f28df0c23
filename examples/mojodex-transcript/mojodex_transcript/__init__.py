"""mojodex-transcript: the validated steps of each workflow run, and the conversation of each instruct run (the
assistant's questions and every version of its draft), written to ~/.mojodex/transcripts/<run>.md.

The template for a Mojodex plugin: an entry point (see pyproject.toml), hooks on one class, one command.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The shell imports this module at every start, whatever the command: import only cheap things up here
# (mojodex_core is loaded already) and heavy libraries inside the functions that use them.
from mojodex_core import (
    MojodexError,
    ProducedText,
    RunInfo,
    StepEvent,
    UsageError,
    atomic_write,
    ensure_private_dir,
    hookimpl,
)

from mojodex_transcript import markdown

if TYPE_CHECKING:
    from mojodex_core import Context


class TranscriptPlugin:
    """The plugin. The entry point names a class, so the shell makes one instance per shell."""

    def __init__(self) -> None:
        self.shown: dict[tuple[str, str], Any] = {}  # (run, step execution) -> the result the user saw
        self.texts: dict[str, str] = {}  # run -> its Markdown, as written
        self.last: Path | None = None

    # -- hooks. An implementation takes any subset of the hook's arguments, by name (see docs/hooks.md).
    # A hook that raises is reported as one warning naming this plugin; the shell goes on.

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("transcript", self.show, help="Show the last run's transcript (Markdown)",
                 usage="transcript [--path]")

    @hookimpl
    def mojodex_step_ended(self, step: StepEvent) -> None:
        # A result is on screen and waits for the user's answer: nothing is written before a yes.
        self.shown[(step.session_id, str(step.step_execution_pk))] = step.result

    @hookimpl
    def mojodex_step_validated(self, step: StepEvent, ctx: Context) -> None:
        seen = self.shown.pop((step.session_id, str(step.step_execution_pk)), None)
        result = step.result if step.result is not None else seen
        text = self._text(ctx, step.session_id, step.source)
        number = markdown.step_count(text) + 1
        self._write(ctx, step.session_id, text + markdown.step_section(number, step.step_name, result))

    # Instruct tasks (Mojodex 0.4): the assistant asks (mojodex_assistant_message) or writes a version of its
    # document (mojodex_draft); each fires once, after the shell showed it.

    @hookimpl
    def mojodex_assistant_message(self, text: str, run: RunInfo, ctx: Context) -> None:
        body = self._text(ctx, run.session_id, "instruct")
        self._write(ctx, run.session_id, body + markdown.message_section(text))

    @hookimpl
    def mojodex_draft(self, draft: ProducedText, run: RunInfo, ctx: Context) -> None:
        body = self._text(ctx, run.session_id, "instruct")
        self._write(ctx, run.session_id, body + markdown.draft_section(draft.version, draft.title, draft.text))

    @hookimpl
    def mojodex_run_ended(self, run: RunInfo, status: str, ctx: Context) -> None:
        # The run's owner says it is over once it has handled everything before, the last validation included
        # (the server's own end event may arrive while that validation is still on its way): the run's text
        # comes last. Instruct runs have theirs in their draft sections already.
        if status != "finished" or run.kind != "workflow" or run.produced is None:
            return
        if self._known(ctx, run.session_id):
            text = self._text(ctx, run.session_id, "server")
            self._write(ctx, run.session_id, text + markdown.end_section(run.produced.title, run.produced.text))

    @hookimpl
    def mojodex_server_event(self, event: str, data: dict[str, Any], ctx: Context) -> None:
        # Any event of the run's room reaches this hook as it arrives; a failure of the run is one.
        session_id = str(data.get("session_id", ""))
        if event == "error" and self._known(ctx, session_id):
            text = self._text(ctx, session_id, "server")
            self._write(ctx, session_id, text + markdown.failure_section(str(data.get("error") or "unknown error")))

    # -- the command: handler(ctx, args), args being the words typed after its name.

    def show(self, ctx: Context, args: list[str]) -> None:
        if args not in ([], ["--path"]):
            raise UsageError("usage: transcript [--path]")  # a MojodexError is printed as one line
        path = self.last or _newest(ctx.home / "transcripts")
        if path is None:
            raise MojodexError("no transcript yet: it is written when you validate a step of a workflow run, "
                               "or when the assistant of a task answers")
        if args:
            ctx.print(str(path))
            return
        try:
            ctx.print(path.read_text(encoding="utf-8").rstrip())
        except OSError as exc:
            raise MojodexError(f"cannot read {path}: {exc.strerror or exc}") from exc

    # -- the file

    def _path(self, ctx: Context, session_id: str) -> Path:
        return ctx.home / "transcripts" / markdown.file_name(session_id)

    def _known(self, ctx: Context, session_id: str) -> bool:
        return session_id in self.texts or self._path(ctx, session_id).exists()

    def _text(self, ctx: Context, session_id: str, source: str) -> str:
        if session_id in self.texts:
            return self.texts[session_id]
        try:  # a run resumed in a later shell (`workflow resume`) carries on its transcript
            return self._path(ctx, session_id).read_text(encoding="utf-8")
        except OSError:
            return markdown.header(session_id, source, time.strftime("%Y-%m-%d %H:%M"))

    def _write(self, ctx: Context, session_id: str, text: str) -> None:
        # Hooks must not block the shell; one small file is fine. atomic_write: a reader never sees half
        # a file, and mode 0600 because a run's results are the user's own.
        path = self._path(ctx, session_id)
        try:
            ensure_private_dir(path.parent)
            atomic_write(path, text, mode=0o600)
        except OSError as exc:
            raise MojodexError(f"cannot write the transcript {path}: {exc.strerror or exc}") from exc
        self.texts[session_id] = text
        self.last = path


def _newest(folder: Path) -> Path | None:
    """The transcript written last, by an earlier shell too."""
    try:
        found = [(p.stat().st_mtime_ns, p) for p in folder.glob("*.md")]
    except OSError:
        return None
    return max(found)[1] if found else None
