"""Files written whole: text that cannot be encoded as it is still is, with U+FFFD where it could not be."""

from __future__ import annotations

from mojodex_core import atomic_write


def test_a_lone_surrogate_is_written_as_the_replacement_character(tmp_path):
    target = tmp_path / "f.txt"
    atomic_write(target, "raw \udcff text")
    assert target.read_bytes() == "raw \ufffd text".encode()
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
