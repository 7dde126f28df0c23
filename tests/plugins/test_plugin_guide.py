"""The plugin in one screen of docs/plugins.md works as written: its files, copied out of the page, pass their test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def guide_files() -> dict[str, str]:
    """The code blocks that follow a bold file name (**`name`**) in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    return dict(re.findall(r"^\*\*`([^`]+)`\*\*\n\n```\w+\n(.*?)^```", text, re.M | re.S))


@pytest.mark.slow
def test_the_plugin_in_one_screen_passes_its_own_test(tmp_path):
    files = guide_files()
    assert set(files) == {"pyproject.toml", "mojodex_hello.py", "tests/test_hello.py"}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    entry = tomllib.loads(files["pyproject.toml"])["project"]["entry-points"]["mojodex"]
    assert entry == {"hello": "mojodex_hello:HelloPlugin"} and "class HelloPlugin" in files["mojodex_hello.py"]

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PYTHON"))}
    env.update(PYTHONPATH=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^2 passed", proc.stdout, re.M), proc.stdout
    # The plugin uses the public face only.
    assert "mojodex_core._" not in files["mojodex_hello.py"] + files["tests/test_hello.py"]
