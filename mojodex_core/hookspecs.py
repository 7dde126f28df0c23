"""The plugin contract: every hook a Mojodex plugin can implement.

A plugin is a module (or a class, instantiated once per shell) named by an entry point of the group
``mojodex``, with functions decorated by ``@hookimpl``. An implementation may accept any subset of a hook's
arguments, by name. Hooks marked *may be async* may return an awaitable; the shell awaits it. A plugin whose
hook raises is named in one warning line and the other plugins still run.

This file is the reference: docs/hooks.md mirrors these docstrings (a test keeps them in step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from mojodex_core._context_protocol import Context
    from mojodex_core._events import ProducedText, RunInfo, StepEvent, Todo, WorkflowInfo

PROJECT = "mojodex"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mojodex_register_commands(register: Callable[..., None], ctx: Context) -> None:
    """Add commands to the shell. Fired once, when the plugin is loaded.

    Call ``register(name, handler, help="One line", usage="name ARGS", aliases=(), complete=None)`` once per
    command. ``name`` may have several words (``"workflow list"``). ``handler(ctx, args)`` is a plain or an
    ``async def`` function; ``args`` is the list of words typed after the command name (shell-style quoting).
    It may print with ``print()`` or ``ctx.print()``, raise ``MojodexError`` for a one-line error, and return
    an int exit status (None means 0). ``complete(ctx, args)``, if given, returns ``(text, meta)`` pairs that
    complete the next argument; it must be fast (no network). ``parser``, if given, is a function that builds
    the command's ``ArgumentParser``: ``help NAME`` then lists its options with their help, the usage line
    comes from it when ``usage`` is not given, and Tab completes its options. Return nothing.
    """


@hookspec
def mojodex_config_defaults() -> dict[str, Any] | None:
    """Return default values for the config keys this plugin owns, as a nested dict
    (``{"llm": {"model": "gpt-4o-mini"}}``), or None. Fired once at startup, before ``mojodex_startup``.

    The keys become known to ``config get/set/show`` (``config set`` refuses a key no one declares); a value a
    user sets must have the default's type. A table whose default is empty (``{}``) is free-form: any key in it
    may be set, to any value.
    """


@hookspec
def mojodex_cli_options(parser: argparse.ArgumentParser) -> None:
    """Add top-level options to the ``mojodex`` command line (``parser.add_argument("--demo", ...)``).

    Fired before the command line is parsed. Parsed values are in ``ctx.options`` by their dest name.
    Return nothing.
    """


@hookspec
def mojodex_startup(ctx: Context) -> None:
    """The shell is starting: config is read and plugins are loaded, no login has been tried yet.

    Fired once per shell, for interactive and one-shot use alike. May be async. Use it to keep ``ctx`` and to
    start background work. Return nothing.
    """


@hookspec
def mojodex_shutdown(ctx: Context) -> None:
    """The shell is leaving (exit, Ctrl-D, end of a one-shot command). May be async.

    Close connections and stop tasks started at startup. Return nothing.
    """


@hookspec
def mojodex_auth_changed(ctx: Context) -> None:
    """The logged-in user changed: a login succeeded, or the token was dropped (logout, or refused by
    the server). ``ctx.user`` is the new user or None. May be async. Return nothing.
    """


@hookspec
def mojodex_toolbar(ctx: Context) -> str | None:
    """Return a short text for the prompt's bottom toolbar (for example ``"socket: connected"``), or None.

    Called on every redraw: return a cached value, never do I/O here.
    """


@hookspec(firstresult=True)
def mojodex_login_hint(ctx: Context) -> str | None:
    """Return one line to say before the login questions (which account to use, where to get one), or None.

    Asked only when someone is at the terminal to answer them; the first plugin to answer wins.
    """


@hookspec
def mojodex_completions(ctx: Context, after: str | None) -> dict[str, list[tuple[str, str]]] | None:
    """Load what Tab offers as the first argument of commands, in the background: return
    ``{"command name": [(value, meta), ...]}`` (``{"notes show": [("12", "Shopping list")]}``), or None to keep
    what this plugin gave before. May be async, and may ask the server (check ``ctx.user`` first: a loader never
    asks anything, a login included).

    Fired by the interactive shell only: as its prompt first shows (``after`` is None), then after each command
    line ran (``after`` is that command's name, ``"workflow run"``: load again what it may have changed), once the
    prompt has been idle a quarter of a second. It runs in a task of its own and never holds a key up; a Tab
    pressed meanwhile waits for it a moment. A command's values are every plugin's, beside its own ``complete``
    function's; an answer replaces this plugin's previous values command by command. A failure goes to the debug
    log only.
    """


@hookspec(firstresult=True)
def mojodex_follow_session(ctx: Context, session_id: str, listener: Any) -> Any:
    """A server run wants its events: join the Socket.IO room ``session_id`` and deliver the room's events to
    ``listener`` until ``mojodex_unfollow_session``. Plugins call ``ctx.server.follow`` rather than this hook.

    ``listener.deliver(event)`` takes each event as a ``ServerEvent`` (read by ``ctx.server.event``), in the order
    they came; after a reconnection, join the room again and ``await listener.catch_up()``;
    ``listener.connection(state)`` is told ``"lost"`` and ``"back"``. May be async. The first non-None result wins:
    return True once followed. Raise ``MojodexError`` when the room cannot be joined.
    """


@hookspec
def mojodex_unfollow_session(ctx: Context, session_id: str) -> None:
    """A server run no longer wants its events (it ended, or the user left it). May be async."""


@hookspec
def mojodex_run_started(run: RunInfo, ctx: Context) -> None:
    """A workflow run started: its inputs were sent to the server, or a local run began (``run.kind`` is
    ``"local"`` then). Also fired when ``workflow resume`` picks a run up. Return nothing. Must not block.
    """


@hookspec
def mojodex_run_ended(run: RunInfo, status: str, ctx: Context) -> None:
    """A run the shell followed is over for now: ``status`` is ``"finished"`` (``run.produced`` holds the
    produced text when there is one), ``"failed"`` or ``"left"`` (the user left it waiting; it can be resumed).
    Fired after the shell printed its own last line of the run. Return nothing. Must not block.
    """


@hookspec
def mojodex_step_started(step: StepEvent, ctx: Context) -> None:
    """A workflow step execution began.

    Fired for server runs and local runs alike (``step.source`` says which), once per step execution, after the
    shell printed ``Step NAME started``; ``step.result`` is None. Return nothing. Must not block: start a task
    for slow work.
    """


@hookspec
def mojodex_step_ended(step: StepEvent, ctx: Context) -> None:
    """A workflow step execution finished and waits for the user's validation.

    Fired for server runs and local runs alike, once per step execution, after the shell printed ``Step NAME
    ended`` and before it shows the results; ``step.result`` is the list of result entries (None, with
    ``step.error`` set, when the server says the step failed). Return nothing. Must not block.
    """


@hookspec
def mojodex_step_validated(step: StepEvent, ctx: Context) -> None:
    """The user accepted a step's result (the validation was sent to the server, or the local run went on).

    ``step`` is the ended step that was accepted, with the result the user accepted (an edited one, if the user
    edited it). Return nothing. Must not block.
    """


@hookspec
def mojodex_step_invalidated(step: StepEvent, reason: str, ctx: Context) -> None:
    """A step execution will not be kept: the user rejected it with an instruction (``reason``), or the server
    invalidated it (a rerun, a restart). A new execution of the same step follows. Return nothing. Must not block.
    """


@hookspec
def mojodex_draft(draft: ProducedText, run: RunInfo, ctx: Context) -> None:
    """The assistant of an instruct task finished a version of its document (Mojodex 0.4's ``draft_message``):
    ``draft.title``, ``draft.text`` (Markdown), ``draft.version_pk``. Fired once per version, after the shell
    showed it. Return nothing. Must not block.
    """


@hookspec
def mojodex_draft_piece(piece: str, part: str, start: int, run: RunInfo, ctx: Context) -> None:
    """A piece of the draft the assistant of an instruct task is writing, as it streams (Mojodex 0.4's
    ``draft_token``): ``piece`` is only what is new in the draft's ``part``, ``"title"`` or ``"text"``.

    Fired for each new piece, after the shell wrote it, whether or not the draft is shown; then, right before
    ``mojodex_draft``, with whatever the finished version adds. So a version's pieces of each part, joined in
    order, are its ``draft.title`` and ``draft.text`` exactly. ``start`` is where the piece goes in its part:
    the length of what came before, unless the assistant rewrote the end of what it had written (rare): the
    part is then ``so_far[:start] + piece``. The text is the server's (``sanitize`` it to show it); a piece
    never ends inside a terminal control sequence. Return nothing. Must not block: it is called per token.
    """


@hookspec
def mojodex_assistant_message(text: str, run: RunInfo, ctx: Context) -> None:
    """The assistant said something whole in a run's conversation (a question before a draft, an answer to a
    rejected step): ``text``, once per message, after the shell showed it. Return nothing. Must not block.
    """


@hookspec
def mojodex_todos(todos: list[Todo], change: str, ctx: Context) -> None:
    """Todos were read from the server or one changed (Mojodex 0.4's to-do list): ``change`` is ``"listed"``
    (``todos`` are what ``todo list`` showed, and marked as read), ``"done"`` or ``"deleted"`` (``todos`` is the
    one todo the user ticked or deleted). Each ``Todo`` has ``pk``, ``description``, ``due``, ``run_pk``, ``done``
    and ``read``. Return nothing. Must not block.
    """


@hookspec
def mojodex_server_event(event: str, data: dict[str, Any], ctx: Context) -> None:
    """Every Socket.IO event of a followed run, as it arrived (raw: a server may send one twice), for plugins
    that want what the typed hooks do not carry: ``workflow_execution_produced_text``, ``error``,
    ``user_task_execution_title``, ``mojo_message``, and whatever else the server sends.

    ``event`` is the event name, ``data`` its payload (a dict; a non-dict payload comes as
    ``{"payload": value}``). Also fired with ``event="disconnected"`` and ``data={"session_ids": [...]}`` when
    the socket dropped (nothing arrives until it is back), and with ``event="reconnected"`` and the same ``data``
    after the socket came back and rejoined its rooms. Return nothing. Must not block.
    """


@hookspec
def mojodex_list_workflows(ctx: Context) -> list[WorkflowInfo] | None:
    """Return the workflows this plugin can run, for ``workflow list``, or None. May be async.

    Raise ``MojodexError`` to have one line printed for this source while the others are still listed.
    """


@hookspec(firstresult=True)
def mojodex_run_workflow(ctx: Context, ref: str, inputs: dict[str, str], assume_yes: bool,
                         json_mode: bool, jsonl: bool, output: Path | None) -> Any:
    """Run the workflow ``ref`` if this plugin owns it, else return None. May be async.

    ``inputs`` holds values given on the command line (``--input name=value``); ask for the others.
    ``assume_yes`` accepts every step without asking. How the run is shown, the same for every source of runs:
    ``json_mode`` (``--json``): nothing on stdout but one JSON document once the run is over (``run_pk``,
    ``workflow``, ``title``, ``status``, ``inputs``, ``steps``, ``produced_text``...); ``jsonl`` (``--jsonl``):
    each event as one JSON line as it happens (``{"event": "step_ended", "run_pk": ..., ...}``, through
    ``report_event``); neither: text for a person. With either, messages go to stderr. ``output``
    (``--output FILE``) or None: the shell writes ``run.produced`` there (Markdown, atomically) when
    ``mojodex_run_ended`` says the run finished; a run that can produce no text raises ``UsageError`` before
    anything runs. Return an int exit status (0 when the run ended well).
    """


@hookspec(firstresult=True)
def mojodex_resume_workflow(ctx: Context, ref: str, assume_yes: bool, json_mode: bool, jsonl: bool,
                            output: Path | None) -> Any:
    """Carry on a run left waiting (``workflow resume REF``) if this plugin owns ``ref``, else return None.

    ``assume_yes``, ``json_mode``, ``jsonl`` and ``output`` as for ``mojodex_run_workflow``. May be async.
    Return an int exit status.
    """


@hookspec
def mojodex_list_runs(ctx: Context) -> Any:
    """`workflow runs`: this plugin's workflow runs, newest first, as JSON-able dicts. May be async.

    Keys: ``run`` (what `workflow show` and `workflow resume` take), ``source`` (``"server"``, ``"local"``...),
    ``workflow`` (what the list shows of it), ``title``, ``status`` (``running``, ``waiting``, ``failed``,
    ``done``), ``step`` (where it is: ``"2/8 Design (Language)"``, or empty), ``started`` (ISO 8601) and
    ``tokens`` (or None). Return None when this plugin keeps no runs; raise ``MojodexError`` when they cannot be
    listed (the others are listed, and the command fails with that one line).
    """


@hookspec(firstresult=True)
def mojodex_show_run(ctx: Context, ref: str, json_mode: bool) -> Any:
    """`workflow show REF` for a run that is not a server's (a server run is a number). *First result.*

    Print the run (one JSON document with ``json_mode``) and return an int exit status, or return None when
    this plugin does not own ``ref``. May be async.
    """


@hookspec
def mojodex_model_providers(register: Callable[..., None]) -> None:
    """Add model providers for local workflows: ``register("name", factory)`` where ``factory(ctx)`` returns an
    object with ``async def stream(messages, *, model, temperature)`` yielding text chunks and a ``usage``
    attribute after the stream (``max_tokens=N`` too when a role or ``[llm]`` sets it). The provider named by
    ``[llm] provider`` is used. Return nothing.
    """
