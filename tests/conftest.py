"""Fixtures for the whole suite: an isolated MOJODEX_HOME, the reference server (in the test's event loop or in a
thread of its own), the real ``mojodex`` console script in a pseudo-terminal or without a terminal, plugins made
on the fly as tiny distributions, and an in-process shell driven through prompt_toolkit's pipe input.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from started_threads import start_each
from terminal import Terminal

from mojodex_core.testing import ServerThread, make_context  # the plugin author kit's, for the tests

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"
DEMO_NAME = "Demo User"

# Environment variables the shell reads: none of the developer's own may leak into a test.
_SHELL_ENV = ("MOJODEX_HOME", "MOJODEX_SERVER_URL", "MOJODEX_TOKEN", "MOJODEX_DEBUG")


# -- the order of the run ------------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, each group in its own order (every xdist worker sorts alike).

    pytest-xdist's worksteal hands each worker a slice of this list and lets an idle worker take the end of
    another's: a slow test there would run last, alone, while the other workers wait with nothing left to take.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# -- an isolated home ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def mojodex_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ``MOJODEX_HOME`` (mode 0700) for every test. None of the developer's MOJODEX_* leaks in.

    Overrides the fixture of the same name in ``mojodex_core.testing`` for this suite, with the same meaning.
    """
    for name in _SHELL_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "mojodex-home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("MOJODEX_HOME", str(home))
    return home


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unreachable_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


# -- the reference server ------------------------------------------------------------------------------------


@pytest.fixture
async def reference_server() -> AsyncIterator[Any]:
    """A ReferenceServer on 127.0.0.1, in the test's own event loop (for in-process tests)."""
    from mojodex_server import ReferenceServer

    async with ReferenceServer(host="127.0.0.1") as srv:
        yield srv


@pytest.fixture
def start_server_thread() -> Iterator[Callable[..., ServerThread]]:
    """Start one more reference server in a thread: ``start_server_thread(**ReferenceServer kwargs)``."""
    yield from start_each(ServerThread)


@pytest.fixture
def server_thread(start_server_thread: Callable[..., ServerThread]) -> ServerThread:
    """A ReferenceServer in a background thread; ``server_thread.url`` is its address."""
    return start_server_thread()


# -- the console script --------------------------------------------------------------------------------------


def mojodex_executable() -> str:
    """The ``mojodex`` console script of the virtualenv running the tests."""
    found = shutil.which("mojodex", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(f"no `mojodex` script next to {sys.executable}: install the project (pip install -e .)")
    return found


def shell_env(home: Path, server_url: str | None = None, term: str | None = "xterm",
              extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a ``mojodex`` child: the test's home, server and terminal, nothing of the developer's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOJODEX_", "PROMPT_TOOLKIT_")) and k not in ("COLUMNS", "LINES", "TERM")}
    env["MOJODEX_HOME"] = str(home)
    env["HOME"] = str(home.parent)
    env["NO_COLOR"] = "1"
    env["PAGER"] = "cat"  # a 24-line terminal would page long output; tests of the pager set their own
    if term is not None:
        env["TERM"] = term
    if server_url is not None:
        env["MOJODEX_SERVER_URL"] = server_url
    env.update(extra or {})
    return env


@pytest.fixture
def spawn_mojodex(mojodex_home: Path) -> Iterator[Callable[..., Terminal]]:
    """Start ``mojodex ARGS...`` in a pseudo-terminal: ``spawn_mojodex(*args, server_url=, term=, env=, columns=)``.

    Every terminal is killed at the end of the test, and none may ever have shown a traceback.
    """
    spawned: list[Terminal] = []

    def spawn(*args: str, server_url: str | None = None, term: str = "xterm",
              env: dict[str, str] | None = None, home: Path | None = None, columns: int = 120) -> Terminal:
        environ = shell_env(home or mojodex_home, server_url, term, env)
        terminal = Terminal.spawn([mojodex_executable(), *args], env=environ, cwd=mojodex_home.parent, columns=columns)
        spawned.append(terminal)
        return terminal

    yield spawn
    for terminal in spawned:
        terminal.drain()
        terminal.kill()
    for terminal in spawned:
        assert "Traceback" not in terminal.text, terminal.text


def save_login(home: Path, server_url: str, token: str = "saved-token-0123456789",
               name: str = DEMO_NAME, email: str = DEMO_EMAIL) -> str:
    """Write a credentials file as a login to ``server_url`` would have; returns the token."""
    from mojodex_core._credentials import CredentialStore, User

    CredentialStore(home / "credentials").save(User(server=server_url, token=token, name=name, email=email))
    return token


@pytest.fixture
def logged_in(mojodex_home: Path) -> Callable[..., str]:
    """``logged_in(server_url, token=...)``: saved credentials for that server, so the prompt comes at once."""

    def save(server_url: str, token: str = "saved-token-0123456789") -> str:
        return save_login(mojodex_home, server_url, token)

    return save


@pytest.fixture
def run_mojodex(mojodex_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``mojodex ARGS...`` with no terminal at all (stdin from /dev/null, output captured).

    ``run_mojodex(*args, server_url=, env=, input=)``; ``input`` feeds stdin through a pipe instead.
    No output of it may contain a traceback.
    """

    def run(*args: str, server_url: str | None = None, env: dict[str, str] | None = None, input: str | None = None,
            home: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [mojodex_executable(), *args], env=shell_env(home or mojodex_home, server_url, None, env),
            stdin=subprocess.DEVNULL if input is None else None, input=input, capture_output=True, text=True,
            timeout=timeout, cwd=str(mojodex_home.parent),
        )
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc

    return run


class _Pipe(io.StringIO):
    """What a program without a terminal has for stdin, stdout and stderr: text streams that are not ttys."""

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _process_state(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """This process's environment and working folder as a child's would be, for the block only."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@pytest.fixture
def mojodex_main(mojodex_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_mojodex`` without starting a process: the console script's own ``main(argv)`` runs in this one, with
    the child's environment, working folder and no terminal (stdin, stdout and stderr are not ttys).

    The same code path as the script, minus Python starting and importing everything again (about 0.3 s of CPU a
    run, which hundreds of one-shot runs in the suite add up). Tests of the script itself (exit on a closed pipe,
    the options it reads before its imports) use ``run_mojodex``.
    """
    from mojodex_core._cli import main

    def run(*args: str, server_url: str | None = None, env: dict[str, str] | None = None, input: str | None = None,
            home: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        del timeout  # pytest-timeout ends a run that hangs
        out, err = _Pipe(), _Pipe()
        with (_process_state(shell_env(home or mojodex_home, server_url, None, env), mojodex_home.parent),
              contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)):
            saved_stdin, sys.stdin = sys.stdin, _Pipe(input or "")
            try:
                status = main(list(args))
            finally:
                sys.stdin = saved_stdin
        proc = subprocess.CompletedProcess(["mojodex", *args], status, out.getvalue(), err.getvalue())
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc

    return run


# -- plugins made on the fly ---------------------------------------------------------------------------------


class PluginSite:
    """A directory of tiny distributions (a module plus a ``*.dist-info`` with ``entry_points.txt``).

    Put ``site.path`` on ``PYTHONPATH`` (``site.env()``) and ``mojodex`` finds the plugins as if installed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, source: str, *, module: str | None = None, attr: str = "") -> str:
        """Add plugin ``name`` whose module holds ``source``; returns the module name."""
        module = module or f"mojodex_test_{name.replace('-', '_')}"
        (self.path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        dist = f"mojodex-test-{name}"
        info = self.path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
        value = f"{module}:{attr}" if attr else module
        (info / "entry_points.txt").write_text(f"[mojodex]\n{name} = {value}\n", encoding="utf-8")
        return module

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.path)}


@pytest.fixture
def plugin_site(tmp_path: Path) -> PluginSite:
    return PluginSite(tmp_path / "site-packages-extra")


# -- an in-process shell -------------------------------------------------------------------------------------


class _Screen(io.StringIO):
    def isatty(self) -> bool:
        return False


class InProcessShell:
    """A shell built in this process: its own Context and PluginHost with the project's built-in plugins.

    ``await shell.run(keys)`` types ``keys`` into prompt_toolkit's pipe input and runs the shell exactly as the
    console script does (startup hooks, login if needed, the prompt loop, shutdown) until it leaves; it returns
    everything printed (prompts included, as plain text). End ``keys`` with ``exit\\r`` or Ctrl-D (``\\x04``).
    """

    def __init__(self, home: Path, server_url: str | None = None, plugins: list[str] | None = None,
                 disabled: tuple[str, ...] = ()) -> None:
        self.ctx = make_context(home, server_url=server_url, builtins=True if plugins is None else plugins,
                                disabled=disabled)
        self.status: int | None = None

    def add_plugin(self, name: str, obj: Any) -> None:
        self.ctx.hooks.add_plugin(name, obj, self.ctx)

    async def run(self, keys: str, timeout: float = 10.0) -> str:
        from prompt_toolkit.application import create_app_session
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output.plain_text import PlainTextOutput

        from mojodex_core._runner import _run_shell, _with_lifecycle

        screen = _Screen()
        with (create_pipe_input() as pipe, create_app_session(input=pipe, output=PlainTextOutput(screen)),
              contextlib.redirect_stdout(screen), contextlib.redirect_stderr(screen)):
            pipe.send_text(keys)
            self.status = await asyncio.wait_for(_with_lifecycle(self.ctx, _run_shell(self.ctx)), timeout)
        return screen.getvalue().replace("\r", "")


@pytest.fixture
def in_process_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """``in_process_terminal(build, env=None, prompt=None)``: the shell ``build()`` makes (an ``InProcessShell``)
    as a terminal (``inprocess.InProcessTerminal``), built in the script's environment of ``spawn_mojodex``
    (``NO_COLOR``, ``PAGER=cat``, then ``env``), once ``prompt`` shows if given. Every terminal is killed after
    the test, which fails if one of them showed a traceback."""
    from inprocess import InProcessTerminal

    opened: list[InProcessTerminal] = []

    def open_(build: Callable[[], InProcessShell], env: dict[str, str] | None = None,
              prompt: str | None = None) -> Any:
        for name, value in {"NO_COLOR": "1", "PAGER": "cat", **(env or {})}.items():
            monkeypatch.setenv(name, value)
        term = InProcessTerminal(build())
        opened.append(term)
        if prompt is not None:
            term.expect(prompt, timeout=10)
        return term

    yield open_
    for term in opened:
        term.kill()
    for term in opened:
        assert "Traceback" not in term.text, term.text


@pytest.fixture
def make_shell(mojodex_home: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., InProcessShell]:
    """Build an in-process shell: ``make_shell(server_url=None, plugins=None, disabled=())``."""
    monkeypatch.setenv("TERM", "xterm")

    def make(**kwargs: Any) -> InProcessShell:
        return InProcessShell(mojodex_home, **kwargs)

    return make
