"""What the shell looks like on a real terminal: colour only where it belongs, wrapping and tables at 60 columns,
long output through the pager, help that describes each option."""

from __future__ import annotations

import re
import sys

SGR = re.compile(r"\x1b\[[0-9;]*m")
# A pager that says it was used and how many lines it was given (so a test can tell it from the terminal).
FAKE_PAGER = f"{sys.executable} -c \"import sys; print('PAGED', len(sys.stdin.read().splitlines()))\""


def test_errors_are_red_on_a_terminal_and_plain_with_no_color(spawn_mojodex, unreachable_url):
    coloured = spawn_mojodex("config", "get", "nosuch.key", server_url=unreachable_url, env={"NO_COLOR": ""})
    coloured.expect("unknown config key")
    coloured.wait_exit()
    assert "\x1b[31merror: unknown config key 'nosuch.key'" in coloured.raw

    plain = spawn_mojodex("config", "get", "nosuch.key", server_url=unreachable_url)  # NO_COLOR=1
    plain.expect("unknown config key")
    plain.wait_exit()
    assert not SGR.search(plain.raw), repr(plain.raw)


def test_nothing_piped_or_redirected_is_coloured_or_paged(run_mojodex, unreachable_url):
    proc = run_mojodex("help", server_url=unreachable_url, env={"NO_COLOR": "", "PAGER": FAKE_PAGER})
    assert proc.returncode == 0 and "Commands:" in proc.stdout
    assert "PAGED" not in proc.stdout
    err = run_mojodex("config", "get", "nosuch.key", server_url=unreachable_url, env={"NO_COLOR": ""})
    assert "error: unknown config key" in err.stderr
    assert "\x1b" not in err.stdout + err.stderr


def test_at_60_columns_lists_wrap_under_their_column_never_mid_word(spawn_mojodex, unreachable_url):
    term = spawn_mojodex("plugins", server_url=unreachable_url, columns=60)
    term.expect("NAME")
    term.wait_exit()
    lines = [line for line in term.text.splitlines() if line.strip()]
    assert all(len(line) <= 60 for line in lines), lines
    header = lines[0]
    assert header.split() == ["NAME", "VERSION", "FROM", "COMMANDS", "OR", "STATE"]
    column = header.index("COMMANDS")
    row = next(i for i, line in enumerate(lines) if line.startswith("plugins "))
    continued = lines[row + 1]
    assert continued[:column].strip() == "" and continued[column] != " ", lines  # under its own column
    rest = lines[row + 1:]
    own = [lines[row], *rest[:next((i for i, line in enumerate(rest) if line[0] != " "), len(rest))]]
    words = " ".join(line[column:].strip() for line in own)
    assert "plugins disable, plugins enable, plugins install" in words  # whole words, in order


def test_at_60_columns_a_long_line_wraps_with_a_hanging_indent(spawn_mojodex, unreachable_url):
    term = spawn_mojodex("workflow", "show-definition", "local/software-company", server_url=unreachable_url,
                         columns=60)
    term.expect("Manual (at most 10 turns)")
    term.wait_exit()
    lines = [line for line in term.text.splitlines() if line.strip()]
    assert all(len(line) <= 60 for line in lines), lines
    coding = next(i for i, line in enumerate(lines) if "└─ Coding (Design):" in line)
    assert lines[coding + 1].index("Designed Code") == lines[coding].index("Coding"), lines  # under its text
    assert lines[coding + 1][:lines[coding].index("Coding")].strip(" │") == ""


def test_an_error_stays_one_line_at_any_width(spawn_mojodex, unreachable_url):
    term = spawn_mojodex("config", "get", "a.key.nobody.declared.at.all.anywhere", server_url=unreachable_url,
                         columns=60)
    term.expect("see")
    term.wait_exit()
    assert "\r\n" not in term.raw.strip()


def test_long_output_goes_through_the_pager_and_short_output_does_not(spawn_mojodex, unreachable_url,
                                                                      mojodex_home):
    term = spawn_mojodex("help", server_url=unreachable_url, env={"PAGER": FAKE_PAGER})  # 24 rows
    found = term.expect(re.compile(r"PAGED (\d+)"))
    assert int(found.group(1)) > 24
    term.wait_exit()
    assert "Commands:" not in term.text  # the pager had it all

    short = spawn_mojodex("help", "config", server_url=unreachable_url, env={"PAGER": FAKE_PAGER})
    short.expect("config commands:")
    short.wait_exit()
    assert "PAGED" not in short.text

    (mojodex_home / "config.toml").write_text('[shell]\npager = "off"\n')
    off = spawn_mojodex("help", server_url=unreachable_url, env={"PAGER": FAKE_PAGER})
    off.expect("Commands:")
    off.wait_exit()
    assert "PAGED" not in off.text


def test_help_describes_each_option_of_a_command(mojodex_main, unreachable_url):
    proc = mojodex_main("help", "workflow", "runs", server_url=unreachable_url)  # the words, not the terminal
    usage = proc.stdout.index("usage: workflow runs")
    assert re.search(r"--json\s+print a JSON list", proc.stdout[usage:]), proc.stdout
    assert proc.returncode == 0


def test_reading_in_the_pager_is_not_blamed_on_a_plugin(spawn_mojodex, logged_in, unreachable_url, mojodex_home):
    # A reader who takes their time in the pager (here 0.6 s) while the watchdog warns after 0.2 s.
    slow = FAKE_PAGER.replace("import sys;", "import sys, time; time.sleep(0.6);")
    (mojodex_home / "config.toml").write_text("[shell]\nblock_warning_seconds = 0.2\n")
    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url, env={"PAGER": slow})
    term.expect_prompt()
    term.line("help")
    term.expect("PAGED")
    term.expect_prompt()
    term.line("exit")
    term.wait_exit()
    assert "blocked the shell" not in term.text


def test_a_terminal_nobody_gave_a_size_gets_lines_whole(spawn_mojodex, unreachable_url):
    term = spawn_mojodex("workflow", "show-definition", "local/software-company", server_url=unreachable_url,
                         columns=0)  # as a pty that pexpect opens without dimensions
    term.expect("Manual (at most 10 turns)")
    term.wait_exit()
    assert "Coding (Design): Programmer + Designer, Code -> Designed Code (at most 10 turns)" in term.text


def test_a_rendered_draft_has_its_layout_but_no_style_with_no_color(spawn_mojodex):
    run = ("--demo", "task", "run", "2", "--input", "request=a note", "--yes")
    styled = spawn_mojodex(*run, env={"NO_COLOR": ""})
    styled.expect("version 1 of run")
    styled.wait_exit()
    assert "\x1b[1m" in styled.raw  # the title in bold

    plain = spawn_mojodex(*run)  # NO_COLOR=1
    plain.expect("version 1 of run")
    plain.wait_exit()
    assert "[offline demo]" in plain.text
    assert not SGR.search(plain.raw), repr(plain.raw)
