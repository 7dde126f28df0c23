"""The result chat of a finished workflow run (Mojodex 0.4, ``task resume RUN``): each message brings a new
version of the run's produced text, streamed as an instruct task's drafts; or the assistant takes it as an
instruction and reopens the run's last step, which runs again and waits for the user's validation.

The conversation owns the run's events until a step ends; the validation is then the workflow commands' own
(``mojodex_resume_workflow``: the same questions as ``workflow resume``), after which the chat goes on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mojodex_core import MojodexError, NotInteractiveError, RunInfo, ServerEvent
from mojodex_task.conversation import Conversation, Reply

if TYPE_CHECKING:
    from mojodex_core import Context

PLAN_NOTE = ("Note: chatting about a finished workflow's result counts as a task of your plan (Mojodex uses one "
             "for it).")
HINT = ("Run {pk} has finished: each message makes a new version of its result, or reopens its last step for "
        "your validation when the assistant takes it as an instruction.")


def finished(run: RunInfo) -> bool:
    """A workflow run whose steps are all validated and whose produced text came."""
    produced = run.produced
    return (run.kind == "workflow" and produced is not None and bool(produced.text.strip() or produced.title)
            and bool(run.steps) and all(step.validated is True for step in run.steps))


class ResultChat(Conversation):
    """The owner of a finished workflow run while its result is discussed."""

    def __init__(self, ctx: Context, run: RunInfo, *, plain: bool = False, json_mode: bool = False) -> None:
        super().__init__(ctx, run, plain=plain, json_mode=json_mode)
        if run.produced is not None and not run.produced.title:
            run.produced = replace(run.produced, title=run.title)  # workflow texts come untitled: the run's title
        self.told_plan = False

    async def _handle(self, event: ServerEvent) -> Reply | None:
        step = event.step
        if event.kind == "step_invalidated" and step is not None:
            self.end_stream()
            if self.show:
                self.ctx.print(f"Step {step.step_name} reopened: it runs again, then waits for your validation.")
            return None
        if event.kind == "step_started" and step is not None:
            self.end_stream()
            if self.show:
                self.ctx.print(f"Step {step.step_name} started")
            return None
        if event.kind == "step_ended" and step is not None:
            self.end_stream()
            return Reply("step", step.step_name)
        return await super()._handle(event)

    async def send(self, text: str) -> Reply:
        if not self.told_plan:
            self.told_plan = True
            self.ctx.print(PLAN_NOTE, err=not self.show)
        reply = await super().send(text)
        if reply.kind == "step" and self.show:
            return await self._validate(reply.text)
        return reply

    async def _validate(self, step_name: str) -> Reply:
        """The reopened step ended: its validation as ``workflow resume`` asks it, then the new version."""
        status = await self.ctx.call_hook("mojodex_resume_workflow", ref=str(self.pk), assume_yes=False,
                                          json_mode=False, jsonl=False, output=None)
        await self.server.follow(self.run.session_id, self)  # the validation let the run's events go
        if status is None:
            raise MojodexError(f"no plugin validates workflow steps: `workflow resume {self.pk}` asks for step "
                               f"{step_name}")
        run = await self.server.read_run(self.pk)
        produced = run.produced
        if produced is None or produced.version_pk is None or str(produced.version_pk) in self.seen_versions:
            return Reply("left", f"step {step_name} of run {self.pk} waits for validation")
        self.seen_versions.add(str(produced.version_pk))
        self.version = produced.version or self.version + 1
        self.run.produced = replace(produced, title=produced.title or run.title, version=self.version)
        self.ctx.print(f"(version {self.version} of run {self.pk}; `task text {self.pk}` prints it)")
        return Reply("draft", draft=self.draft)


async def resume_result(ctx: Context, run: RunInfo, *, message: str | None = None, json_mode: bool = False,
                        plain: bool = False, assume_yes: bool = False) -> int:
    """``task resume RUN`` on a finished workflow run: its result, then ``you>`` (or one ``--message``)."""
    from mojodex_task.commands import answer, converse

    if not message and (not ctx.interactive or json_mode or assume_yes):
        raise NotInteractiveError(f"the result chat of run {run.pk} needs a terminal: pass --message TEXT to send "
                                  "one message and print the new version")
    conv = ResultChat(ctx, run, plain=plain, json_mode=json_mode)
    conv.seen(await ctx.server.messages(run))

    async def body() -> int:
        await ctx.call_hook("mojodex_run_started", run=run)
        if conv.show:
            ctx.print(f"Run {run.pk}: {run.name or 'a workflow'}" + (f" - {run.title}" if run.title else ""))
            if not message and conv.draft is not None:
                conv.show_draft(conv.draft)
                ctx.print(f"(version {conv.version} of run {run.pk})")
        if message:
            reply = await conv.send(message)
            if reply.kind == "step":
                conv.status = "left"
                ctx.error(f"the assistant reopened step {reply.text} of run {run.pk}: `mojodex workflow resume "
                          f"{run.pk}` asks for its validation")
                return 1
            return int(await answer(ctx, conv, reply, chat=False))
        ctx.print(HINT.format(pk=run.pk))
        await conv.chat()
        return 0

    return int(await converse(ctx, conv, body()))
