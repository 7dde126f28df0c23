"""Tab completion, the toolbar's width and history suggestions: the real `mojodex` in a pseudo-terminal for what a
person sees, this process for the rest (the background loads, their merging and order, the options)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from server_runs import add_runs

from mojodex_core import DIALECTS, RunInfo, hookimpl
from mojodex_core._completion import CommandCompleter, CompletionValues
from mojodex_core._shell import Shell, fit_toolbar

DEMO_EMAIL = "demo@example.com"
NO_LOCAL = '[plugins]\ndisabled = ["local"]\n'


# -- what a person sees ------------------------------------------------------------------------------------------


def test_the_first_tab_after_workflow_run_offers_the_servers_workflows(spawn_mojodex, logged_in, start_server_thread):
    srv = start_server_thread(api="mojodex-0.4")
    logged_in(srv.url, srv.token_for())
    term = spawn_mojodex(server_url=srv.url)
    term.expect_prompt(timeout=10)
    term.type("workflow run \t")  # at once: the list loads while the prompt shows, the Tab waits for it
    term.expect(re.compile(r"\b1 +🌸 Write poem"))
    term.expect("local/write-poem")


def test_task_show_offers_the_run_ids_in_numeric_order(spawn_mojodex, logged_in, start_server_thread, mojodex_home):
    srv = start_server_thread(api="mojodex-0.4", first_pk=9)  # tasks 9 to 12; runs 9, 10, 11, 12
    assert add_runs(srv, 4, 10, title="Note") == [9, 10, 11, 12]
    (mojodex_home / "config.toml").write_text(NO_LOCAL, encoding="utf-8")
    logged_in(srv.url, srv.token_for())
    term = spawn_mojodex(server_url=srv.url)
    term.expect_prompt(timeout=10)
    term.type("task show \t")
    menu = term.expect(re.compile(r"\b9 +💡 Note 0 \(instruct\).*\n.*\b10 .*\n.*\b11 .*\n.*\b12 +💡 Note 3"))
    assert "Note" in menu.group(0)


def test_options_complete_after_the_arguments_and_a_command_typed_once_is_suggested_from_history(
        spawn_mojodex, logged_in, unreachable_url):
    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url)
    term.expect_prompt()
    term.type("workflow run 1 --\t")
    term.expect(re.compile(r"--input +give an input's value"))
    term.expect(re.compile(r"--yes +accept every step"))
    term.ctrl("c")  # the line and its menu go, the shell goes on
    term.expect_prompt()
    term.line("help config path")
    term.expect("usage: config path")
    term.expect_prompt()
    term.type("help c")
    term.expect("onfig path")  # the rest of the line, suggested after the cursor
    term.type("\x1b[C\r")  # Right takes the suggestion
    term.expect("usage: config path")


def test_the_toolbar_shortens_itself_to_60_columns(spawn_mojodex, mojodex_home, unreachable_url):
    from mojodex_core._credentials import CredentialStore, User

    CredentialStore(mojodex_home / "credentials").save(User(
        server=unreachable_url, token="saved-token-0123456789", name="Demo User of the Completion Tests, Second Team",
        email=DEMO_EMAIL))
    term = spawn_mojodex(server_url=unreachable_url, columns=60)
    term.expect_prompt()
    # Whole, in 59 cells: the name cut, the scheme dropped (it was `...Second Team | http://127.0` and no port).
    term.expect("Demo User of th… | " + unreachable_url.removeprefix("http://"))


# -- the background loads, in this process ----------------------------------------------------------------------


def _complete(ctx: Any, text: str, values: CompletionValues | None = None) -> list[str]:
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        completer = CommandCompleter(ctx, values)
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


async def _loaded(shell: Any, after: str | None = None) -> CompletionValues:
    values = CompletionValues(shell.ctx)
    values.refresh(after)
    await values.settle(10)
    assert not values.loading
    return values


@pytest.mark.parametrize("api", DIALECTS)
async def test_the_workflows_load_in_the_background_on_every_dialect(api, make_shell, logged_in):
    from mojodex_server import ReferenceServer

    async with ReferenceServer(api=api, host="127.0.0.1", first_pk=7) as srv:
        logged_in(srv.url, srv.token_for(DEMO_EMAIL))
        shell = make_shell(server_url=srv.url)
        shell.ctx.session.restore()
        values = await _loaded(shell)
        ref = srv.demo_workflow_ref()
        assert values.for_command("workflow run")[ref] == "🌸 Write poem"
        assert ref in _complete(shell.ctx, "workflow run ", values)
        assert "local/write-poem" in _complete(shell.ctx, "wr ", values)  # the alias, and the local source
        assert _complete(shell.ctx, "workflow run 7 ", values) == []  # only the first argument
    await shell.ctx.aclose()


async def test_nothing_is_loaded_nor_asked_without_a_login(make_shell, reference_server):
    shell = make_shell(server_url=reference_server.url, plugins=["workflow", "task"])
    values = await _loaded(shell)
    assert values.for_command("workflow run") == {} and values.for_command("task show") == {}
    assert reference_server.requests == []


async def test_task_runs_and_workflow_runs_complete_from_the_history(make_shell, logged_in):
    from mojodex_server import ReferenceServer

    async with ReferenceServer(api="mojodex-0.4", host="127.0.0.1", first_pk=9) as srv:

        class Thread:  # add_runs's view of a server in a thread, for one in this loop
            server = srv

            @staticmethod
            def call(func: Any) -> Any:
                return func()

        add_runs(Thread, 2, 10, title="Note")
        logged_in(srv.url, srv.token_for(DEMO_EMAIL))
        shell = make_shell(server_url=srv.url, plugins=["workflow", "task"])
        shell.ctx.session.restore()
        values = await _loaded(shell)
        assert _complete(shell.ctx, "task run ", values) == ["9", "10", "11"]  # tasks: numbers as numbers
        for command in ("task show", "task text", "task resume", "workflow show", "workflow resume"):
            assert _complete(shell.ctx, f"{command} ", values) == ["9", "10"], command
        assert _complete(shell.ctx, "task show 1", values) == ["10"]
        add_runs(Thread, 1, 10, title="Note")
        assert "11" not in values.for_command("task show")
        values.refresh("task run")  # a command that makes runs: the history is read again
        await values.settle(10)
        assert "11" in values.for_command("task show")
        requests = len(srv.requests)
        values.refresh("help")  # nothing changed: nothing asked
        await values.settle(10)
        assert len(srv.requests) == requests
    await shell.ctx.aclose()


def test_run_ids_are_offered_where_each_command_takes_them():
    from mojodex_core import ProducedText
    from mojodex_task.completion import run_pairs

    runs = [RunInfo(pk=1, session_id="a", name="Write poem", kind="workflow", produced=ProducedText("T", "x")),
            RunInfo(pk=2, session_id="b", name="Write poem", kind="workflow", title="Spring"),
            RunInfo(pk=3, session_id="c", name="Assist", kind="instruct", produced=ProducedText("T", "x"))]
    pairs = {command: [pk for pk, _ in found] for command, found in run_pairs(runs).items()}
    assert pairs["task show"] == pairs["workflow show"] == ["1", "2", "3"]
    assert pairs["workflow resume"] == ["2", "3"]  # an instruct run always reopens
    assert pairs["task resume"] == ["1", "2", "3"]  # and a finished workflow run's result chat too
    assert pairs["workflow restart"] == ["2"]
    assert dict(run_pairs(runs)["task show"])["2"] == "Spring (workflow)"


async def test_local_runs_and_runs_left_waiting_complete(make_shell, mojodex_home):
    import json

    from mojodex_engine.definitions import find_definitions
    from mojodex_engine.storage import RunStore

    poem = find_definitions(mojodex_home)[0]["write-poem"]
    store = RunStore.create(mojodex_home, poem, {"poem_topic": "spring", "n_stanzas": "2"},
                            run_id="20250101-000000-aaaa")
    store.close()
    url = "http://127.0.0.1:9"
    (mojodex_home / "waiting-runs.json").write_text(json.dumps({
        f"{url}#12": {"session_id": "s", "step": {}, "finished": False},
        f"{url}#9": {"session_id": "t", "finished": True},
        "http://elsewhere:1#5": {"session_id": "u"},
    }), encoding="utf-8")
    shell = make_shell(server_url=url, plugins=["workflow", "local"])
    values = await _loaded(shell)
    assert _complete(shell.ctx, "workflow resume ", values) == ["12", "20250101-000000-aaaa"]
    assert _complete(shell.ctx, "workflow show ", values) == ["9", "12", "20250101-000000-aaaa"]
    assert _complete(shell.ctx, "workflow show-definition ", values) == ["software-company", "write-poem"]
    assert _complete(shell.ctx, "workflow run local/w", values) == ["local/write-poem"]


# -- the hook's contract ------------------------------------------------------------------------------------------


class Loader:
    """A plugin that loads completions for `notes show` as the test tells it to."""

    def __init__(self) -> None:
        self.afters: list[str | None] = []
        self.answers: list[Any] = []
        self.gate: asyncio.Event | None = None

    @hookimpl
    def mojodex_register_commands(self, register):
        register("notes show", lambda ctx, args: None, help="Show a note",
                 complete=lambda ctx, args: [("draft", "not saved yet")])

    @hookimpl
    async def mojodex_completions(self, after):
        self.afters.append(after)
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def no_idle(monkeypatch):
    """Loads start as soon as they are asked for (the shell waits for the prompt to be idle first)."""
    monkeypatch.setattr("mojodex_core._completion.IDLE_SECONDS", 0)


@pytest.fixture
def notes(make_shell, logged_in, unreachable_url, no_idle):
    logged_in(unreachable_url)
    shell = make_shell(server_url=unreachable_url, plugins=["help"])
    loader = Loader()
    shell.add_plugin("notes", loader)
    return shell, loader


async def test_numbers_sort_as_numbers_and_answers_merge(notes):
    shell, loader = notes
    loader.answers = [{"notes show": [("11", "b"), ("9", "a"), ("12", "c"), ("with space", "x")], "other": []}]
    values = await _loaded(shell)
    assert _complete(shell.ctx, "notes show ", values) == ["9", "11", "12", "draft"]
    assert _complete(shell.ctx, "notes show 1", values) == ["11", "12"]


async def test_none_keeps_what_was_loaded_and_a_failure_is_only_logged(notes, capsys):
    shell, loader = notes
    values = CompletionValues(shell.ctx)
    loader.answers = [{"notes show": [("1", "")]}, None, RuntimeError("the notes server is down"),
                      {"notes list": []}]
    for after in (None, "help", "help", "help"):
        values.refresh(after)
        await values.settle(5)
    assert loader.afters == [None, "help", "help", "help"]
    assert values.for_command("notes show") == {"1": ""}  # kept through None, a failure, another command's answer
    assert "notes server" not in capsys.readouterr().err


async def test_a_tab_during_a_load_waits_for_it_and_an_older_load_never_wins(notes):
    shell, loader = notes
    values = CompletionValues(shell.ctx)
    loader.gate = asyncio.Event()
    loader.answers = [{"notes show": [("1", "old")]}, {"notes show": [("2", "new")]}]
    values.refresh()
    values.refresh("help")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        completer = CommandCompleter(shell.ctx, values)

        async def tab() -> list[str]:
            return [c.text async for c in completer.get_completions_async(Document("notes show "), CompleteEvent())]

        pressed = asyncio.ensure_future(tab())
        await asyncio.sleep(0)
        assert not pressed.done()  # waiting for the load, not answering without it
        loader.gate.set()
        assert await asyncio.wait_for(pressed, 5) == ["2", "draft"]


async def test_the_shell_loads_at_start_and_after_each_command(notes):
    shell, loader = notes
    await shell.run("help\rnosuch\rexit\r")
    assert loader.afters[:2] == [None, "help"]  # an unknown command runs nothing: nothing to load again
    assert len(loader.afters) == 2


async def test_a_command_stops_a_load_and_the_next_load_asks_for_everything(notes):
    shell, loader = notes
    values = CompletionValues(shell.ctx)
    loader.gate = asyncio.Event()
    loader.answers = [{"notes show": [("1", "")]}]
    values.refresh()
    await asyncio.sleep(0)
    assert loader.afters == [None] and values.loading
    values.pause()  # a command starts
    await values.settle(5)
    assert values.for_command("notes show") == {}
    loader.gate.set()
    values.refresh("help")
    await values.settle(5)
    assert loader.afters == [None, None]  # the first load never ended: everything is loaded again
    assert values.for_command("notes show") == {"1": ""}


async def test_load_completions_false_asks_no_plugin(notes):
    shell, loader = notes
    shell.ctx.config.override("shell.load_completions", False)
    values = CompletionValues(shell.ctx)
    values.refresh()
    assert not values.loading and loader.afters == []


async def test_lines_typed_at_once_ask_the_server_nothing(make_shell, logged_in, unreachable_url):
    logged_in(unreachable_url)
    shell = make_shell(server_url=unreachable_url, plugins=["help"])
    loader = Loader()
    shell.add_plugin("notes", loader)
    await shell.run("help\rhelp help\rexit\r")  # faster than the prompt's idle time, as a paste or a script
    assert loader.afters == []


async def test_a_loader_can_ask_nothing_behind_the_prompt(make_shell, logged_in, unreachable_url, no_idle):
    logged_in(unreachable_url)
    shell = make_shell(server_url=unreachable_url, plugins=["help"])
    failures: list[str] = []

    class Asker:
        @hookimpl
        async def mojodex_completions(self, ctx):
            try:
                await ctx.ask("Password: ", password=True)
            except Exception as exc:
                failures.append(type(exc).__name__)
                raise

    shell.add_plugin("asker", Asker())
    out = await shell.run("help help\rexit\r")
    assert "usage: help [COMMAND]" in out and "Password:" not in out  # the keys went to the prompt
    assert failures == ["NotInteractiveError", "NotInteractiveError"]


def test_options_come_from_the_parser_and_one_given_is_not_offered_again(make_shell):
    shell = make_shell(plugins=["workflow"])
    ctx = shell.ctx
    assert _complete(ctx, "workflow run 1 --") == ["--help", "--input", "--json", "--jsonl", "--output", "--yes"]
    assert _complete(ctx, "workflow run 1 -") == ["--help", "--input", "--json", "--jsonl", "--output", "--yes"]
    assert _complete(ctx, "workflow run 1 -i") == ["-i"]
    assert _complete(ctx, "workflow run 1 --yes --y") == []
    assert _complete(ctx, "workflow run 1 --input a=1 --in") == ["--input"]  # may be given again
    assert _complete(ctx, "workflow run --output ") == []  # a file name, not a workflow
    assert _complete(ctx, "workflow list --") == ["--help", "--json"]
    assert _complete(ctx, "whoami --") == []  # no parser registered: nothing made up


# -- the toolbar and the prompt ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "expected"), [
    (120, "Demo User | http://127.0.0.1:40413 (mojodex-0.4) | socket: connected"),
    (60, "Demo User | http://127.0.0.1:40413 | socket: connected"),
    (50, "Demo User | 127.0.0.1:40413 | socket: connected"),
    (30, "Demo User | socket: connected"),
    (20, "Demo User | socket:…"),
])
def test_the_toolbar_drops_what_says_least_first(width, expected):
    line = fit_toolbar("Demo User", "http://127.0.0.1:40413", "mojodex-0.4", ["socket: connected"], width)
    assert line == expected
    assert len(line) <= width


def test_a_wide_name_is_measured_in_cells():
    assert fit_toolbar("漢字漢字漢字漢字漢字漢字", "http://h:1", "", [], 21) == "漢字漢字漢字漢… | h:1"  # 21 cells
    assert fit_toolbar("漢字漢字漢字漢字漢字漢字", "http://h:1", "", [], 20) == "漢字漢字漢字漢…"


def test_only_the_command_prompt_suggests_from_history(make_shell):
    shell = make_shell(plugins=["help"])
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = Shell(shell.ctx)
        assert isinstance(prompt.session.auto_suggest, AutoSuggestFromHistory)


async def test_questions_suggest_nothing_from_history(make_shell, logged_in, unreachable_url):
    logged_in(unreachable_url)
    shell = make_shell(server_url=unreachable_url, plugins=["help"])

    class Asks:
        @hookimpl
        def mojodex_register_commands(self, register):
            async def ask(ctx, args):
                ctx.print(f"got {await ctx.ask('Name: ')}")

            register("ask", ask)

    shell.add_plugin("asks", Asks())
    out = await shell.run("ask\rbob\rexit\r")
    assert "got bob" in out
    assert all(s.auto_suggest is None for s in shell.ctx._asker.values())
