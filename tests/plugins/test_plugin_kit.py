"""The plugin author kit (mojodex_core.testing) as a plugin author meets it: its server plays Mojodex 0.4, so a
plugin's test can run an instruct task and see the draft; a marker (or an indirect parameter) picks another
dialect; and a plugin's pytest run prints no deprecation warning, the example plugin's included."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mojodex_core import DIALECTS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mojodex-transcript"

# A plugin that keeps each draft and the draft as it streamed (mojodex_draft_piece), and its tests.
PLUGIN = '''
from mojodex_core import hookimpl


class NotesPlugin:
    def __init__(self):
        self.streamed = ""
        self.drafts = []

    @hookimpl
    def mojodex_draft_piece(self, piece, part, start):
        if part == "text":
            self.streamed = self.streamed[:start] + piece

    @hookimpl
    def mojodex_draft(self, draft):
        self.drafts.append((draft.title, draft.text, self.streamed))
        self.streamed = ""
'''

PLUGIN_TESTS = '''
import pytest

from mojodex_notes import NotesPlugin


def test_an_instruct_task_writes_a_draft(mojodex_shell, mojodex_server):
    notes = NotesPlugin()
    shell = mojodex_shell(plugins={"notes": notes}, server=mojodex_server)

    out = shell.run("task run 2", answers=["a thank-you note to my team", ""])

    assert shell.status == 0, out
    [(title, text, streamed)] = notes.drafts
    assert title == "General Assistance: a thank-you note to my team"
    assert text.startswith("[offline demo] a first version") and text in out
    assert streamed == text


@pytest.mark.mojodex_server(api="spec")
def test_a_server_of_the_specification_has_the_workflow_only(mojodex_shell, mojodex_server):
    shell = mojodex_shell(server=mojodex_server)

    out = shell.run("workflow run 1", answers=["Spring", "2", "y", "y", "y"])

    assert "Step stanza_divider ended" in out and "Run finished." in out, out
'''


def run_pytest(project: Path, tmp_path: Path, *args: str) -> str:
    """A plugin author's ``pytest`` in ``project``, showing every warning; its output (stdout and stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PYTHON", "PYTEST_"))}
    env.update(HOME=str(tmp_path))
    if project != EXAMPLE:
        env["PYTHONPATH"] = str(project)
    proc = subprocess.run(
        [sys.executable, "-W", "default", "-m", "pytest", "-q", "-W", "default", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'basetemp'}", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    return out


def test_the_kit_server_plays_mojodex_04(mojodex_server):
    assert mojodex_server.api == "mojodex-0.4"


@pytest.mark.mojodex_server(api="spec", step_delay=0.01)
def test_a_marker_picks_the_dialect_and_the_server_options(mojodex_server):
    assert mojodex_server.api == "spec"
    assert mojodex_server.call(lambda: mojodex_server.server.step_delay) == 0.01


@pytest.mark.parametrize("mojodex_server", DIALECTS, indirect=True)
def test_an_indirect_parameter_picks_the_dialect(mojodex_server, mojodex_shell, request):
    assert mojodex_server.api == request.node.callspec.params["mojodex_server"]
    shell = mojodex_shell(server=mojodex_server)
    assert shell.run("workflow list").startswith("1. 🌸 Write poem - Write a poem stanza by stanza\n")


@pytest.mark.slow
def test_a_plugins_test_runs_an_instruct_task_through_the_kit(tmp_path):
    project = tmp_path / "mojodex-notes"
    (project / "tests").mkdir(parents=True)
    (project / "mojodex_notes.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (project / "tests" / "test_notes.py").write_text(textwrap.dedent(PLUGIN_TESTS), encoding="utf-8")

    out = run_pytest(project, tmp_path, "tests")

    assert re.search(r"^2 passed", out, re.M), out
    assert "DeprecationWarning" not in out, out  # PytestDeprecationWarning and PendingDeprecationWarning too


@pytest.mark.slow
def test_the_example_plugins_tests_print_no_deprecation_warning(tmp_path):
    out = run_pytest(EXAMPLE, tmp_path)

    assert re.search(r"^8 passed", out, re.M), out
    assert "DeprecationWarning" not in out, out
