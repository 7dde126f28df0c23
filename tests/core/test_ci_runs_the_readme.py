"""CI runs the README's two set-up commands as written, and nothing of its own before them.

CI's fresh clone then proves the lines work: CI can never again pass where a newcomer following the README fails.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRA_CHECKS = "# -- extra checks"


def readme_setup_commands() -> list[str]:
    """The ```sh blocks of the README's "## Set up" section, read independently of .ci/readme-commands."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.S | re.M)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def ci_lines() -> list[str]:
    """The lines of .ci/run that do something (no comments, no blank lines)."""
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[:lines.index(EXTRA_CHECKS)] if line.strip() and
            not line.strip().startswith("#")]


def test_the_readme_has_two_setup_commands_and_ci_reads_exactly_those() -> None:
    commands = readme_setup_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("mojodex --demo")
    assert "pytest" in commands[1]
    printed = subprocess.run(["bash", str(ROOT / ".ci" / "readme-commands")], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert printed == commands


def test_the_test_command_installs_every_example_plugin_the_suite_uses() -> None:
    test_command = readme_setup_commands()[1]
    for project in sorted(ROOT.glob("examples/*/pyproject.toml")):
        assert f"-e {project.parent.relative_to(ROOT)}" in test_command, project.parent.name


def test_ci_runs_the_readme_lines_first_and_installs_nothing_of_its_own_before_them() -> None:
    lines = ci_lines()
    body = "\n".join(lines)
    # Nothing before the extra checks installs or tests by itself: only the README's lines do.
    for forbidden in ("pip ", "-m venv", "-m pytest", "mojodex "):
        assert forbidden not in body, forbidden
    runs = [line for line in lines if ("$run_command" in line or "$test_command" in line)
            and not line.startswith("echo ")]
    assert runs == ['bash -c "$run_command" </dev/null', 'run_suite python3 "$test_command"']
    # run_suite runs the command it is given, as given.
    assert any(line.startswith('bash -c "$command" </dev/null') for line in lines)
    assert 'run_command=${readme[0]}' in lines and 'test_command=${readme[1]}' in lines
    assert "mapfile -t readme < <(bash .ci/readme-commands)" in lines


def test_the_classifiers_and_the_readme_name_the_pythons_ci_checks() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    oldest = project["requires-python"].removeprefix(">=")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    newer = re.search(r"^for name in (.*); do$", ci, flags=re.M)
    assert newer is not None
    checked = [oldest, *sorted(name.removeprefix("python") for name in newer.group(1).split())]
    claimed = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.match(r".*Python :: 3\.\d+$", c)]
    assert claimed == checked
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"runs on Python {', '.join(checked[:-1])} and {checked[-1]}" in readme
