"""The history kept tidy and the result chat as a person uses them: one `mojodex` session in a pseudo-terminal
against a 0.4 reference server, and what the server received."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from task_helpers import ASSIST, POEM, PROMPT, YOU, requests, task_execution


def fake_editor(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """$VISUAL: a program that leaves its file alone, or replaces it with what the control file says."""
    control = tmp_path / "editor-writes.md"
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\n"
                      f"control = pathlib.Path({str(control)!r})\n"
                      "if control.exists():\n"
                      "    text = control.read_text(encoding='utf-8')\n"
                      "    pathlib.Path(sys.argv[1]).write_text(text, encoding='utf-8')\n",
                      encoding="utf-8")
    return {"VISUAL": f"{sys.executable} {script}"}, control


def test_edit_rename_delete_filter_and_the_result_chat(srv: Any, open_shell: Any, tmp_path: Path) -> None:
    env, control = fake_editor(tmp_path)
    term = open_shell(srv, env=env)
    term.line(f"workflow run {POEM} --input poem_topic=Snow --input n_stanzas=1 --yes")
    term.expect("Run finished.", timeout=10)
    term.expect(PROMPT)
    term.line(f"task run {ASSIST} --input request=note --yes")
    term.expect("(version 1 of run 12;", timeout=10)
    term.expect(PROMPT)

    # The editor saves the file unchanged: nothing is sent.
    term.line("task edit 12")
    term.expect("The text of run 12 was not changed: nothing was sent.")
    term.expect(PROMPT)
    assert requests(srv, "POST", "/produced_text") == []
    # It writes a new text: version 2, by hand; both versions stay readable.
    control.write_text("# Thanks, team\n\nWritten by hand.\n", encoding="utf-8")
    term.line("task edit 12")
    term.expect("Saved version 2 of run 12, edited by hand: `task text 12 -V 2` prints it.")
    term.expect(PROMPT)
    term.line("task text 12 -V 2")
    term.expect("# Thanks, team")
    term.expect("Written by hand.")
    term.expect(PROMPT)

    term.line("task rename 12 Thank-you note")
    term.expect("Run 12 is now titled 'Thank-you note'.")
    term.expect(PROMPT)
    term.line(f"task runs --task {ASSIST}")
    term.expect(re.compile(r"12 +\d{4}-\d\d-\d\d \d\d:\d\d +💡 Thank-you note"))
    term.expect(PROMPT)
    assert "Poem about Snow" not in term.text.split(f"task runs --task {ASSIST}")[-1]

    term.line("task delete 12")
    term.expect("Delete run 12 (Thank-you note)? (y/N)")
    term.line("n")
    term.expect("error: run 12 was not deleted")
    term.expect(PROMPT)
    assert requests(srv, "DELETE", "/user_task_execution") == []
    term.line("task delete 12 --yes")
    term.expect("Deleted run 12: `task runs` no longer lists it.")
    term.expect(PROMPT)
    term.line("task runs")
    term.expect("Poem about Snow")
    term.expect(PROMPT)
    assert "Thank-you note" not in term.text.split("\ntask runs\n")[-1].split("Deleted run 12")[-1]

    # The finished poem's result chat: the plan's note once, then a new version of its text.
    term.line("task resume 11")
    term.expect("Run 11 has finished: each message makes a new version of its result")
    term.expect(YOU)
    term.line("[edit] make it shorter")
    term.expect("Note: chatting about a finished workflow's result counts as a task of your plan")
    term.expect("edited as you asked (make it shorter)")
    term.expect("(version 2 of run 11; `task text 11` prints it)")
    term.expect(YOU)
    term.line("/done")
    term.expect(PROMPT)
    versions = task_execution(srv, 11)["versions"]
    assert len(versions) == 2 and versions[0].produced_text_pk == versions[1].produced_text_pk
    term.line("exit")
    assert term.wait_exit() == 0
