"""Code artifacts written as files in the run's workspace/: paths, defaults, refusals, resume and rewind."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from local_controls_helpers import CODE, THREE_TALKS, three_talks_reply
from local_helpers import Recorder, make_engine, resume_engine, write_definition

from mojodex_core import ConfigError
from mojodex_engine.definitions import parse_definition
from mojodex_engine.engine import Edited
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.rewind import rewind
from mojodex_engine.storage import RunStore
from mojodex_engine.testing import FakeOpenAIServer
from mojodex_engine.workspace import Workspace, code_files, safe_path


def test_paths_come_from_the_info_string_or_the_line_before_else_a_default_by_language() -> None:
    text = "\n".join([
        "```python path=app/main.py", "print(1)", "```",
        "**app/util.py**", "```python", "x = 1", "```",
        "```python", "def f(): pass", "```",
        "```python", "def g(): pass", "```",
        "```tests/test_x.py", "assert 1", "```",
        "```js:web/app.js", "let a", "```",
        "```bash", "pytest", "```",
        "```python path=app/main.py", "print(2)", "```",
    ])
    files = code_files(text)
    assert {f.path: f.text for f in files.files} == {
        "app/main.py": "print(2)\n",  # a later block of the same path replaces the earlier one
        "app/util.py": "x = 1\n",
        "main.py": "def f(): pass\n",
        "file2.py": "def g(): pass\n",
        "tests/test_x.py": "assert 1\n",
        "web/app.js": "let a\n",
        "main.sh": "pytest\n",
    }
    assert files.refused == ()


@pytest.mark.parametrize("path", ["../evil.py", "app/../../evil.py", "/etc/passwd", "~/.bashrc", "C:/x.py",
                                  "a\\..\\b.py"])
def test_a_path_that_would_leave_the_workspace_is_refused(path: str) -> None:
    assert safe_path(path) is None
    files = code_files(f"```python path={path}\nbad = 1\n```")
    assert files.files == () and files.refused == ((path, "outside the workspace"),)


def test_a_symbolic_link_on_the_way_is_refused_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    workspace = Workspace(tmp_path / "run")
    workspace.path.mkdir(parents=True)
    os.symlink(outside, workspace.path / "app")
    os.symlink(outside / "secret.txt", workspace.path / "main.py")
    refused = workspace.write(code_files("```python path=app/x.py\nx = 1\n```\n```python\ny = 2\n```"))
    assert sorted(path for path, _ in refused) == ["app/x.py", "main.py"]
    assert list(outside.iterdir()) == []


def test_files_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match=r"artifacts\[2\]\.files: expected true or false, got a string"):
        parse_definition(THREE_TALKS.replace("files = true", 'files = "yes"'), ref="t", label="t.toml")


async def test_an_accepted_code_artifact_is_written_and_an_edit_or_a_rewind_changes_the_workspace(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    server.reply_fn = three_talks_reply
    definition = write_definition(tmp_path, THREE_TALKS)
    # Ctrl-C at Coding's question: nothing is written before the code is accepted
    engine = make_engine(home, definition, {"task": "x"}, provider, Recorder([(True, None), "cancel"]))
    with pytest.raises(asyncio.CancelledError):
        await engine.run()
    run_id, path = engine.store.run_id, engine.store.path
    assert not (path / "workspace").exists()

    edited = CODE.replace('print("hello")', 'print("edited")')
    result = await resume_engine(home, run_id, provider, Recorder([Edited(edited), (True, None)])).run()
    assert result.status == "done"
    assert (path / "workspace" / "app" / "main.py").read_text() == 'print("edited")\n'
    assert (path / "workspace" / "main.py").read_text() == "def helper():\n    return 1\n"
    assert oct((path / "workspace" / "app" / "main.py").stat().st_mode & 0o777) == "0o600"
    state = json.loads((path / "state.json").read_text())
    assert [s.get("edited", False) for s in state["steps"]] == [False, True, False]
    assert "print(\"edited\")" in (path / "code.md").read_text()

    # back to Coding: the files it wrote are gone (no step before wrote them) until it is accepted again; a file
    # of yours stays
    (path / "workspace" / "notes.txt").write_text("mine")
    store = RunStore.open(home, run_id)
    rewind(store, "Coding")
    store.close()
    assert sorted(p.name for p in (path / "workspace").rglob("*") if p.is_file()) == ["notes.txt"]
    with pytest.raises(asyncio.CancelledError):
        await resume_engine(home, run_id, provider, Recorder(["cancel"])).run()
    await resume_engine(home, run_id, provider, Recorder()).run()
    assert (path / "workspace" / "app" / "main.py").read_text() == 'print("edited")\n'


def test_going_back_puts_the_files_as_the_steps_before_left_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    first = "```python path=app.py\nv = 1\n```"
    second = "```python path=app.py\nv = 2\n```\n```python path=extra.py\nx = 1\n```"
    workspace.write(code_files(first))
    workspace.write(code_files(second))
    (workspace.path / "mine.txt").write_text("kept")
    workspace.go_back([first], [second])
    assert (workspace.path / "app.py").read_text() == "v = 1\n"
    assert not (workspace.path / "extra.py").exists()
    assert (workspace.path / "mine.txt").read_text() == "kept"
