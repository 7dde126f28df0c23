"""What a plugin author gets from the installed project: a type checker finds ``mojodex_core``'s types in an
editable install too (the suite's own virtualenv is one, made by the README's command), and every package of the
project, the built-in plugins included, is in what is installed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECKED = '''\
from mojodex_core import StepEvent

step = StepEvent("run-1", "stanza_divider", 1, None, "server")
reveal_type(step.step_name)
number: int = step
'''


@pytest.mark.slow
def test_mypy_finds_the_types_of_mojodex_core(tmp_path):
    (tmp_path / "check.py").write_text(CHECKED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPY", "PYTHON"))}
    env.update(HOME=str(tmp_path))

    # From a folder of the author's own, as `mypy check.py` would: only the installed project can be found.
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"), "check.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr

    assert "Cannot find implementation or library stub" not in out, out
    # The types are mojodex_core's own, not Any: a wrong use is an error.
    assert re.search(r'Revealed type is "(builtins\.)?str"', out), out
    assert 'Incompatible types in assignment (expression has type "StepEvent", variable has type "int")' in out, out
    assert proc.returncode == 1 and "Found 1 error in 1 file" in out, out


def test_every_package_and_entry_point_module_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = config["tool"]["hatch"]["build"]
    wheel = build["targets"]["wheel"]
    roots = {"": ROOT, "plugins": ROOT / "plugins"}
    # The wheel holds the listed root packages and the whole of plugins/ (moved to the top); an editable install
    # puts the same two folders on sys.path.
    assert wheel["sources"] == {"plugins": ""} and build["dev-mode-dirs"] == [".", "plugins"]
    packaged = {name for name in wheel["only-include"] if name != "plugins"}
    on_disk = {p.name for p in ROOT.iterdir() if p.name.startswith("mojodex_") and (p / "__init__.py").is_file()}
    assert on_disk == packaged, "a package at the project's root is left out of the wheel (or listed but missing)"

    entry_points = {**config["project"]["entry-points"]["mojodex"], **config["project"]["entry-points"]["pytest11"]}
    entry_points["mojodex (script)"] = config["project"]["scripts"]["mojodex"]
    for name, value in entry_points.items():
        top = value.partition(":")[0].split(".")[0]
        found = [root / top for root in roots.values() if (root / top / "__init__.py").is_file()]
        assert found, f"entry point {name} = {value}: no package {top} in the installed roots"
        assert found[0].parent == ROOT / "plugins" or top in packaged, name
