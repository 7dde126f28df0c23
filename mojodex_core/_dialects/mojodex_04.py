"""The ``mojodex-0.4`` dialect: Mojodex 0.4, where workflows are tasks (protocol.md, "Mojodex 0.4").

Tasks are listed by ``/user_task``; a run is a *user task execution*, created with ``PUT /user_task_execution``
and started with a form. Steps can be edited, rejected with an instruction, relaunched after a failure, and a
run restarted with new inputs; instruct tasks chat with the assistant, which writes drafts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mojodex_core import _events
from mojodex_core._dialects import _payloads as p
from mojodex_core._dialects._base import PAGE, Capabilities, Dialect
from mojodex_core._errors import BadResponseError, MojodexError, NotFoundError, ServerError
from mojodex_core._events import Plan, ProducedText, Resource, RunInfo, StepEvent, TodoPage, WorkflowInfo

RUN = "/user_task_execution"


class Mojodex04Dialect(Dialect):
    name = "mojodex-0.4"
    can = Capabilities(reject_with_instruction=True, edit_result=True, relaunch=True, restart=True,
                       instruct_tasks=True, run_history=True, end_event=True, typed_values=False,
                       edit_texts=True, tidy_history=True, result_chat=True, todos=True, account=True,
                       signup=True, chat=True, result_in_run=False)
    run_key = "user_task_execution_pk"
    definition = "task"

    def means_missing(self, exc: ServerError, creating: bool = False) -> bool:
        """0.4 answers an unknown or another user's run or task with 400 and whatever text its exception had (a
        read, a create) or 404 (protocol.md, protocol-0.4-more.md); it has one method per route."""
        return not exc.route_missing and exc.status in (400, 404)

    async def list_tasks(self) -> list[WorkflowInfo]:
        """Every task the user can run, workflows and instruct tasks (never those listed as not enabled)."""
        items = await self.pages("/user_task", "user_tasks", "n_user_tasks", {}, "task list", first_plain=True)
        return self.remember(p.workflow(item, pk_key="user_task_pk", name_key="task_name", icon_key="task_icon",
                                        description_key="task_description")
                             for item in items if isinstance(item, dict) and item.get("enabled") is not False)

    async def list_workflows(self) -> list[WorkflowInfo]:
        return [t for t in await self.list_tasks() if t.kind == "workflow"]

    async def workflow(self, ref: str) -> WorkflowInfo | None:
        """One task, from the last list or from the server."""
        if ref not in self.known:
            data = await self.http.request("GET", "/user_task", params={"user_task_pk": ref}, what="a task")
            item = p.as_dict(data)
            item = p.as_dict(item.get("user_task")) or item
            info = p.workflow(item, pk_key="user_task_pk", name_key="task_name", icon_key="task_icon",
                              description_key="task_description")
            if info is None:
                info = p.workflow(item, pk_key="user_task_pk", name_key="user_task_name", icon_key="user_task_icon",
                                  description_key="user_task_description")
            if info is not None and item.get("enabled") is not False:
                self.known[ref] = info
        return self.known.get(ref)

    async def create_run(self, ref: str) -> RunInfo:
        data = await self.http.request("PUT", RUN, what="a new run",
                                       json={"user_task_pk": int(ref) if ref.isdigit() else ref})
        run_pk, session_id = p.require_session(data, self.run_key)
        task = self.known.get(ref)
        return RunInfo(pk=run_pk, session_id=session_id, name=task.name if task else "",
                       kind=task.kind if task else "workflow", ref=ref, icon=task.icon if task else "",
                       inputs=p.inputs(data.get("json_input")), step_names=list(task.steps) if task else [],
                       raw=data)

    def _inputs_form(self, values: dict[str, Any]) -> str:
        # The key is input_value (value answers 500), and every value a string, as the web app sends them.
        return json.dumps([{"input_name": name, "input_value": v if isinstance(v, str) else json.dumps(v)}
                           for name, v in values.items()], ensure_ascii=False)

    async def start_run(self, run: RunInfo, values: dict[str, Any], files: dict[str, list[Path]]) -> dict[str, Any]:
        form = {self.run_key: run.pk, "version": self.version, "inputs": self._inputs_form(values)}
        with _open_files(files) as uploads:
            await self.http.request("POST", "/user_task_execution_run", what="an answer to the inputs",
                                    form=form, files=uploads or None)
        return dict(values)

    async def restart(self, run: RunInfo, values: dict[str, Any], files: dict[str, list[Path]]) -> dict[str, Any]:
        # Mojodex titles a run when it runs without a title (WorkflowProcessController.run): the title made from
        # the first inputs would stay on a run restarted with others. Cleared first, the restart titles it anew.
        try:
            await self.http.request("POST", "/user_task_execution_title", what="a rename answer",
                                    json={self.run_key: run.pk, "title": ""})
        except ServerError:
            pass  # the restart matters more than the title: it keeps the old one
        form = {self.run_key: run.pk, "inputs": self._inputs_form(values)}
        with _open_files(files) as uploads:
            await self.http.request("POST", "/restart_user_workflow_execution", what="a restart answer",
                                    form=form, files=uploads or None)
        return dict(values)

    def message_origin(self, run: RunInfo) -> dict[str, Any]:
        if run.kind == "chat":  # a chat session outside any task (protocol-0.4-more.md section 7)
            return {"origin": "home_chat"}
        return {"origin": "task", self.run_key: run.pk}

    async def edit_result(self, run: RunInfo, step: StepEvent, result: list[Any]) -> list[Any]:
        answer = await self.http.request("PUT", "/user_workflow_step_execution_result", what="an edit answer",
                                         json={"user_workflow_step_execution_pk": step.step_execution_pk,
                                               "result": result})
        new = p.as_dict(answer).get("new_result")
        return new if isinstance(new, list) else result

    async def relaunch(self, run: RunInfo, step: StepEvent) -> None:
        await self.http.request("PUT", "/user_workflow_step_execution", what="a relaunch answer",
                                json={"user_workflow_step_execution_pk": step.step_execution_pk})

    async def read_run(self, run_pk: int | str) -> RunInfo:
        data = await self.http.request("GET", RUN, params={self.run_key: run_pk}, what="a run")
        return self.run(data, run_pk)

    def run(self, data: Any, fallback: int | str | None = None) -> RunInfo:
        run_pk, session_id = p.require_session(data, self.run_key, fallback)
        specs = p.inputs(data.get("json_inputs_values"))
        values = {}
        for item in p.as_list(data.get("json_inputs_values")):
            if isinstance(item, dict) and p.text(item.get("input_name")):
                values[p.text(item.get("input_name"))] = item.get("value")
        produced = None
        if isinstance(data.get("produced_text_production"), str):
            index = data.get("produced_text_version_index")
            produced = ProducedText(title=p.text(data.get("produced_text_title"), 300),
                                    text=data["produced_text_production"], pk=p.pk(data.get("produced_text_pk")),
                                    version_pk=p.pk(data.get("produced_text_version_pk")),
                                    version=index if isinstance(index, int) and not isinstance(index, bool) else None)
        kind = data.get("task_type")
        return RunInfo(
            pk=run_pk, session_id=session_id, name=p.text(data.get("task_name")),
            kind=kind if kind in ("workflow", "instruct") else "workflow",
            ref=str(p.pk(data.get("user_task_pk")) or ""), title=p.text(data.get("title")),
            icon=p.text(data.get("icon"), 20), inputs=specs, values=values,
            step_names=p.step_names(data.get("steps")), steps=p.steps(data, session_id, run_pk),
            produced=produced, started=p.when(data.get("start_date")), raw=data,
        )

    async def list_runs(self, *, limit: int = 50, offset: int = 0, search: str = "",
                        refs: tuple[str, ...] = ()) -> list[RunInfo]:
        params: dict[str, Any] = {"n_user_task_executions": max(1, min(limit, 50)), "offset": max(0, offset)}
        if search:
            params["search_filter"] = search
        if refs:
            params["user_task_pks"] = ";".join(refs)
        data = await self.http.request("GET", RUN, params=params, what="the list of runs")
        items = data.get("user_task_executions") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BadResponseError("the server's list of runs has no 'user_task_executions' list")
        runs = []
        for item in items:
            try:
                runs.append(self.run(item))
            except BadResponseError:
                continue
        return runs

    # -- around the runs: todos, timezone, language, plan (protocol-0.4-more.md, sections 1, 5, 6) --------------

    async def todos(self, run_pk: int | str | None = None, limit: int = PAGE, offset: int = 0) -> TodoPage:
        """A page of the to-do list (open todos due today or later; empty while the server has no timezone for the
        user), or with ``run_pk`` of that run's todos, done and past ones included."""
        params: dict[str, Any] = {"n_todos": max(1, min(limit, PAGE)), "offset": max(0, offset)}
        if run_pk is not None:
            params["user_task_execution_fk"] = run_pk
        with contextlib.nullcontext() if run_pk is None else _not_found("run", run_pk):
            data = await self.http.request("GET", "/todos", params=params, what="the to-do list")
        return p.todo_page(data)

    async def _todo(self, todo_pk: int | str, **fields: Any) -> None:
        try:
            with _not_found("todo", todo_pk):
                await self.http.request("POST", "/todos", what="an answer", json={"todo_pk": todo_pk, **fields})
        except ServerError as exc:
            if exc.status == 400 and "already done" in exc.text.lower():
                raise MojodexError(f"todo {todo_pk} is already done") from None
            raise

    async def todo_done(self, todo_pk: int | str) -> None:
        await self._todo(todo_pk, mark_as_done=True)

    async def todo_read(self, todo_pk: int | str) -> None:
        # One todo at a time: the run-wide and user-wide forms also mark todos nobody has seen.
        await self._todo(todo_pk, mark_as_read=True)

    async def delete_todo(self, todo_pk: int | str) -> None:
        # The answer echoes the pk as a string ("7"): nothing in it is needed.
        with _not_found("todo", todo_pk):
            await self.http.request("DELETE", "/todos", what="a delete answer", params={"todo_pk": todo_pk})

    async def set_timezone(self, offset: int) -> None:
        await self.http.request("POST", "/timezone", what="an answer", json={"timezone_offset": offset})

    async def languages(self, code: str) -> dict[str, str]:
        data = await self.http.request("GET", "/language", what="the languages", auth=False,
                                       params={"language_code": code or "en"})
        found = p.as_dict(p.as_dict(data).get("available_languages"))
        return {p.text(k, 10): p.text(v, 60) for k, v in found.items() if p.text(k, 10) and p.text(v, 60)}

    async def set_language(self, code: str) -> None:
        await self.http.request("POST", "/language", what="an answer", json={"language_code": code})

    async def plan(self) -> Plan:
        return p.plan(await self.http.request("GET", "/purchase", what="the account's plans"))

    async def produced_text(self, run_pk: int | str, version: int | None = None) -> ProducedText | None:
        run = await self.read_run(run_pk)  # the version route checks no owner: it would show another user's text
        if version is None:
            return run.produced
        data = p.as_dict(await self.http.request(
            "GET", "/user_task_execution_produced_text", what="a produced text",
            params={self.run_key: run_pk, "produced_text_version_index": version}))
        body = data.get("production", data.get("produced_text", data.get("produced_text_production")))
        if not isinstance(body, str):
            return None
        return ProducedText(title=p.text(data.get("title", data.get("produced_text_title")), 300), text=body,
                            pk=p.pk(data.get("produced_text_pk")),
                            version_pk=p.pk(data.get("produced_text_version_pk")), version=version)

    async def messages(self, run: RunInfo, limit: int = 50) -> list[dict[str, Any]]:
        data = await self.http.request("GET", "/message", what="a conversation",
                                       params={"session_id": run.session_id, "n_messages": max(1, min(limit, 50))})
        items = data.get("messages") if isinstance(data, dict) else None
        messages = [p.message(m) for m in items] if isinstance(items, list) else []
        # What the user and the assistant said, as the web app shows it: the backend's own state messages
        # (sender "system", "ACHIEVED WORKFLOW STEPS ...") are not part of the conversation.
        return [m for m in messages if m is not None and m.get("sender") != "system"]

    # -- voice messages, resources, the user's description (protocol-0.4-more.md, sections 8 and 9) ---------------

    async def send_audio(self, run: RunInfo, path: Path) -> dict[str, Any]:
        """A voice message: the text message's form without ``text``, the file as ``file`` (its extension tells the
        server its format). The transcription comes back in the answer only, with a leading space."""
        import datetime
        import mimetypes
        import uuid

        form = {"session_id": run.session_id, "message_id": uuid.uuid4().hex, "version": self.version,
                "message_date": datetime.datetime.now(datetime.UTC).isoformat(), **self.message_origin(run)}
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            answer = await self.http.request("PUT", "/user_message", what="a voice message answer", form=form,
                                             files=[("file", (path.name, handle, kind))])
        return p.as_dict(answer)

    async def resources(self) -> list[Resource]:
        items = await self.pages("/resource", "documents", "n_resources", {"learned_by_mojo": "false"},
                                 "list of resources")
        return [r for r in (p.resource(item) for item in items) if r is not None]

    async def add_website(self, url: str, timeout: float) -> Resource | None:
        # The backend fetches the page itself, with no timeout of its own (surprise 18): this request has one.
        data = await self.http.request("PUT", "/resource", what="an answer", json={"website_url": url},
                                       timeout=timeout)
        return p.resource(data)

    async def remove_resource(self, pk: int | str) -> None:
        # The answer echoes the pk as a string ("2"): nothing in it is needed.
        with _not_found("resource", pk):
            await self.http.request("DELETE", "/resource", what="a delete answer", params={"document_pk": pk})

    async def set_description(self, text: str) -> None:
        await self.http.request("POST", "/resource", what="an answer",
                                json={"document_pk": "user_description", "edition": text})

    # -- a new account (protocol-0.4-more.md, section 10) ---------------------------------------------------------

    async def sign_up(self, name: str, email: str, password: str, language: str) -> dict[str, Any]:
        # As the login's, the body has no platform; the answer is a login's (token, terms_and_conditions_agreed).
        return p.as_dict(await self.http.request(
            "PUT", "/user", auth=False, platform=False, what="a sign-up answer",
            json={"email": email, "name": name, "password": password, "language_code": language or "en"}))

    async def product_categories(self) -> list[_events.ProductCategory]:
        data = await self.http.request("GET", "/product_category", what="the product categories")
        found = []
        for item in p.as_list(p.as_dict(data).get("product_categories")):
            pk = p.pk(p.as_dict(item).get("product_category_pk"))
            if pk is not None and p.text(item.get("name")):
                found.append(_events.ProductCategory(pk=pk, name=p.text(item.get("name"), 80),
                                                     emoji=p.text(item.get("emoji"), 10),
                                                     description=p.text(item.get("description"), 300)))
        return found

    async def choose_free_plan(self, category_pk: int | str) -> Plan:
        data = await self.http.request("PUT", "/associate_free_product", what="the new plan",
                                       json={"product_category_pk": _number(category_pk)})
        self.known.clear()  # the plan brings the account its tasks
        self.first_pages.clear()
        return p.plan(data)

    # -- the chat outside any task: a session, then messages origin=home_chat (GET /home_chat is broken on 0.4.12,
    # protocol-0.4-more.md section 7 and surprise 13: nothing here uses it) ----------------------------------------

    async def create_chat(self) -> str:
        data = p.as_dict(await self.http.request("PUT", "/session", what="a new chat", json={"platform": "webapp"}))
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 200:
            raise BadResponseError("the server's new chat has no session_id")
        return session_id.strip()

    async def send_chat_message(self, session_id: str, text: str) -> dict[str, Any]:
        return await self.send_message(RunInfo(pk="", session_id=session_id, kind="chat"), text)

    async def chat_sessions(self, limit: int = PAGE, offset: int = 0) -> list[str]:
        data = await self.http.request("GET", "/session", what="the list of chats",
                                       params={"n_sessions": max(1, min(limit, PAGE)), "offset": offset})
        items = data.get("sessions") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BadResponseError("the server's list of chats has no 'sessions' list")
        found = [p.text(item.get("session_id"), 200) for item in items if isinstance(item, dict)]
        return [s for s in found if s]

    async def chat_messages(self, session_id: str, limit: int = PAGE) -> list[dict[str, Any]]:
        return await self.messages(RunInfo(pk="", session_id=session_id, kind="chat"), limit)

    async def delete_chat(self, session_id: str) -> None:
        await self.http.request("DELETE", "/session", what="a delete answer", params={"session_id": session_id})

    # -- the history kept tidy: no event comes for any of these (protocol-0.4-more.md, surprise 6) --------------

    async def edit_text(self, run_pk: int | str, produced_text_pk: int | str | None, title: str,
                        body: str) -> ProducedText:
        """A new version of the run's produced text, written by hand (a new text of the run without a pk)."""
        fields: dict[str, Any] = {"title": title, "production": body}
        if produced_text_pk is not None:
            fields["produced_text_pk"] = _number(produced_text_pk)
        else:
            fields[self.run_key] = _number(run_pk)
        data = p.as_dict(await self.http.request("POST", "/produced_text", what="an edit answer", json=fields))
        return ProducedText(title=title, text=body, pk=p.pk(data.get("produced_text_pk")) or produced_text_pk,
                            version_pk=p.pk(data.get("produced_text_version_pk")))

    async def delete_text(self, run_pk: int | str, produced_text_pk: int | str) -> None:
        await self.http.request("DELETE", "/produced_text", what="a delete answer",
                                params={"produced_text_pk": produced_text_pk})

    async def rename_run(self, run_pk: int | str, title: str) -> None:
        await self.http.request("POST", "/user_task_execution_title", what="a rename answer",
                                json={self.run_key: _number(run_pk), "title": title})

    async def delete_run(self, run_pk: int | str) -> None:
        # The answer echoes the pk as a string ("42"): nothing in it is needed.
        await self.http.request("DELETE", RUN, what="a delete answer", params={self.run_key: run_pk})


def _number(pk: int | str) -> int | str:
    """A pk as the backend's JSON routes take it: a number when it is one."""
    return int(pk) if isinstance(pk, str) and pk.isdigit() else pk


class _open_files:
    """Open the files of file inputs for an upload (one form field per input, repeated for several files)."""

    def __init__(self, files: dict[str, list[Path]]) -> None:
        self.files = files
        self.handles: list[Any] = []

    def __enter__(self) -> list[tuple[str, tuple[str, Any]]]:
        uploads = []
        try:
            for name, paths in self.files.items():
                for path in paths:
                    handle = open(path, "rb")
                    self.handles.append(handle)
                    uploads.append((name, (path.name, handle)))
        except BaseException:
            self.__exit__()
            raise
        return uploads

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles:
            handle.close()
        self.handles.clear()


@contextlib.contextmanager
def _not_found(kind: str, pk: int | str) -> Iterator[None]:
    """A JSON 404 to a call about one todo, run or resource means that one is not found (``kind`` and ``ref`` say
    which); a missing route stays what it is."""
    try:
        yield
    except NotFoundError as exc:
        if exc.route_missing:
            raise
        raise NotFoundError(f"{kind} {pk} not found", exc.status, text=exc.text, kind=kind, ref=str(pk)) from None
