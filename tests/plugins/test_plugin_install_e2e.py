"""End to end, as a user would: the example plugin built into a wheel, `plugins install`ed into a fresh virtualenv
from the real `mojodex` in a terminal, used in a workflow run against the reference server, disabled (and then
never imported), uninstalled."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fresh_venv import EXAMPLE, ROOT, Venv, build_wheels, make_venv, run
from pty_session import PtySession

from mojodex_core.testing import ServerThread

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

# Imports the real command line in the fresh virtualenv and says whether the plugin's module was imported.
PROBE = ("import sys; from mojodex_core._cli import main; main(['plugins']); "
         "print('imported:', 'mojodex_transcript' in sys.modules)")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Venv, Path]:
    """A new virtualenv with the project installed from its wheel, and the example plugin's wheel."""
    work = tmp_path_factory.mktemp("fresh")
    wheels = build_wheels({"mojodex": ROOT, "mojodex-transcript": EXAMPLE}, work)
    return make_venv(work / "venv", wheels["mojodex"]), wheels["mojodex-transcript"]


@pytest.fixture
def server() -> Iterator[ServerThread]:
    srv = ServerThread().start()
    yield srv
    srv.stop()


def user_env(tmp_path: Path, server: ServerThread) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MOJODEX_", "PYTHON", "PROMPT_TOOLKIT_", "VIRTUAL_ENV")) and k not in ("TERM",)}
    env.update(HOME=str(tmp_path), MOJODEX_HOME=str(tmp_path / "mojodex-home"), MOJODEX_SERVER_URL=server.url,
               MOJODEX_TOKEN=server.token(), TERM="dumb", NO_COLOR="1", PAGER="cat")
    return env


def test_install_use_disable_and_uninstall_a_plugin_in_a_fresh_virtualenv(fresh, server, tmp_path):
    venv, wheel = fresh
    env = user_env(tmp_path, server)
    home = Path(env["MOJODEX_HOME"])
    shell = PtySession(venv.mojodex, env, tmp_path)
    try:
        shell.expect("mojodex> ")
        shell.line(f"plugins install {wheel}")
        shell.expect("pip: Successfully installed mojodex-transcript-0.1.0", timeout=90)
        shell.expect("Installed mojodex-transcript 0.1.0: new commands: transcript\n")
        shell.expect("mojodex> ")
        # Installed during the session: its command is there at once, no restart.
        shell.line("help")
        shell.expect(re.compile(r"^  transcript +Show the last run's transcript \(Markdown\)$", re.M))
        shell.expect("mojodex> ")

        shell.line("workflow run 1")
        shell.expect("poem_topic: ")
        shell.line("Spring")
        shell.expect("n_stanzas: ")
        shell.line("2")
        for _ in range(3):
            shell.expect("Continue (Y/n)? ", timeout=30)
            shell.line("y")
        shell.expect("Run finished.\n", timeout=30)
        shell.expect("mojodex> ")
        [transcript] = (home / "transcripts").glob("*.md")
        text = transcript.read_text(encoding="utf-8")
        assert [line for line in text.splitlines() if line.startswith("## ")] == [
            "## Step 1: stanza_divider", "## Step 2: stanza_writer", "## Step 3: stanza_writer",
            "## Write poem: Spring"]
        assert '- Stanza 2: "[offline demo] Spring: colours waking up"' in text
        shell.line("transcript --path")
        shell.expect(f"{transcript}\n")
        shell.expect("mojodex> ")

        # Enabled, another process imports it: the control for the check below.
        assert run([venv.python, "-c", PROBE], env=env, cwd=tmp_path).endswith("imported: True\n")
        shell.line("plugins disable transcript")
        shell.expect("Disabled transcript: it will not be loaded (nor imported) from now on.\n")
        shell.expect("mojodex> ")
        shell.line("exit")
        assert shell.wait_exit() == 0
    finally:
        shell.close()
    assert "Traceback" not in shell.text, shell.text

    out = run([venv.python, "-c", PROBE], env=env, cwd=tmp_path)
    assert re.search(r"^transcript +0\.1\.0 +mojodex-transcript +disabled$", out, re.M), out
    assert out.endswith("imported: False\n")

    out = run([venv.mojodex, "plugins", "uninstall", "mojodex-transcript"], env=env, cwd=tmp_path, timeout=90)
    assert out.endswith("Uninstalled mojodex-transcript (plugins: transcript)\n"), out
    assert not list(venv.site_packages.glob("mojodex_transcript*"))
    assert "transcript" not in run([venv.mojodex, "plugins"], env=env, cwd=tmp_path)


def test_the_example_plugin_tests_pass_with_the_kit_of_the_installed_project(fresh, tmp_path):
    # Plugin authors get the fixtures from the installed mojodex (entry point pytest11), nothing else.
    venv, _ = fresh
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path))
    proc = subprocess.run([venv.python, "-m", "pytest", "-q", "-p", "no:randomly", str(EXAMPLE / "tests")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^8 passed", proc.stdout, re.M), proc.stdout
