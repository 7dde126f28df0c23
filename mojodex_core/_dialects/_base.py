"""What every dialect of the server protocol offers: one interface, one implementation per dialect."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import _events
from mojodex_core._dialects import _payloads as p
from mojodex_core._errors import ServerError, UnsupportedError

if TYPE_CHECKING:
    from mojodex_core._events import (
        Plan,
        ProducedText,
        Resource,
        RunInfo,
        ServerEvent,
        StepEvent,
        TodoPage,
        WorkflowInfo,
    )
    from mojodex_core._http import HttpClient

PAGE = 50
MAX_PAGES = 200


@dataclass(frozen=True)
class Capabilities:
    """What a server of a dialect can do beyond listing, running and validating workflows."""

    reject_with_instruction: bool = False  # `n` then an instruction reruns the step
    edit_result: bool = False  # a waiting step's result is replaced by the user's edited copy
    result_in_run: bool = True  # a step's whole result is read back from the run (the event may carry less)
    relaunch: bool = False  # a failed step can be run again
    restart: bool = False  # a run restarts with new inputs while its first step waits
    instruct_tasks: bool = False  # tasks whose assistant writes a document, and chat
    run_history: bool = False  # the list of past runs and their produced texts
    end_event: bool = False  # a run always ends with its produced text
    typed_values: bool = True  # whole numbers go as JSON numbers (0.4 stores every value as a string)
    inputs_listed: bool = False  # the list gives a workflow's inputs: asked before its run is created
    edit_texts: bool = False  # a produced text takes new versions written by hand, and can be deleted
    tidy_history: bool = False  # past runs can be renamed and deleted, and listed by task
    result_chat: bool = False  # a finished workflow run's result is refined by chatting with the assistant
    todos: bool = False  # the to-do list the assistant makes of each run's follow-ups (and the timezone it needs)
    account: bool = False  # the account's language and plan can be read and changed
    chat: bool = False  # the assistant talks outside any task (chat sessions), and starts a task a message asks for
    signup: bool = False  # a new account is made here, and chooses the free plan of a product category


class Dialect:
    """The calls of one dialect. ``http`` sends authenticated requests; ``version`` is ``server.version``."""

    name = ""
    can = Capabilities()
    run_key = "user_workflow_execution_pk"  # how a run's pk is named in this dialect
    definition = "workflow"  # what a runnable definition is called in this dialect ("task 14 not found")

    def __init__(self, http: HttpClient, version: str = "0.0.0") -> None:
        self.http = http
        self.version = version
        self.known: dict[str, WorkflowInfo] = {}  # listed workflows, by ref
        self.first_pages: dict[str, Any] = {}  # path -> its first page, read by the detection a moment ago

    # -- listing and running -----------------------------------------------------------------------------

    async def list_workflows(self) -> list[WorkflowInfo]:
        raise NotImplementedError

    async def create_run(self, ref: str) -> RunInfo:
        raise NotImplementedError

    def remember(self, listed: Iterable[WorkflowInfo | None]) -> list[WorkflowInfo]:
        """The definitions of a list just read, the first of each ref, in order; kept as known for ``workflow``."""
        found: dict[str, WorkflowInfo] = {}
        for info in listed:
            if info is not None:
                found.setdefault(info.ref, info)
        self.known.update(found)
        return list(found.values())

    async def workflow(self, ref: str) -> WorkflowInfo | None:
        """The listed workflow ``ref`` (listing once if needed); None when the list cannot be read."""
        from mojodex_core._errors import MojodexError, NetworkError

        if ref not in self.known:
            try:
                await self.list_workflows()
            except NetworkError:
                raise
            except MojodexError:
                return None
        return self.known.get(ref)

    async def start_run(self, run: RunInfo, values: dict[str, Any], files: dict[str, list[Path]]) -> dict[str, Any]:
        """Send the inputs: the values as sent (the caller keeps them in its run)."""
        raise NotImplementedError

    async def read_run(self, run_pk: int | str) -> RunInfo:
        raise NotImplementedError

    async def validate(self, run: RunInfo, step: StepEvent) -> None:
        await self.http.request("POST", "/user_workflow_step_execution", what="a validation answer",
                                json={"user_workflow_step_execution_pk": step.step_execution_pk, "validated": True})

    async def reject(self, run: RunInfo, step: StepEvent, instruction: str) -> None:
        """Reject a step with an instruction: the server reruns it (two requests, protocol.md)."""
        if not self.can.reject_with_instruction:
            raise self.unsupported("rejecting a step with an instruction")
        await self.http.request("POST", "/user_workflow_step_execution", what="a rejection answer",
                                json={"user_workflow_step_execution_pk": step.step_execution_pk, "validated": False})
        await self.send_message(run, instruction)

    async def send_message(self, run: RunInfo, text: str) -> dict[str, Any]:
        """A chat message to the run's assistant (``PUT /user_message``, a form); the answer comes as events."""
        if not self.can.reject_with_instruction:
            raise self.unsupported("sending a message")
        answer = await self.http.request("PUT", "/user_message", what="a message answer", form={
            "session_id": run.session_id,
            "message_id": uuid.uuid4().hex,
            "message_date": datetime.datetime.now(datetime.UTC).isoformat(),
            "version": self.version,
            "text": text,
            **self.message_origin(run),
        })
        return p.as_dict(answer)

    def message_origin(self, run: RunInfo) -> dict[str, Any]:
        return {"origin": "workflow", self.run_key: run.pk}

    # -- what only some dialects do ------------------------------------------------------------------------

    async def edit_result(self, run: RunInfo, step: StepEvent, result: list[Any]) -> list[Any]:
        raise self.unsupported("editing a step's result")

    async def relaunch(self, run: RunInfo, step: StepEvent) -> None:
        raise self.unsupported("relaunching a failed step")

    async def restart(self, run: RunInfo, values: dict[str, Any], files: dict[str, list[Path]]) -> dict[str, Any]:
        raise self.unsupported("restarting a run with new inputs")

    async def list_tasks(self) -> list[WorkflowInfo]:
        raise self.unsupported("tasks")

    async def list_runs(self, *, limit: int = 50, offset: int = 0, search: str = "",
                        refs: tuple[str, ...] = ()) -> list[RunInfo]:
        raise self.unsupported("the history of runs")

    async def produced_text(self, run_pk: int | str, version: int | None = None) -> ProducedText | None:
        raise self.unsupported("reading a produced text")

    async def messages(self, run: RunInfo, limit: int = 50) -> list[dict[str, Any]]:
        raise self.unsupported("reading a conversation")

    async def accept_terms(self) -> None:
        await self.http.request("PUT", "/terms_and_conditions", what="an answer", json={})

    # -- the history kept tidy (Mojodex 0.4) -----------------------------------------------------------------

    async def edit_text(self, run_pk: int | str, produced_text_pk: int | str | None, title: str,
                        body: str) -> ProducedText:
        raise self.unsupported("editing a produced text by hand")

    async def delete_text(self, run_pk: int | str, produced_text_pk: int | str) -> None:
        raise self.unsupported("deleting a produced text")

    async def rename_run(self, run_pk: int | str, title: str) -> None:
        raise self.unsupported("renaming a run")

    async def delete_run(self, run_pk: int | str) -> None:
        raise self.unsupported("deleting a run")

    # -- events ----------------------------------------------------------------------------------------------

    def event(self, name: str, data: Any) -> ServerEvent | None:
        return p.event(name, data)

    def ack(self, name: str, data: Any) -> Any:
        return p.ack(name, data)

    # -- around the runs: todos, timezone, language, plan (Mojodex 0.4) -------------------------------------------

    async def todos(self, run_pk: int | str | None = None, limit: int = PAGE, offset: int = 0) -> TodoPage:
        raise self.unsupported("the to-do list")

    async def todo_done(self, todo_pk: int | str) -> None:
        raise self.unsupported("the to-do list")

    async def todo_read(self, todo_pk: int | str) -> None:
        raise self.unsupported("the to-do list")

    async def delete_todo(self, todo_pk: int | str) -> None:
        raise self.unsupported("the to-do list")

    async def set_timezone(self, offset: int) -> None:
        raise self.unsupported("the account's timezone")

    async def languages(self, code: str) -> dict[str, str]:
        raise self.unsupported("the account's language")

    async def set_language(self, code: str) -> None:
        raise self.unsupported("the account's language")

    async def plan(self) -> Plan:
        raise self.unsupported("the account's plan")

    # -- voice messages, resources, the user's description (Mojodex 0.4) -------------------------------------------

    async def send_audio(self, run: RunInfo, path: Path) -> dict[str, Any]:
        raise self.unsupported("sending a voice message")

    async def resources(self) -> list[Resource]:
        raise self.unsupported("the list of resources")

    async def add_website(self, url: str, timeout: float) -> Resource | None:
        raise self.unsupported("adding a website to the resources")

    async def remove_resource(self, pk: int | str) -> None:
        raise self.unsupported("removing a resource")

    async def set_description(self, text: str) -> None:
        raise self.unsupported("the user's description")

    # -- a new account: sign-up and its first plan (Mojodex 0.4) -------------------------------------------------

    async def sign_up(self, name: str, email: str, password: str, language: str) -> dict[str, Any]:
        """Create the account (no token needed); the answer is a login's (its token)."""
        raise self.unsupported("signing up")

    async def product_categories(self) -> list[_events.ProductCategory]:
        raise self.unsupported("signing up")

    async def choose_free_plan(self, category_pk: int | str) -> Plan:
        raise self.unsupported("signing up")

    # -- the chat with the assistant outside any task (Mojodex 0.4) ------------------------------------------------

    async def create_chat(self) -> str:
        raise self.unsupported("the chat with the assistant")

    async def send_chat_message(self, session_id: str, text: str) -> dict[str, Any]:
        raise self.unsupported("the chat with the assistant")

    async def chat_sessions(self, limit: int = PAGE, offset: int = 0) -> list[str]:
        raise self.unsupported("the chat with the assistant")

    async def chat_messages(self, session_id: str, limit: int = PAGE) -> list[dict[str, Any]]:
        raise self.unsupported("the chat with the assistant")

    async def delete_chat(self, session_id: str) -> None:
        raise self.unsupported("the chat with the assistant")

    # -- helpers -----------------------------------------------------------------------------------------------

    def means_missing(self, exc: ServerError, creating: bool = False) -> bool:
        """Whether ``exc``, the answer to a call naming a run or a definition by its number, means the user has no
        such one (never had, or it is another user's). Here: a JSON 404 (protocol.md), or a 400 to a read, as a
        server that reads the number without finding it answers; a 400 to a create names the method instead
        (the other generation's, protocol.md)."""
        if exc.route_missing:
            return False
        return exc.status == 404 or (exc.status == 400 and not creating)

    def unsupported(self, what: str) -> UnsupportedError:
        return UnsupportedError(f"{what} is not in the {self.name} dialect of the protocol this server speaks")

    async def pages(self, path: str, items_key: str, limit_key: str, params: dict[str, Any], what: str,
                    first_plain: bool = False) -> list[Any]:
        """Every item of a paged list: page after page until a short page comes back."""
        found: list[Any] = []
        for page in range(MAX_PAGES):
            query = dict(params)
            if page or not first_plain:
                query.update({limit_key: PAGE, "offset": page * PAGE})
            reused = self.first_pages.pop(path, None) if page == 0 and first_plain else None
            data = reused if reused is not None else await self.http.request("GET", path, params=query, what=what)
            items = data.get(items_key) if isinstance(data, dict) else None
            if not isinstance(items, list):
                from mojodex_core._errors import BadResponseError

                raise BadResponseError(f"the server's {what} has no {items_key!r} list")
            found.extend(items)
            if len(items) < PAGE:
                break
        return found
