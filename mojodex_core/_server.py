"""``ctx.server``: the Mojodex server as plugins use it, whatever dialect of the protocol it speaks.

It picks the dialect (``server.api``, or detected once per server and kept with the credentials when it is
``auto``), sends every call through it, and turns what the protocol's failures mean into one clear line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mojodex_core import _dialects
from mojodex_core._errors import (
    AuthError,
    ConfigError,
    MojodexError,
    NotFoundError,
    ServerError,
    TermsNotAcceptedError,
    UnsupportedError,
)
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext
    from mojodex_core._dialects._base import Capabilities, Dialect
    from mojodex_core._events import (
        Account,
        Plan,
        ProducedText,
        ProductCategory,
        Resource,
        RunInfo,
        ServerEvent,
        StepEvent,
        TodoPage,
        WorkflowInfo,
    )
    from mojodex_core._http import HttpClient

T = TypeVar("T")


class Server:
    """The configured server. Every method may raise ``MojodexError`` subclasses (one line each)."""

    def __init__(self, ctx: ShellContext) -> None:
        self._ctx = ctx
        self._current: Dialect | None = None
        self._http: HttpClient | None = None
        self._answers: dict[str, Any] = {}  # what the detection read, for the dialect's first listing
        self._kept: dict[tuple[str, str], tuple[str, Any]] = {}  # (url, key) -> (login, what the server was told)
        self._timezone_due = False  # a login waits for the dialect to be known to send the timezone

    # -- the connection ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._ctx.server_url

    @property
    def http(self) -> HttpClient:
        """The HTTP client of the configured server (created on first use)."""
        from mojodex_core._http import HttpClient

        if self._http is None or self._http.base_url != self.url:
            old = self._http
            session = self._ctx.session
            self._http = HttpClient(
                self.url, token=session.token, refused=session.refused,
                timeout=float(self._ctx.config.get("server.timeout", 30.0)),
                platform=str(self._ctx.config.get("server.platform", "webapp")),
                verify=self._verify(),
            )
            self._current = None
            if old is not None:
                old.close_later()
        return self._http

    def _verify(self) -> Any:
        from mojodex_core._http import ca_context

        return ca_context(str(self._ctx.config.get("server.ca_bundle", "") or "")) or True

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      json: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
                      files: Any = None, auth: bool = True, what: str = "an answer") -> Any:
        """Send one request as protocol.md says (``datetime``, ``platform``, the raw token) and return its
        decoded JSON. For a route the dialects do not cover; errors are ``MojodexError``s."""
        return await self.http.request(method, path, params=params, json=json, form=form, files=files, auth=auth,
                                       what=what)

    # -- the dialect -------------------------------------------------------------------------------------

    @property
    def _configured(self) -> str:
        """``server.api`` as set: ``auto`` or a dialect's name."""
        return str(self._ctx.config.get("server.api", "auto"))

    @property
    def api(self) -> str:
        """The dialect in use, if known without asking the server ("" before ``auto`` detected it)."""
        if self._current is not None and self._current.http is self._http:
            return self._current.name
        if self._configured != "auto":
            return self._configured
        return self._cached() or ""

    def _cached(self) -> str | None:
        cached = self._ctx.session.credentials.load_api(self.url)
        return cached if cached in _dialects.NAMES else None

    async def _dialect(self) -> Dialect:
        """The dialect object (detected on first use when ``server.api`` is ``auto``)."""
        http = self.http
        if self._current is not None and self._current.http is http:
            return self._current
        name = self._configured
        if name not in _dialects.CHOICES:
            raise ConfigError(f"server.api must be one of {', '.join(_dialects.CHOICES)}, not {name!r}")
        if name == "auto":
            name = self._cached() or await self._detect(http)
        self._current = _dialects.make(name, http, str(self._ctx.config.get("server.version", "0.0.0")))
        self._current.first_pages, self._answers = self._answers, {}
        if self._timezone_due:  # a login happened before the dialect was known: tell it now
            self._timezone_due = False
            await self.sync_timezone()
        return self._current

    async def _detect(self, http: HttpClient) -> str:
        name, self._answers = await _dialects.detect(http, str(self._ctx.config.get("server.version", "0.0.0")))
        self._ctx.session.credentials.save_api(self.url, name)
        return name

    def _switch(self, name: str) -> None:
        """What a call showed of the server beats what was detected: use ``name`` from now on."""
        if self._configured == "auto":
            self._ctx.session.credentials.save_api(self.url, name)
            self._current = None

    async def capabilities(self, *, before_login: bool = False) -> Capabilities:
        """What the server's dialect can do, detecting the dialect if need be (``before_login``: without a login,
        as a sign-up does, by the routes alone)."""
        return (await (self._signup_dialect() if before_login else self._dialect())).can

    def unsupported(self, what: str) -> UnsupportedError:
        """The error that says ``what`` is not in the dialect in use (ask ``capabilities()`` first)."""
        dialect = f"the {self.api} dialect" if self.api else "the dialect"
        return UnsupportedError(f"{what} is not in {dialect} of the protocol this server speaks")

    async def _call(self, what: Callable[[Dialect], Awaitable[T]], retry: bool = True, *,
                    other_method: bool = False, missing: tuple[str, int | str] | None = None) -> T:
        """``what(dialect)``, its errors made clear. ``other_method``: a refusal of the request's method (405, or
        the 2024 backend's "Missing parameter : 'user_workflow_execution_pk'") means the server is of the other
        generation, which swaps the methods of a route (protocol.md): switch to it and ask once more.

        ``missing``: the call names a run (``("run", pk)``) or a definition (``("definition", ref)``, a workflow or
        a task as the dialect calls them); an answer that means there is no such one for this user (each backend
        words it, and picks its status, its own way) becomes ``NotFoundError`` ``run 99 not found``."""
        dialect = await self._dialect()
        try:
            return await what(dialect)
        except ServerError as exc:
            if other_method and retry and self._methods_swapped(dialect.name, exc):
                self._switch(_dialects.other_generation(dialect.name))
                return await self._call(what, retry=False, missing=missing)
            if missing is not None and dialect.means_missing(exc, creating=other_method):
                kind = dialect.definition if missing[0] == "definition" else missing[0]
                ref = one_line(str(missing[1]), 60)
                # A used-up plan makes its tasks vanish: a known task then reads as missing (surprise 22).
                line = await self._plan_line(dialect) if missing[0] == "definition" and exc.status != 402 else None
                if line is not None:
                    raise MojodexError(f"{kind} {ref} cannot run: {line}") from None
                raise NotFoundError(f"{kind} {ref} not found", exc.status, text=exc.text, kind=kind,
                                    ref=ref) from None
            if exc.status == 401 and "terms" in exc.text.lower():
                raise TermsNotAcceptedError(
                    f"the account has not accepted the terms and conditions of {self.url}: `terms accept` accepts "
                    "them", 401, text=exc.text) from None
            if exc.status == 402:
                line = await self._plan_line(dialect)  # which plan ran out, and what is left (GET /purchase)
                raise MojodexError(line or f"the account has no task left on {self.url} ({exc.text}): its plan "
                                   "has to be renewed in Mojodex's web app") from None
            if not exc.route_missing:
                raise
            if retry and self._configured == "auto":
                # The server changed, or was detected wrongly: detect once more, and try again if it differs.
                self._ctx.session.credentials.save_api(self.url, None)
                self._current = None
                if (await self._dialect()).name != dialect.name:
                    return await self._call(what, retry=False, other_method=other_method, missing=missing)
            raise self._wrong_api(dialect.name) from None

    def _methods_swapped(self, name: str, exc: ServerError) -> bool:
        return self._configured == "auto" and bool(_dialects.other_generation(name)) and (
            exc.status == 405 or (exc.status == 400 and "user_workflow_execution_pk" in exc.text))

    def _wrong_api(self, name: str) -> MojodexError:
        hint = "auto" if self._configured != "auto" else "the dialect it speaks"
        return MojodexError(
            f"the server at {self.url} speaks another Mojodex API than {name}: set server.api to {hint} "
            f"(`mojodex config set server.api auto`; choices: {', '.join(_dialects.CHOICES)})")

    # -- workflows and runs ------------------------------------------------------------------------------

    async def list_workflows(self) -> list[WorkflowInfo]:
        """The workflows the user can run (on Mojodex 0.4: the tasks of type workflow), every page."""
        return await self._call(lambda d: d.list_workflows())

    async def list_tasks(self) -> list[WorkflowInfo]:
        """Every task the user can run, workflows and instruct tasks (``kind``); Mojodex 0.4 only."""
        return await self._call(lambda d: d.list_tasks())

    async def create_run(self, ref: str) -> RunInfo:
        """Create a run of workflow ``ref`` (its pk); the run has not started: ``start_run`` does that.

        A server that refuses the create method created nothing: the other generation's method creates there."""
        return await self._call(lambda d: d.create_run(ref), other_method=True, missing=("definition", ref))

    async def start_run(self, run: RunInfo, values: dict[str, Any],
                        files: dict[str, list[Path]] | None = None) -> dict[str, Any]:
        """Submit the inputs (``values`` by input name; file inputs' paths in ``files``): the run starts. Returns
        the values as sent (typed as the dialect sends them), for the caller to keep in its run."""
        return await self._call(lambda d: d.start_run(run, values, files or {}))

    async def read_run(self, run_pk: int | str) -> RunInfo:
        """The run ``run_pk`` as the server has it now; ``NotFoundError`` (``run 99 not found``) when the user has
        no such run (it never existed, or is another user's)."""
        return await self._call(lambda d: d.read_run(run_pk), missing=("run", run_pk))

    async def validate(self, run: RunInfo, step: StepEvent) -> None:
        await self._call(lambda d: d.validate(run, step))

    async def reject(self, run: RunInfo, step: StepEvent, instruction: str) -> None:
        """Reject ``step`` and ask for it to be redone as ``instruction`` says (``can.reject_with_instruction``)."""
        await self._call(lambda d: d.reject(run, step, instruction))

    async def send_message(self, run: RunInfo, text: str) -> dict[str, Any]:
        return await self._call(lambda d: d.send_message(run, text))

    async def edit_result(self, run: RunInfo, step: StepEvent, result: list[Any]) -> list[Any]:
        return await self._call(lambda d: d.edit_result(run, step, result))

    async def relaunch(self, run: RunInfo, step: StepEvent) -> None:
        await self._call(lambda d: d.relaunch(run, step))

    async def restart(self, run: RunInfo, values: dict[str, Any],
                      files: dict[str, list[Path]] | None = None) -> dict[str, Any]:
        return await self._call(lambda d: d.restart(run, values, files or {}))

    async def list_runs(self, *, limit: int = 50, offset: int = 0, search: str = "",
                        refs: tuple[str, ...] = ()) -> list[RunInfo]:
        return await self._call(lambda d: d.list_runs(limit=limit, offset=offset, search=search, refs=refs))

    async def produced_text(self, run_pk: int | str, version: int | None = None) -> ProducedText | None:
        return await self._call(lambda d: d.produced_text(run_pk, version), missing=("run", run_pk))

    async def messages(self, run: RunInfo, limit: int = 50) -> list[dict[str, Any]]:
        return await self._call(lambda d: d.messages(run, limit), missing=("run", run.pk))

    async def accept_terms(self) -> None:
        """Accept the server's terms and conditions for the logged-in account (``PUT /terms_and_conditions``)."""
        await self._call(lambda d: d.accept_terms())
        self.remember("terms", True)

    # -- the history kept tidy (``can.edit_texts``, ``can.tidy_history``) ----------------------------------------
    # No event follows any of these: read the run again to see the change.

    async def edit_text(self, run_pk: int | str, produced_text_pk: int | str | None, title: str,
                        body: str) -> ProducedText:
        """Write a new version of the run's produced text ``produced_text_pk`` by hand (None: a new text, which
        becomes the run's). Returns it with its pks; ``run 99 not found`` for a run the user does not have."""
        return await self._call(lambda d: d.edit_text(run_pk, produced_text_pk, title, body), missing=("run", run_pk))

    async def delete_text(self, run_pk: int | str, produced_text_pk: int | str) -> None:
        """Delete the run's produced text ``produced_text_pk`` (Mojodex keeps it as the run's text all the same)."""
        await self._call(lambda d: d.delete_text(run_pk, produced_text_pk), missing=("run", run_pk))

    async def rename_run(self, run_pk: int | str, title: str) -> None:
        await self._call(lambda d: d.rename_run(run_pk, title), missing=("run", run_pk))

    async def delete_run(self, run_pk: int | str) -> None:
        """Delete the run: gone from ``list_runs``; Mojodex still answers ``read_run`` for it
        (``raw["deleted_by_user"]``)."""
        await self._call(lambda d: d.delete_run(run_pk), missing=("run", run_pk))

    # -- the chat with the assistant outside any task (``can.chat``) ------------------------------------------------
    # A chat is a session: its events are followed like a run's (``follow``); a task the assistant starts from it is
    # a run in that same session, whose events (``draft``, ``title``...) carry its pk.

    async def create_chat(self) -> str:
        """A new chat session with the assistant; returns its session id."""
        return await self._call(lambda d: d.create_chat())

    async def send_chat_message(self, session_id: str, text: str) -> dict[str, Any]:
        """A message of the user's in chat ``session_id``; the answer comes as events."""
        return await self._call(lambda d: d.send_chat_message(session_id, text), missing=("chat", session_id))

    async def chat_sessions(self, limit: int = 50, offset: int = 0) -> list[str]:
        """The session ids of the user's chats that have a message, the one spoken in last first (a page)."""
        return await self._call(lambda d: d.chat_sessions(limit, offset))

    async def chat_messages(self, session_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The newest ``limit`` messages of chat ``session_id``, newest first (as ``messages``)."""
        return await self._call(lambda d: d.chat_messages(session_id, limit), missing=("chat", session_id))

    async def delete_chat(self, session_id: str) -> None:
        """Delete chat ``session_id``; a task run it started stays. ``chat X not found``."""
        await self._call(lambda d: d.delete_chat(session_id), missing=("chat", session_id))

    # -- events ------------------------------------------------------------------------------------------

    def event(self, name: str, data: Any) -> ServerEvent | None:
        """A Socket.IO event as a ``ServerEvent`` (None for one that cannot be used)."""
        from mojodex_core._dialects import _payloads

        return (self._current.event(name, data) if self._current is not None else _payloads.event(name, data))

    def step(self, payload: Any, session_id: str | None = None) -> StepEvent | None:
        """A step execution's payload (as a server sends it, or as it was kept) as a ``StepEvent``."""
        from mojodex_core._dialects import _payloads

        return _payloads.step(payload, session_id)

    async def workflow(self, ref: str) -> WorkflowInfo | None:
        """What the server lists for workflow (or task) ``ref``, if it lists it; None when it cannot be told.

        A server that answers for one definition (Mojodex 0.4) and has no such one for the user: ``NotFoundError``
        (``task 99 not found``)."""
        return await self._call(lambda d: d.workflow(ref), missing=("definition", ref))

    def ack(self, name: str, data: Any) -> Any:
        """What to answer an event the server sends with an acknowledgement (None: nothing)."""
        from mojodex_core._dialects import _payloads

        return self._current.ack(name, data) if self._current is not None else _payloads.ack(name, data)

    async def follow(self, session_id: str, listener: Any) -> None:
        """Have the run's events delivered to ``listener`` until ``unfollow`` (see ``mojodex_follow_session``)."""
        ctx = self._ctx
        try:
            done = await ctx.hooks.call("mojodex_follow_session", ctx=ctx, session_id=session_id, listener=listener)
        except MojodexError:
            raise
        except Exception as exc:
            ctx.log_exception(exc, "following a run")
            raise MojodexError(f"cannot follow the run's events: {type(exc).__name__}") from None
        if not done:
            raise MojodexError("no plugin follows server runs: enable the socketio plugin "
                               "(`plugins enable socketio`)")
        if ctx.rearm_sigint is not None:
            ctx.rearm_sigint()  # a Socket.IO client takes SIGINT when it connects: Ctrl-C is the command's again

    async def unfollow(self, session_id: str) -> None:
        await self._ctx.hooks.call("mojodex_unfollow_session", ctx=self._ctx, session_id=session_id)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- around the runs: todos, timezone, language, plan (``can.todos``, ``can.account``) ---------------------

    def _account_key(self) -> str | None:
        """A fingerprint of the login (its token): what the shell told the server holds for this login only."""
        user = self._ctx.user
        if user is None:
            return None
        import hashlib

        return hashlib.sha256(user.token.encode()).hexdigest()[:16]

    def recall(self, key: str) -> Any:
        """What ``remember`` kept for this server and login, or None."""
        account = self._account_key()
        if account is None:
            return None
        kept = self._kept.get((self.url, key))
        if kept is not None and kept[0] == account:
            return kept[1]
        return self._ctx.session.credentials.recall(self.url, key, account)

    def remember(self, key: str, value: Any) -> None:
        """Keep what the shell told the server (``timezone``, ``language``) for this server and login: with the
        credentials, or in memory for a login that is not saved (the demo's)."""
        account = self._account_key()
        if account is None:
            return
        self._kept[(self.url, key)] = (account, value)
        if not self._ctx.session.ephemeral:
            self._ctx.session.credentials.remember(self.url, key, account, value)

    async def sync_timezone(self, *, login: bool = False) -> int | None:
        """Tell the server the local clock's timezone offset, as the web app does on every page load, unless it
        was told that one already for this login: once per login, and again when the local offset changes. Its
        to-do list is empty until it knows. Silent: a failure goes to the debug log. Returns the offset the server
        has from this shell (None: nothing was sent, a server whose dialect has no timezone among them).

        ``login``: called by a login, which asks the server nothing more: while the dialect is not known, the
        offset goes once it is (at the login's first request)."""
        if self._ctx.user is None:
            return None
        if login and not self.api:
            self._timezone_due = True
            return None
        offset = local_offset()
        try:
            dialect = await self._dialect()
            if not dialect.can.todos:
                return None
            if self.recall("timezone") == offset:
                return offset
            await dialect.set_timezone(offset)
        except MojodexError as exc:
            self._ctx.log_exception(exc, "telling the server the timezone")
            sent = self.recall("timezone")
            return sent if isinstance(sent, int) else None
        self.remember("timezone", offset)
        return offset

    async def todos(self, run_pk: int | str | None = None, limit: int = 50, offset: int = 0) -> TodoPage:
        """A page of the to-do list (the open todos due today or later, soonest first), or with ``run_pk`` every
        todo of that run (done and past ones too): ``run 99 not found`` for a run the user does not have."""
        await self.sync_timezone()
        return await self._call(lambda d: d.todos(run_pk, limit, offset))

    async def unread_todos(self) -> int | None:
        """How many todos of the to-do list the user has not seen (the web app's badge), for a toolbar or a
        background load: it asks the user nothing (not even a login the server refused) and raises nothing, nor
        detects the server's dialect. None when it cannot be told (nobody logged in, a dialect not known yet or
        without todos, a failure: in the debug log)."""
        from mojodex_core._questions import IN_BACKGROUND

        if self._ctx.user is None or not self.api:
            return None
        mark = IN_BACKGROUND.set(True)
        try:
            if not (await self.capabilities()).todos:
                return None
            return (await self.todos(limit=1)).unread
        except MojodexError as exc:
            self._ctx.log_exception(exc, "reading the unread todos")
            return None
        finally:
            IN_BACKGROUND.reset(mark)

    async def todo_done(self, todo_pk: int | str) -> None:
        """Tick a todo: it leaves the to-do list. ``todo 7 not found``; ``todo 7 is already done``."""
        await self._call(lambda d: d.todo_done(todo_pk))

    async def todo_read(self, todo_pk: int | str) -> None:
        """Mark one todo as seen (the unread count is the web app's badge)."""
        await self._call(lambda d: d.todo_read(todo_pk))

    async def delete_todo(self, todo_pk: int | str) -> None:
        await self._call(lambda d: d.delete_todo(todo_pk))

    async def plan(self) -> Plan:
        """The account's plans: current ones (tasks and days left) and the last expired one."""
        return await self._call(lambda d: d.plan())

    async def languages(self) -> dict[str, str]:
        """The languages the server speaks, by code (``{"en": "English", "fr": "Français"}``)."""
        language = self.recall("language")
        return await self._call(lambda d: d.languages(language if isinstance(language, str) else "en"))

    async def set_language(self, code: str) -> None:
        """The account's language (its tasks' names, the assistant's words) becomes ``code``."""
        await self._call(lambda d: d.set_language(code))
        self.remember("language", code)
        dialect = self._current
        if dialect is not None:
            dialect.known.clear()  # the tasks' names change with it: nothing listed before holds
            dialect.first_pages.clear()

    # -- voice messages, resources, the user's description (Mojodex 0.4) ----------------------------------------

    async def send_audio(self, run: RunInfo, path: Path) -> str:
        """Send the audio file ``path`` as a voice message in ``run``'s conversation (the answer comes as events,
        as for ``send_message``); return what the server heard (its transcription), "" if it says nothing."""
        answer = await self._call(lambda d: d.send_audio(run, path))
        heard = answer.get("text")
        return heard.strip() if isinstance(heard, str) else ""  # the backend puts a space before it

    async def resources(self) -> list[Resource]:
        """The documents the assistant knows (the websites the user added), newest first."""
        return await self._call(lambda d: d.resources())

    async def add_website(self, url: str, timeout: float) -> Resource | None:
        """Add the website ``url`` to the resources: the server fetches it while this waits, ``timeout`` seconds at
        most. The new document, or None when the answer does not describe it."""
        return await self._call(lambda d: d.add_website(url, timeout))

    async def remove_resource(self, pk: int | str) -> None:
        """Remove a resource: ``resource 7 not found`` for one the user does not have."""
        await self._call(lambda d: d.remove_resource(pk))

    async def set_description(self, text: str) -> None:
        """The user's own description, which the assistant reads (who they are, what they do)."""
        await self._call(lambda d: d.set_description(text))

    async def account(self) -> Account:
        """Who is logged in, the language and timezone the server has from this shell, and the plan."""
        from mojodex_core._events import Account

        can = await self.capabilities()
        if not can.account:
            raise (await self._dialect()).unsupported("the account page")
        timezone = await self.sync_timezone()
        plan = await self.plan()
        user = self._ctx.user
        language = self.recall("language")
        return Account(name=user.name if user else "", email=user.email if user else "",
                       language=language if isinstance(language, str) else "", timezone_offset=timezone, plan=plan)

    async def _plan_line(self, dialect: Dialect) -> str | None:
        """What to say of an account whose plan has no task left ("the plan X ..."), or None when it has one, or
        when the server cannot say."""
        if not dialect.can.account:
            return None
        try:
            plan = await dialect.plan()
        except MojodexError as exc:
            self._ctx.log_exception(exc, "reading the account's plan")
            return None
        if plan.usable:
            return None
        spent = plan.ran_out
        if spent is None:
            if dialect.can.signup:
                return f"the account has no plan on {self.url} yet: `signup` chooses its first one (a free plan)"
            return f"the account has no plan on {self.url}: choose one in Mojodex's web app"
        name = one_line(spent.name, 80)
        if spent.tasks_limit is not None:
            used = f"{spent.tasks_used} of {spent.tasks_limit} task{'s' if spent.tasks_limit != 1 else ''} used"
        else:
            used = "expired"
        others = [p for p in plan.current if p is not spent]
        left = "no other plan is active" if not others else "the other plans have no task left either"
        return f"the plan {name!r} of this account has no task left on {self.url} ({used}; {left}): renew it " \
               "in Mojodex's web app"


    # -- a new account: sign-up and its first plan (``can.signup``) ---------------------------------------------

    async def _signup_dialect(self) -> Dialect:
        """The dialect, for a sign-up, which has no login yet: when ``auto`` has not detected it, the detection's
        GETs without a token tell it by the routes alone (Mojodex 0.4 has no ``/user_workflow`` route, the
        specification no ``/user_task``), asking only until one dialect is left."""
        if self.api:
            return await self._dialect()
        http = self.http

        async def missing(path: str) -> bool:
            try:
                await http.request("GET", path, auth=False, what="an answer")
            except AuthError:
                return False  # the route is there, and wants a login
            except ServerError as exc:
                return exc.route_missing
            return False

        name = await _dialects.identify(missing)
        self._ctx.session.credentials.save_api(self.url, name)
        return await self._dialect()

    async def sign_up(self, name: str, email: str, password: str, language: str = "en") -> bool:
        """Create an account and keep its token as a login does (the user is logged in to it, with no plan yet
        and the terms not accepted). An account with that email and password exists already: log in to it (a
        sign-up that stopped half-way goes on). Returns whether the account was created.

        On a server whose dialect has no sign-up (``can.signup``), ``UnsupportedError`` before anything is sent."""
        session = self._ctx.session
        await session.check_transport("password")
        dialect = await self._signup_dialect()
        if not dialect.can.signup:
            raise dialect.unsupported("signing up")
        created = True
        try:
            data = await dialect.sign_up(name, email, password, language)
        except ServerError as exc:
            if exc.status != 400 or "already exists" not in exc.text.lower():
                raise MojodexError(f"{self.url} refused the sign-up: {one_line(exc.text, 200)}") from None
            created = False
            try:
                data = await self.http.request(
                    "POST", "/user", auth=False, platform=False, what="a login answer",
                    json={"email": email, "password": password, "login_method": "email_password"})
            except ServerError as again:
                if again.status >= 500:
                    raise
                raise MojodexError(f"an account with the email {one_line(email, 100)} exists on {self.url}, with "
                                   "another password: `login` to it, or sign up with another email") from None
        await session.keep(data, email, save=not session.ephemeral)
        return created

    def terms_accepted(self) -> bool | None:
        """Whether the logged-in account accepted the server's terms, as its login (or this shell) said; None when
        no login of this shell told (a token kept from before, or from ``MOJODEX_TOKEN``)."""
        agreed = self.recall("terms")
        return agreed if isinstance(agreed, bool) else None

    async def product_categories(self) -> list[ProductCategory]:
        """What a new account chooses to start with (each brings its free plan)."""
        return await self._call(lambda d: d.product_categories())

    async def choose_free_plan(self, category: ProductCategory) -> Plan:
        """Give the account the free plan of ``category``, and its tasks (an account that never had a plan only).
        Returns the account's plans."""
        try:
            return await self._call(lambda d: d.choose_free_plan(category.pk))
        except ServerError as exc:
            if exc.status != 400:
                raise
            text, name = exc.text.lower(), one_line(category.name, 80)
            if "already had" in text:
                raise MojodexError(f"this account already had a plan on {self.url}: a free plan is for an account "
                                   "that never had one (`account` shows its plan)") from None
            if "no limited free product" in text:
                raise MojodexError(f"{name!r} has no free plan on {self.url}: choose another category") from None
            if "does not exist" in text:
                raise NotFoundError(f"category {name!r} not found on {self.url}", exc.status, text=exc.text,
                                    kind="category", ref=str(category.pk)) from None
            raise


def local_offset() -> int:
    """The local clock's offset from UTC as JavaScript's ``Date.getTimezoneOffset`` counts it: minutes to add to
    local time to get UTC (UTC+1 is -60, New York in winter 300)."""
    import datetime

    delta = datetime.datetime.now().astimezone().utcoffset() or datetime.timedelta(0)
    return -round(delta.total_seconds() / 60)
