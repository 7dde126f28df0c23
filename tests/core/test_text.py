"""Untrusted text is made safe to print; a step's result is shown the same way for every source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mojodex_core._results import QUESTION, result_lines
from mojodex_core._text import one_line, sanitize


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mred\x1b[0m", "red"),                                    # CSI colours
        ("a\x1b[2J\x1b[Hb", "ab"),                                         # clear screen, cursor home
        ("\x1b]0;pwned title\x07after", "after"),                          # OSC ended by BEL
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),          # OSC 8 hyperlink, ended by ST
        ("x\x9b31my", "xy"),                                               # 8-bit CSI
        ("x\x9d0;t\x9cy", "xy"),                                           # 8-bit OSC
        ("\x1bPq#0;2;0;0;0\x1b\\after", "after"),                          # DCS (sixel)
        ("bell\x07 back\x08space", "bell backspace"),                      # lone C0 controls
        ("over\rwrite", "overwrite"),                                      # carriage return
        ("c1\x85\x90\x9f", "c1"),                                          # C1 controls
        ("\x1b7saved\x1b8", "saved"),                                      # two-byte ESC sequences
        ("line 1\n\tline 2", "line 1\n\tline 2"),                          # newline and tab are kept
        ("Beauté 🌸 ünïcode", "Beauté 🌸 ünïcode"),
    ],
)
def test_sanitize_strips_terminal_controls(raw, clean):
    assert sanitize(raw) == clean


@given(st.text())
def test_sanitize_leaves_no_control_character_but_newline_and_tab(text):
    out = sanitize(text)
    assert not any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in out)


@given(st.text(alphabet=st.characters(exclude_categories=["Cc"])))
def test_sanitize_keeps_printable_text_as_it_is(text):
    assert sanitize(text) == text


def test_sanitize_accepts_any_object():
    assert sanitize(42) == "42" and sanitize(None) == "None"


def test_one_line_folds_and_cuts():
    assert one_line("a\n b\t\x1b[1mc") == "a b c"
    assert one_line("x" * 20, 10) == "x" * 9 + "…"


def test_result_lines_for_the_specification_stanzas():
    result = [{"stanza_topic": "Spring rain"}, {"stanza_topic": "Blossoms"}, {"stanza_topic": "Renewal"}]
    assert result_lines(result) == ["Results:", '- Stanza 1: "Spring rain"', '- Stanza 2: "Blossoms"',
                                    '- Stanza 3: "Renewal"']
    assert result_lines([{"stanza": "One line"}]) == ["Results:", '- Stanza: "One line"']


def test_result_lines_copes_with_any_shape():
    assert result_lines(None) == ["Results:", "- (no result)"]
    assert result_lines([]) == ["Results:", "- (no result)"]
    assert result_lines("plain") == ["Results:", '- Result: "plain"']
    assert result_lines([{"a": 1, "b": "x"}]) == ["Results:", '- Result: a: "1", b: "x"']
    # One screen line an item: a caller that indents them keeps a value's lines under its entry.
    assert result_lines([{"poem": "two\n\nlines"}]) == ["Results:", "- Poem:", "    two", "", "    lines"]


def test_result_lines_strip_controls_from_keys_and_values():
    lines = result_lines([{"stanza\x1b[2J": "\x1b]0;t\x07safe\x1b[31m"}])
    assert lines == ["Results:", '- Stanza: "safe"']
    assert all("\x1b" not in line for line in lines)


def test_the_validation_question_is_the_specification_s():
    assert QUESTION == "Continue (Y/n)?"
