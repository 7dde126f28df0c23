"""The plugin author kit: pytest fixtures that start a reference server and drive a shell with your plugin.

Installed as a pytest plugin (entry point ``pytest11``), so a plugin's own tests just use the fixtures:

    def test_hello(mojodex_shell):
        shell = mojodex_shell(plugins={"hello": my_plugin})
        assert "Hello" in shell.run("hello")

Fixtures: ``mojodex_home`` (an empty ~/.mojodex for the test), ``mojodex_server`` (a reference Mojodex server
on 127.0.0.1 in a background thread, logged-in demo user), ``mojodex_shell`` (a factory of ``ShellHarness``).
Everything here runs without pytest-asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mojodex_core.config import Config
from mojodex_core.context import Context
from mojodex_core.credentials import User
from mojodex_core.errors import NotInteractiveError
from mojodex_core.events import StepEvent


class ServerThread:
    """A ``mojodex_server.ReferenceServer`` running on its own event loop in a daemon thread.

    ``call(fn)`` runs ``fn(server)`` on the server's loop (awaiting it if it returns a coroutine).
    """

    def __init__(self, **options: Any) -> None:
        self.options = {"host": "127.0.0.1", **options}
        self.loop = asyncio.new_event_loop()
        self.server: Any = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="mojodex-test-server", daemon=True)

    def start(self) -> ServerThread:
        from mojodex_server import ReferenceServer

        self._thread.start()

        async def boot() -> Any:
            srv = ReferenceServer(**self.options)
            await srv.start()
            return srv

        self.server = asyncio.run_coroutine_threadsafe(boot(), self.loop).result(timeout=30)
        return self

    @property
    def url(self) -> str:
        return str(self.server.url)

    def call(self, fn: Callable[[Any], Any], timeout: float = 30) -> Any:
        async def run() -> Any:
            result = fn(self.server)
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=timeout)

    def token(self, email: str = "demo@example.com") -> str:
        return str(self.call(lambda s: s.token_for(email)))

    def stop(self) -> None:
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
            self.server = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


class ScriptedContext(Context):
    """A Context whose questions are answered from a list; each question and answer is printed."""

    answers: list[str]

    async def ask(self, prompt: str, *, password: bool = False, default: str | None = None) -> str:
        if not self.answers:
            raise NotInteractiveError(f"the test gave no answer for {prompt.strip()!r}")
        answer = self.answers.pop(0)
        self.print(f"{prompt}{'' if password else answer}")
        return answer if answer or default is None else default


class ShellHarness:
    """A shell with chosen plugins, on its own event loop: ``run(line)`` returns what the line printed."""

    def __init__(self, home: Path, plugins: dict[str, Any], builtins: bool | list[str], server_url: str | None,
                 token: str | None) -> None:
        from mojodex_core.discovery import scan

        config = Config.load(home / "config.toml")
        if server_url:
            config.overrides["server.url"] = server_url
        self.ctx = ScriptedContext(config, home, interactive=True)
        self.ctx.answers = []
        self.loop = asyncio.new_event_loop()
        if builtins:
            infos = [i for i in scan() if i.dist == "mojodex" and (builtins is True or i.name in builtins)]
            self.ctx.plugins.load_all(infos, [], self.ctx)
        for name, obj in plugins.items():
            self.ctx.plugins.add_plugin(name, obj, self.ctx)
        if token:
            self.ctx.user = User(server=self.ctx.server_url, token=token, name="Demo User",
                                 email="demo@example.com")
        self.loop.run_until_complete(self.ctx.fire("mojodex_startup"))

    def run(self, line: str, answers: list[str] | None = None, timeout: float = 60) -> str:
        """Run one command line; ``answers`` answer its questions in order. Returns stdout and stderr."""
        return self.loop.run_until_complete(asyncio.wait_for(self.arun(line, answers), timeout))

    async def arun(self, line: str, answers: list[str] | None = None) -> str:
        from mojodex_core.dispatch import report, resolve, run_async
        from mojodex_core.errors import MojodexError

        self.ctx.answers = list(answers or [])
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                found = resolve(self.ctx, line)
            except MojodexError as exc:
                self.status = report(self.ctx, None, exc)
                return out.getvalue()
            self.status = await run_async(self.ctx, *found) if found else 0
        return out.getvalue()

    def fire_step(self, kind: str, step: StepEvent) -> str:
        """Fire ``mojodex_step_started``, ``_ended`` or ``_validated`` (kind "started", "ended", "validated")
        on every plugin. Returns what the plugins printed (warnings included)."""
        if kind not in ("started", "ended", "validated"):
            raise ValueError(f"kind must be started, ended or validated, not {kind!r}")
        return self.fire(f"mojodex_step_{kind}", step=step)

    def fire(self, hook_name: str, **kwargs: Any) -> str:
        """Fire any hook on every plugin (``ctx`` is passed for you), e.g.
        ``fire("mojodex_server_event", event="error", data={...})``. Returns what the plugins printed."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            self.loop.run_until_complete(self.ctx.fire(hook_name, **kwargs))
        return out.getvalue()

    def close(self) -> None:
        async def down() -> None:
            await self.ctx.fire("mojodex_shutdown")
            await self.ctx.aclose()

        with contextlib.redirect_stdout(io.StringIO()):
            self.loop.run_until_complete(down())
        self.loop.close()


@pytest.fixture
def mojodex_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty shell home for this test (``MOJODEX_HOME``); no real user file is touched."""
    home = tmp_path / "mojodex-home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("MOJODEX_HOME", str(home))
    for var in ("MOJODEX_TOKEN", "MOJODEX_SERVER_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def mojodex_server() -> Iterator[ServerThread]:
    """A reference Mojodex server on 127.0.0.1 (demo@example.com / demo, the Write poem workflow)."""
    thread = ServerThread().start()
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
