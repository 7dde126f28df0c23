"""The plugin author kit: pytest fixtures that start a reference server and drive a shell with your plugin.

Installed as a pytest plugin (entry point ``pytest11``), so a plugin's own tests just use the fixtures:

    def test_hello(mojodex_shell):
        shell = mojodex_shell(plugins={"hello": my_plugin})
        assert "Hello" in shell.run("hello")

Fixtures: ``mojodex_home`` (an empty ~/.mojodex for the test), ``mojodex_server`` (a reference Mojodex server
on 127.0.0.1 in a background thread, speaking Mojodex 0.4 unless the test's ``mojodex_server`` marker names another
dialect), ``mojodex_shell`` (a factory of ``ShellHarness``). Everything here runs without pytest-asyncio.
Without pytest fixtures (a bench, a script): ``make_context`` builds a shell's context with chosen plugins,
``run_line`` runs one command line in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mojodex_core._config import Config
from mojodex_core._context import ShellContext
from mojodex_core._credentials import User
from mojodex_core._errors import NotInteractiveError
from mojodex_core._events import StepEvent

# The dialect of the ``mojodex_server`` fixture: Mojodex 0.4, the current release (instruct tasks and the workflow),
# as the demo plays it. ``@pytest.mark.mojodex_server(api="spec")`` picks another for one test.
DEFAULT_API = "mojodex-0.4"
MARKER = ("mojodex_server(api='mojodex-0.4', **options): the reference server the mojodex_server fixture starts for "
          "this test: api is spec, mojodex-2024 or mojodex-0.4; options are ReferenceServer's (step_delay, ...)")


class LoopThread:
    """A server (any async context manager ``factory()`` makes) running in a thread with its own event loop,
    for tests whose own thread is busy (a pseudo-terminal, a subprocess) or that have no event loop at all.

    ``call(func, *args)`` runs ``func`` in the server's loop (awaiting it if it returns an awaitable) and
    returns its result; ``server`` is the server itself (touch it only through ``call``).
    """

    def __init__(self, factory: Callable[[], Any], name: str = "test-server") -> None:
        self.factory = factory
        self.server: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name=name, daemon=True)

    def start(self, timeout: float = 10.0) -> Any:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"{self._thread.name} did not start within {timeout} s")
        if self.error is not None:
            raise RuntimeError(f"{self._thread.name} failed to start") from self.error
        return self

    async def _serve(self) -> None:
        try:
            self.loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with self.factory() as srv:
                self.server = srv
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:
            self.error = exc
            self._ready.set()

    @property
    def url(self) -> str:
        return str(self.server.url)

    def call(self, func: Callable[..., Any], *args: Any, timeout: float = 10.0, **kwargs: Any) -> Any:
        async def run() -> Any:
            result = func(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


class ServerThread(LoopThread):
    """A ``mojodex_server.ReferenceServer`` on 127.0.0.1 in a thread (``ServerThread(**ReferenceServer kwargs)``)."""

    def __init__(self, **server_kwargs: Any) -> None:
        def make() -> Any:
            from mojodex_server import ReferenceServer

            return ReferenceServer(**{"host": "127.0.0.1", **server_kwargs})

        super().__init__(make, name="reference-server")
        self.server_kwargs = server_kwargs

    def start(self, timeout: float = 10.0) -> ServerThread:
        super().start(timeout)
        return self

    @property
    def api(self) -> str:
        """The dialect the server speaks: ``spec``, ``mojodex-2024`` or ``mojodex-0.4``."""
        return str(self.server.api)

    @property
    def requests(self) -> list[Any]:
        """A copy of the requests the server answered so far."""
        return list(self.call(lambda: list(self.server.requests)))

    def expire_tokens(self) -> None:
        self.call(self.server.expire_tokens)

    def token_for(self, email: str = "demo@example.com") -> str:
        """A login token of ``email`` (the demo user by default), as ``POST /user`` would give."""
        return str(self.call(self.server.token_for, email))

    token = token_for


def make_context(home: Path, *, server_url: str | None = None, api: str | None = None, token: str | None = None,
                 builtins: bool | Iterable[str] = True, plugins: dict[str, Any] | None = None,
                 disabled: Iterable[str] = (), interactive: bool = True,
                 context: type[ShellContext] = ShellContext) -> ShellContext:
    """A shell's context as the console script builds it, with ``home`` as its ~/.mojodex (its config.toml read,
    if there is one), and no hook called yet (``await ctx.call_hook("mojodex_startup")`` next, and
    ``mojodex_shutdown`` then ``await ctx.aclose()`` at the end).

    ``server_url`` and ``api`` override ``server.url`` and ``server.api`` for this context; with ``token`` it is
    logged in as the demo user. ``builtins``: the built-in plugins to load, all (True), none (False) or their
    names; ``disabled`` as the ``plugins.disabled`` key; ``plugins`` adds yours (``{"name": obj}``).
    ``interactive`` says whether a person watches (questions may be asked, drafts stream). ``context`` is the
    class to build (a subclass of the shell's context).
    """
    from mojodex_core._discovery import scan
    from mojodex_core._plugins import BUILTIN_DIST

    config = Config.load(home / "config.toml")
    if server_url is not None:
        config.override("server.url", server_url)
    if api is not None:
        config.override("server.api", api)
    ctx = context(config, home, interactive=interactive)
    if builtins is not False:
        names = None if builtins is True else set(builtins)
        infos = [i for i in scan() if i.dist == BUILTIN_DIST and (names is None or i.name in names)]
        ctx.hooks.load_all(infos, list(disabled), ctx)
    for name, obj in (plugins or {}).items():
        ctx.hooks.add_plugin(name, obj, ctx)
    if token:
        ctx.session.user = User(server=ctx.server_url, token=token, name="Demo User", email="demo@example.com")
        ctx.session.source = "login"
    return ctx


async def run_line(ctx: ShellContext, line: str) -> int:
    """Run one command line in ``ctx`` as the shell's prompt does (an error is one printed line); its exit status."""
    from mojodex_core._dispatch import report, resolve, run_async
    from mojodex_core._errors import MojodexError

    try:
        found = resolve(ctx, line)
    except MojodexError as exc:
        return report(ctx, None, exc)
    return await run_async(ctx, *found) if found else 0


def event_transport(ctx: ShellContext) -> str:
    """The transport the built-in Socket.IO plugin's connection uses now (``websocket``, ``polling``), or ``off``."""
    record = ctx.hooks.records.get("socketio")
    sio = getattr(record.obj, "sio", None) if record is not None else None
    return str(sio.transport()) if sio is not None else "off"


class ScriptedContext(ShellContext):
    """A context whose questions are answered from a list; each question and answer is printed.

    An empty answer to a question that shows a default takes the default, as Enter does at a terminal.
    """

    answers: list[str]

    async def ask(self, prompt: str, *, password: bool = False, default: str | None = None, **_: Any) -> str:
        if not self.answers:
            raise NotInteractiveError(f"the test gave no answer for {prompt.strip()!r}")
        answer = self.answers.pop(0)
        if not answer and default is not None:
            answer = default
        self.print(f"{prompt}{'' if password else answer}")
        return answer


class ShellHarness:
    """A shell with chosen plugins, on its own event loop: ``run(line)`` returns what the line printed."""

    def __init__(self, home: Path, plugins: dict[str, Any], builtins: bool | list[str], server_url: str | None,
                 token: str | None) -> None:
        ctx = make_context(home, server_url=server_url or None, token=token, builtins=builtins, plugins=plugins,
                           context=ScriptedContext)
        assert isinstance(ctx, ScriptedContext)
        self.ctx = ctx
        self.ctx.answers = []
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.ctx.call_hook("mojodex_startup"))

    def run(self, line: str, answers: list[str] | None = None, timeout: float = 60) -> str:
        """Run one command line; ``answers`` answer its questions in order. Returns stdout and stderr."""
        return self.loop.run_until_complete(asyncio.wait_for(self.arun(line, answers), timeout))

    async def arun(self, line: str, answers: list[str] | None = None) -> str:
        self.ctx.answers = list(answers or [])
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            self.status = await run_line(self.ctx, line)
        return out.getvalue()

    def fire_step(self, kind: str, step: StepEvent, reason: str = "") -> str:
        """Fire ``mojodex_step_started``, ``_ended``, ``_validated`` or ``_invalidated`` (kind "started",
        "ended", "validated" or "invalidated") on every plugin. Returns what the plugins printed."""
        if kind not in ("started", "ended", "validated", "invalidated"):
            raise ValueError(f"kind must be started, ended, validated or invalidated, not {kind!r}")
        extra = {"reason": reason} if kind == "invalidated" else {}
        return self.fire(f"mojodex_step_{kind}", step=step, **extra)

    def fire(self, hook_name: str, **kwargs: Any) -> str:
        """Fire any hook on every plugin (``ctx`` is passed for you), e.g.
        ``fire("mojodex_server_event", event="error", data={...})``. Returns what the plugins printed."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            self.loop.run_until_complete(self.ctx.call_hook(hook_name, **kwargs))
        return out.getvalue()

    def close(self) -> None:
        async def down() -> None:
            await self.ctx.call_hook("mojodex_shutdown")
            await self.ctx.aclose()

        with contextlib.redirect_stdout(io.StringIO()):
            self.loop.run_until_complete(down())
        self.loop.close()


@pytest.hookimpl(tryfirst=True)  # before pytest-asyncio's own pytest_configure reads its settings
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    _settle_asyncio_loop_scope(config)


def _settle_asyncio_loop_scope(config: pytest.Config) -> None:
    """Give pytest-asyncio the fixture loop scope it warns about when a project leaves it unset.

    pytest-asyncio (installed beside the kit by ``mojodex[dev]``, and in many a plugin author's environment) emits
    a PytestDeprecationWarning at every run of a project that does not set ``asyncio_default_fixture_loop_scope``:
    the tests of a plugin that uses only the kit, which needs no pytest-asyncio, would all print it. "function"
    is the default pytest-asyncio announces; a project that sets the option (or ``-o``) keeps its own.
    """
    try:
        if config.getini("asyncio_default_fixture_loop_scope"):
            return
    except ValueError:  # no pytest-asyncio, or one too old to have the option (and to warn)
        return
    # pytest has no public way for a plugin to give another plugin's ini option a value; getini answers from
    # this cache, which it has kept under this name since pytest 3. Without it, the warning merely stays.
    cache = getattr(config, "_inicache", None)
    if isinstance(cache, dict):
        cache["asyncio_default_fixture_loop_scope"] = "function"


@pytest.fixture
def mojodex_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty shell home for this test (``MOJODEX_HOME``); no real user file is touched."""
    home = tmp_path / "mojodex-home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("MOJODEX_HOME", str(home))
    for var in ("MOJODEX_TOKEN", "MOJODEX_SERVER_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


def server_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``ReferenceServer`` arguments of the test's ``mojodex_server``: Mojodex 0.4, unless the test's
    ``@pytest.mark.mojodex_server("spec", step_delay=0.1)`` marker or the fixture's indirect parameter (a dialect,
    or a dict of arguments) says otherwise."""
    options: dict[str, Any] = {"api": DEFAULT_API}
    marker = request.node.get_closest_marker("mojodex_server")
    if marker is not None:
        if len(marker.args) > 1:
            raise TypeError("@pytest.mark.mojodex_server takes one positional argument, the dialect (api)")
        options.update(dict(zip(["api"], marker.args, strict=False)), **marker.kwargs)
    param = getattr(request, "param", None)
    if isinstance(param, str):
        options["api"] = param
    elif isinstance(param, dict):
        options.update(param)
    return options


@pytest.fixture
def mojodex_server(request: pytest.FixtureRequest) -> Iterator[ServerThread]:
    """A reference Mojodex server on 127.0.0.1, logged-in as demo@example.com / demo. It speaks Mojodex 0.4: the
    tasks Write poem (1, a workflow), General Assistance (2) and Meeting minutes (3), instruct tasks. Another
    dialect for one test: ``@pytest.mark.mojodex_server(api="spec")`` (only Write poem, 1)."""
    thread = ServerThread(**server_options(request)).start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def mojodex_shell(mojodex_home: Path) -> Iterator[Callable[..., ShellHarness]]:
    """A factory: ``mojodex_shell(plugins={"name": obj}, builtins=True, server=mojodex_server)``.

    With a server, the shell is logged in as the demo user. Shells are closed after the test.
    """
    made: list[ShellHarness] = []

    def make(plugins: dict[str, Any] | None = None, builtins: bool | list[str] = True,
             server: ServerThread | None = None) -> ShellHarness:
        harness = ShellHarness(mojodex_home, plugins or {}, builtins, server.url if server else None,
                               server.token() if server else None)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()
