"""A run, workflow or task that does not exist, or is another user's: one line naming it (`run 99 not found`), exit
status 1, on every dialect, whatever status and words the server answered with (never the server's internals)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mojodex_core import DIALECTS

CONFIG = '[plugins]\ndisabled = ["local"]\n'  # the server's objects only
ANN = "ann@example.com"
MISSING = 4242
# Reads of one run, on every dialect; and those of a dialect with tasks and restarts.
RUN_READS = ("task show {}", "workflow show {}", "workflow resume {}", "task resume {}")
RUN_READS_04 = ("task text {}", "task text {} --version 1", "workflow restart {}")
RUN_PATH = {"spec": "/user_workflow_execution", "mojodex-2024": "/user_workflow_execution",
            "mojodex-0.4": "/user_task_execution"}


def write_config(home: Path) -> None:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / "config.toml").write_text(CONFIG, encoding="utf-8")


def add_run(srv: Any, email: str) -> tuple[str, str]:
    """A new workflow of ``email`` and a run of it, made on the server directly: (workflow ref, run pk)."""

    def make() -> tuple[str, str]:
        server = srv.server
        user_pk = server.store.user_by_email(email).user_pk
        ref = server.add_workflow("Hers", "📝", "Someone's own workflow", user_email=email)
        if server.api == "mojodex-0.4":
            return str(ref), str(server.store.tasks.add_execution(ref, user_pk, []))
        return str(ref), str(server.store.tasks.add_execution(ref, user_pk, None))

    return tuple(srv.call(make))


@pytest.fixture
def one_shot(mojodex_main: Callable[..., Any], mojodex_home: Path) -> Callable[..., Any]:
    def run(srv: Any, line: str) -> Any:
        write_config(mojodex_home)
        return mojodex_main(*line.split(), server_url=srv.url, env={"MOJODEX_TOKEN": srv.token_for()})

    return run


@pytest.mark.parametrize("owner", ["nobody", "another user"])
@pytest.mark.parametrize("api", DIALECTS)
def test_a_missing_or_foreign_run_or_definition_is_not_found(api, owner, start_server_thread, one_shot):
    srv = start_server_thread(api=api, first_pk=7)
    if owner == "nobody":
        definition = run = str(MISSING)
    else:
        srv.call(srv.server.add_user, ANN, "pw", "Ann")
        definition, run = add_run(srv, ANN)
    cases = [(line.format(run), f"run {run} not found") for line in RUN_READS]
    cases += [(line.format(run), f"run {run} not found") for line in RUN_READS_04 if api == "mojodex-0.4"]
    # What the command names: a workflow for `workflow run`, a task for `task run` where the server has tasks.
    cases += [(f"workflow run {definition}", f"workflow {definition} not found"),
              (f"task run {definition}", f"{'task' if api == 'mojodex-0.4' else 'workflow'} {definition} not found")]
    for line, message in cases:
        proc = one_shot(srv, line)
        assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", f"error: {message}\n"), line
    # Nothing was created, started or changed: every call naming the object was refused.
    assert not [r for r in srv.requests if r.status == 200 and r.method != "GET"]


@pytest.mark.parametrize("status", [400, 404])
@pytest.mark.parametrize("api", DIALECTS)
def test_whatever_the_server_says_for_a_run_it_has_not_the_shell_says_not_found(api, status, start_server_thread,
                                                                               one_shot):
    srv = start_server_thread(api=api, first_pk=7)
    run = add_run(srv, "demo@example.com")[1]
    srv.call(srv.server.faults.fail_next, RUN_PATH[api], status)  # {"error": "Internal error"} for the run
    proc = one_shot(srv, f"workflow show {run}")
    assert (proc.returncode, proc.stderr) == (1, f"error: run {run} not found\n")
    assert one_shot(srv, f"workflow show {run}").returncode == 0  # the run was there all along


def test_another_failure_of_a_read_is_not_called_not_found(start_server_thread, one_shot):
    srv = start_server_thread(api="mojodex-0.4", first_pk=7)
    run = add_run(srv, "demo@example.com")[1]
    srv.call(srv.server.faults.fail_next, RUN_PATH["mojodex-0.4"], 500)
    proc = one_shot(srv, f"task show {run}")
    assert (proc.returncode, proc.stderr) == (1, "error: the server answered 500: Internal error\n")


def test_at_the_prompt_a_missing_run_is_one_line_and_the_shell_goes_on(start_server_thread, spawn_mojodex,
                                                                       logged_in, mojodex_home):
    srv = start_server_thread(api="mojodex-0.4")
    write_config(mojodex_home)
    logged_in(srv.url, srv.token_for())
    term = spawn_mojodex(server_url=srv.url)
    term.expect("mojodex> ", timeout=10)
    for line in ("task show 99", "workflow show 99"):
        term.line(line)
        shown = term.expect(re.compile(r"\n(error: [^\n]*)\nmojodex> "))
        assert shown.group(1) == "error: run 99 not found", line
    assert "NoneType" not in term.text and "server answered" not in term.text
