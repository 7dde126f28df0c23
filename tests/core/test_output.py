"""How the shell's output looks: wrapping with a hanging indent, aligned tables, colour rules, the pager choice."""

from __future__ import annotations

import io

import pytest

from mojodex_core._output import Styled, cell_width, colour_on, fit_hint, pager_command, table, terminal_size, wrap


def test_wide_characters_take_two_columns_and_joiners_none() -> None:
    assert cell_width("🌸 Write") == 8
    assert cell_width("e\u0301") == 1
    assert cell_width("\x1b[31mred\x1b[0m") == 3


def test_a_long_line_wraps_at_spaces_under_its_list_marker() -> None:
    line = "- Stanza: the first light of morning, written without a model, line by line"
    lines = wrap(line, 30)
    assert all(cell_width(piece) <= 30 for piece in lines)
    assert lines[0].startswith("- Stanza:")
    assert all(piece.startswith("  ") and not piece.startswith("   ") for piece in lines[1:])
    assert " ".join(piece.strip() for piece in lines) == line


def test_an_indented_line_keeps_its_indent_and_a_word_wider_than_a_line_stays_whole() -> None:
    assert wrap("    one two three four", 14) == ["    one two", "    three four"]
    path = "/home/someone/.mojodex/transcripts/" + "d" * 32 + ".md"
    assert wrap(f"Wrote {path} just now", 30) == ["Wrote", path, "just now"]  # copied whole, not cut


def test_a_table_aligns_columns_by_what_a_terminal_shows() -> None:
    lines = table([["1", "🌸 Write poem", "workflow"], ["12", "💡 Assistance", "instruct"]], ["PK", "NAME", "KIND"],
                  0, False)
    assert lines == ["PK  NAME           KIND", "1   🌸 Write poem  workflow", "12  💡 Assistance  instruct"]


def test_a_tables_last_column_wraps_under_itself() -> None:
    lines = table([["1", "Write poem", "Write a poem stanza by stanza, one validated step at a time"]], None,
                  40, False)
    assert len(lines) > 1
    start = lines[0].index("Write a")
    assert all(piece[:start].strip() == "" and piece[start] != " " for piece in lines[1:])
    assert all(cell_width(piece) <= 40 for piece in lines)


def test_a_styled_cell_is_coloured_only_when_colour_is_on() -> None:
    rows = [[Styled("done", "ok"), "run"]]
    assert table(rows, None, 0, False) == ["done  run"]
    assert table(rows, None, 0, True) == ["\x1b[32mdone\x1b[0m  run"]


def test_cells_from_a_server_lose_control_sequences() -> None:
    assert table([["\x1b]0;pwned\x07name\nsecond"]], None, 0, False) == ["name second"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_is_for_terminals_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_on(_Tty()) is True
    assert colour_on(io.StringIO()) is False
    assert colour_on(_Tty(), "never") is False
    assert colour_on(io.StringIO(), "always") is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert colour_on(_Tty(), "always") is False


def test_the_pager_is_the_setting_then_pager_then_less(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGER", raising=False)
    assert pager_command("") == "less -R"
    monkeypatch.setenv("PAGER", "most")
    assert pager_command("") == "most"
    assert pager_command("less -S") == "less -S"
    assert pager_command("off") is None


def test_a_questions_hint_shortens_to_the_terminal_instead_of_being_cut_off() -> None:
    hint = "Enter or y: accept  n: reject  e: edit the result  r: restart the run with new inputs"
    assert fit_hint(hint, 100) == hint
    assert fit_hint(hint, 60) == "y: accept  n: reject  e: edit  r: restart"
    assert fit_hint(hint, 20) == "y: accept  n: rejec…"
    assert cell_width(fit_hint(hint, 20)) == 20


def test_the_terminals_size_comes_from_columns_and_lines_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("LINES", "20")
    assert terminal_size() == (60, 20)
