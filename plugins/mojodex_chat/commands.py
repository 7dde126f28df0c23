"""The ``chat`` commands' bodies: open a chat (or send one message of it), list the chats, reopen one, delete one.

Imported when a ``chat`` command runs (``mojodex help`` does not pay for it).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from mojodex_chat.conversation import ChatConversation, run_pk_of, short
from mojodex_core import (
    ArgumentParser,
    MojodexError,
    NotInteractiveError,
    UsageError,
    one_line,
    sanitize,
)
from mojodex_task import render
from mojodex_task.commands import converse, run_date
from mojodex_task.conversation import Reply, message_parts

if TYPE_CHECKING:
    from mojodex_core import Context

PAGE = 50  # the server's pages of chats
SHOWN = 6  # messages shown again when a chat reopens
HEADERS = ("CHAT", "LAST MESSAGE", "RUN", "FIRST MESSAGE")


# -- arguments -------------------------------------------------------------------------------------------------


def _common(parser: ArgumentParser) -> ArgumentParser:
    parser.add_argument("--message", "-m", metavar="TEXT", help="send TEXT, print the answer and stop")
    parser.add_argument("--json", action="store_true", help="with --message: print the answer as JSON")
    parser.add_argument("--plain", action="store_true", help="show drafts as plain text, not rendered Markdown")
    return parser


def chat_parser() -> ArgumentParser:
    return _common(ArgumentParser(
        "chat", description="Chat with the assistant outside any task: it answers at `you>`; ask for one of your "
                            "tasks and it starts a run of it, shown as `task run` shows one (Mojodex 0.4)",
        epilog="An empty line, Ctrl-D or /done ends the chat; `chat resume ID` reopens it."))


def resume_parser() -> ArgumentParser:
    parser = ArgumentParser("chat resume", description="Reopen a chat with the assistant: its last messages (and "
                                                       "the draft of the run it started), then `you>`")
    parser.add_argument("chat", metavar="ID", help="the chat (`chat list`; its first characters are enough)")
    return _common(parser)


def list_parser() -> ArgumentParser:
    parser = ArgumentParser("chat list", description="List your chats with the assistant (those with a message), "
                                                     "the latest first")
    parser.add_argument("--all", "-a", action="store_true", help=f"every page (the server gives {PAGE} at a time)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


def delete_parser() -> ArgumentParser:
    parser = ArgumentParser("chat delete", description="Delete a chat with the assistant (asks first at a "
                                                       "terminal); a run it started stays")
    parser.add_argument("chat", metavar="ID", help="the chat (`chat list`; its first characters are enough)")
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    return parser


# -- chat, chat resume ---------------------------------------------------------------------------------------------


async def cmd_chat(ctx: Context, args: list[str]) -> int:
    ns = chat_parser().parse(ctx, args)
    message = _message(ctx, ns, "a chat")
    await ctx.require_user()
    session_id = await ctx.server.create_chat()
    conv = ChatConversation(ctx, session_id, plain=ns.plain, json_mode=ns.json)
    return await _talk(ctx, conv, message, opening=f"Chat {short(session_id)} with the assistant.")


async def cmd_resume(ctx: Context, args: list[str]) -> int:
    ns = resume_parser().parse(ctx, args)
    message = _message(ctx, ns, "reopening a chat")
    await ctx.require_user()
    session_id = await resolve(ctx, ns.chat)
    messages = await ctx.server.chat_messages(session_id)  # newest first
    conv = ChatConversation(ctx, session_id, plain=ns.plain, json_mode=ns.json)
    conv.said = bool(messages)
    conv.seen(messages)
    run_pk = next((pk for pk in (run_pk_of(m.get("message") or {}) for m in messages) if pk is not None), None)
    if run_pk is not None:
        await conv.follow_run(run_pk, announce=False)  # its draft, if it has one, is the run's produced text
    if conv.show:
        ctx.print(f"Chat {short(session_id)}" + (f", which started run {conv.pk}: {conv.run.name or 'a task'}"
                                                 if run_pk is not None else "") + ".")
        for sender, text in _transcript(messages[:SHOWN]):
            ctx.print(f"{sender}: {text}")
        if conv.draft is not None:
            conv.show_draft(conv.draft)
            ctx.print(f"(version {conv.version} of run {conv.pk}; `task text {conv.pk}` prints it)")
    return await _talk(ctx, conv, message)


def _message(ctx: Context, ns: Any, what: str) -> str:
    """The one message of ``--message``, or "" to talk at the terminal (``what`` needs one without it)."""
    message = (ns.message or "").strip()
    if ns.message is not None and not message:
        raise UsageError("--message needs a text")
    if not message and (not ctx.interactive or ns.json):
        raise NotInteractiveError(f"{what} needs a terminal: pass --message TEXT to send one message and print "
                                  "the answer")
    return message


def _transcript(newest_first: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(who, one line) of messages, oldest first; a draft is named by its title (the draft is shown whole after)."""
    lines = []
    for message in reversed(newest_first):
        sender, text, draft = message_parts(message)
        if draft is not None:
            text = f"(a draft: {draft.title or 'untitled'})"
        lines.append(("You" if sender == "user" else "Assistant", one_line(sanitize(text), 200) or "-"))
    return lines


async def _talk(ctx: Context, conv: ChatConversation, message: str, opening: str = "") -> int:
    """The conversation at ``you>`` (at a terminal), or ``message`` sent and its answer printed (one-shot)."""

    async def body() -> int:
        if not message:
            if opening:
                ctx.print(opening)
            await conv.chat()
            return 0
        reply = await conv.send(message)
        return _answer(ctx, conv, reply)

    status = await converse(ctx, conv, body())
    if conv.show and not conv.task_started and conv.said and status == 0:
        ctx.print(f"Chat {short(conv.session_id)} stays on the server: {conv.reopen()} reopens it.")
    return status


def _answer(ctx: Context, conv: ChatConversation, reply: Reply) -> int:
    """One-shot: the answer printed (it was streamed already at a terminal), its JSON, or its error."""
    if conv.json_mode:
        ctx.print(json.dumps(conv.chat_document(reply), ensure_ascii=False, indent=2))
    elif reply.kind == "draft" and reply.draft is not None and not conv.show:
        ctx.write(render.plain(reply.draft.title, reply.draft.text))
    elif reply.kind == "question" and not conv.show:
        ctx.print(reply.text)
    if reply.kind == "error":
        ctx.error(f"the assistant failed: {reply.text}")
        return 1
    if not conv.json_mode:
        where = f"run {conv.pk} (`task text {conv.pk}`), " if conv.task_started else ""
        name = short(conv.session_id)
        ctx.print(f"(chat {name}: {where}`chat resume {name} --message ...` goes on)", err=True)
    return 0


# -- chat list ---------------------------------------------------------------------------------------------------


async def _sessions(ctx: Context, every: bool) -> tuple[list[str], bool]:
    """The chats' session ids, the latest first (the first page, or ``every`` page); and whether more are left."""
    found = await ctx.server.chat_sessions(PAGE, 0)
    more = len(found) >= PAGE
    while every and more:
        page = await ctx.server.chat_sessions(PAGE, len(found))
        found += [s for s in page if s not in found]
        more = len(page) >= PAGE
    return found, more


async def _summary(ctx: Context, session_id: str) -> dict[str, Any]:
    messages = await ctx.server.chat_messages(session_id)  # newest first
    first = next((message_parts(m)[1] for m in reversed(messages) if m.get("sender") == "user"), "")
    last = next((m.get("creation_date") for m in messages if isinstance(m.get("creation_date"), str)), None)
    run_pk = next((pk for pk in (run_pk_of(m.get("message") or {}) for m in messages) if pk is not None), None)
    return {"session_id": session_id, "last_message_date": last, "run_pk": run_pk,
            "first_message": sanitize(first) or None}


async def cmd_list(ctx: Context, args: list[str]) -> int:
    ns = list_parser().parse(ctx, args)
    await ctx.require_user()
    sessions, more = await _sessions(ctx, ns.all)
    chats: list[dict[str, Any]] = []
    for start in range(0, len(sessions), 8):  # a few at a time: one request per chat
        chats += await asyncio.gather(*(_summary(ctx, s) for s in sessions[start:start + 8]))
    if ns.json:
        ctx.print(json.dumps(chats, ensure_ascii=False, indent=2))
        return 0
    if not chats:
        ctx.print("No chats yet: `chat` opens one.")
        return 0
    ctx.table(((short(c["session_id"]), run_date(c["last_message_date"]) if c["last_message_date"] else "-",
                str(c["run_pk"]) if c["run_pk"] is not None else "-", one_line(c["first_message"] or "", 70) or "-")
               for c in chats), HEADERS)
    if more:
        ctx.print(f"(the latest {len(chats)}: `chat list --all` lists them all)", err=True)
    return 0


async def resolve(ctx: Context, ref: str) -> str:
    """The session id of the chat ``ref`` names: a whole session id, or the first characters of a listed one."""
    ref = ref.strip()
    if not ref or len(ref) > 200 or not ref.isprintable() or " " in ref:
        raise UsageError(f"ID must be a chat's id (`chat list`), not {one_line(ref, 40)!r}")
    sessions, _ = await _sessions(ctx, every=True)
    matches = [s for s in sessions if s.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UsageError(f"chat {ref} is ambiguous: give more of its id ({', '.join(m[:12] for m in matches[:4])})")
    if len(ref) >= 16:
        return ref  # a whole id the list does not show (a chat without messages): the server says if it is one
    raise MojodexError(f"chat {ref} not found: `chat list` shows your chats")


# -- chat delete -------------------------------------------------------------------------------------------------


async def cmd_delete(ctx: Context, args: list[str]) -> int:
    ns = delete_parser().parse(ctx, args)
    await ctx.require_user()
    session_id = await resolve(ctx, ns.chat)
    name = short(session_id)
    if not ns.yes and not await ctx.confirm(f"Delete chat {name}? (y/N)", default=False,
                                            refusal=f"deleting chat {name} asks first: pass --yes to delete it"):
        raise MojodexError(f"chat {name} was not deleted")
    await ctx.server.delete_chat(session_id)
    if ns.json:
        ctx.print(json.dumps({"session_id": session_id, "deleted": True}))
    else:
        ctx.print(f"Deleted chat {name}.")
    return 0
