"""The offline provider runs the built-in workflows to their end, clearly labelled, without network."""

from __future__ import annotations

from pathlib import Path

from local_helpers import Recorder, make_engine

from mojodex_engine.definitions import get_definition
from mojodex_engine.providers import OfflineProvider


async def test_offline_runs_software_company_through_all_conversations(home: Path) -> None:
    definition = get_definition(home, "software-company")
    rec = Recorder()
    engine = make_engine(home, definition, {"task": "Let users sign up"}, OfflineProvider(), rec)
    result = await engine.run()

    assert result.status == "done"
    ended = rec.of("ended")
    assert [e[1].name for e in ended] == [c.name for c in definition.conversations]
    assert len(ended) == 8 and result.cut_steps == []
    for _, info, entries in ended:
        assert not info.cut
        ((output_name, text),) = entries[0].items()
        assert output_name == info.output and "[offline demo]" in text and "END CONVERSATION" not in text
    assert all("[offline demo]" in text for _, text in rec.messages)
    per_conversation = [len(e[1].transcript) for e in rec.of("started")]
    assert per_conversation == [0] * 8
    assert 16 <= len(rec.messages) <= 24  # two or three messages a conversation
    assert result.outputs["Manual"].startswith("# Manual")
    files = sorted(p.name for p in engine.store.path.glob("*.md"))
    assert "designed-code.md" in files and "manual.md" in files and len(files) == 9  # 8 artifacts + messages
    assert result.usage.total_tokens > 0


async def test_offline_write_poem_fans_out_n_stanzas(home: Path) -> None:
    definition = get_definition(home, "write-poem")
    rec = Recorder()
    result = await make_engine(
        home, definition, {"poem_topic": "Spring", "n_stanzas": "4"}, OfflineProvider(), rec
    ).run()
    results = [e[2] for e in rec.of("ended")]
    assert len(results[0]) == 4 and all("[offline demo]" in e["stanza_topic"] for e in results[0])
    assert len(results) == 5
    assert result.outputs["stanza"].count("[offline demo] A made-up answer") == 4


async def test_offline_rerun_mentions_the_rejection(home: Path) -> None:
    definition = get_definition(home, "software-company")
    rec = Recorder([(False, "add a budget")])
    result = await make_engine(home, definition, {"task": "x"}, OfflineProvider(), rec).run()
    assert "Revised after the rejection: add a budget" in result.outputs["Modalities"]
