"""Workflow definitions: the built-ins, user files, and errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_helpers import TWO_CONVERSATIONS, write_definition

from mojodex_core._errors import ConfigError, UsageError
from mojodex_engine.definitions import (
    Conversation,
    PromptStep,
    find_definitions,
    get_definition,
    parse_definition,
)


def test_builtins_validate(home: Path) -> None:
    found, errors = find_definitions(home)
    assert errors == []
    sc = found["software-company"]
    assert (sc.name, sc.icon, sc.description) == (
        "Software company",
        "🏢",
        "Design, code, test and document a feature with an AI team",
    )
    assert sc.inputs == ("task",)
    assert [r.name for r in sc.roles] == ["CEO", "CPO", "CTO", "Programmer", "Designer", "Reviewer", "Tester"]
    assert [a.name for a in sc.artifacts] == [
        "Task", "Modalities", "Language", "Code", "Designed Code", "Reviewed Code", "Tested Code",
        "Specification", "Manual",
    ]  # fmt: skip
    assert sc.input_artifacts() == {"Task": "task"}
    assert len(sc.conversations) == 8
    assert [p.name for p in sc.phases] == ["Designing", "Coding", "Testing", "Documenting"]
    plan = sc.plan()
    assert [i.step.name for i in plan][:2] == ["Design (Modalities)", "Design (Language)"]
    assert all(isinstance(i.step, Conversation) for i in plan)
    assert "Realised" not in sc.role("CEO").description and "initial task" in sc.role("CEO").description

    poem = found["write-poem"]
    assert (poem.name, poem.icon, poem.description) == ("Write poem", "🌸", "Write a poem stanza by stanza")
    assert poem.inputs == ("poem_topic", "n_stanzas")
    divider, writer = (i.step for i in poem.plan())
    assert isinstance(divider, PromptStep) and divider.fan_out and divider.output == "stanza_topic"
    assert isinstance(writer, PromptStep) and writer.output == "stanza"
    assert poem.plan()[1].fan_source == divider


def test_user_file_overrides_builtin_and_broken_files_are_reported(home: Path) -> None:
    user = home / "workflows"
    user.mkdir()
    (user / "write-poem.toml").write_text(
        'name = "My poem"\ninputs = ["topic"]\n[[steps]]\nname = "w"\nprompt = "Poem on {topic}"\n'
    )
    (user / "broken.toml").write_text('name = "Broken"\n[[steps]]\nname = 3\n')
    found, errors = find_definitions(home)
    assert found["write-poem"].name == "My poem" and not found["write-poem"].builtin
    assert "software-company" in found and "broken" not in found
    assert len(errors) == 1
    assert str(errors[0]) == f"{user / 'broken.toml'}: steps[0].name: expected a string, got an integer"
    assert get_definition(home, "local/write-poem").name == "My poem"
    with pytest.raises(ConfigError, match=r"broken\.toml: steps\[0\]\.name"):
        get_definition(home, "broken")
    with pytest.raises(UsageError, match="no local workflow 'nope'"):
        get_definition(home, "nope")
    with pytest.raises(UsageError, match="not a local workflow name"):
        get_definition(home, "../../etc/passwd")


def test_inputs_are_checked(home: Path) -> None:
    poem = get_definition(home, "write-poem")
    assert poem.check_inputs({"n_stanzas": "3", "poem_topic": "spring"}) == {
        "poem_topic": "spring",
        "n_stanzas": "3",
    }
    with pytest.raises(UsageError, match="missing input 'n_stanzas'"):
        poem.check_inputs({"poem_topic": "spring"})
    with pytest.raises(UsageError, match="unknown input 'colour'"):
        poem.check_inputs({"poem_topic": "x", "n_stanzas": "1", "colour": "red"})


def _swap(old: str, new: str) -> str:
    assert old in TWO_CONVERSATIONS
    return TWO_CONVERSATIONS.replace(old, new, 1)


BAD_DEFINITIONS = [
    (_swap('lead = "CPO"', 'lead = "CTOO"'), "conversations[1].lead: unknown role 'CTOO'"),
    (_swap('input = "Plan"', 'input = "Plans"'), "conversations[1].input: unknown artifact 'Plans'"),
    (
        _swap('input = "Plan"', 'input = ["Task", "Product"]'),
        "conversations[1].input[1]: artifact 'Product' is used before any conversation produces it",
    ),
    (_swap('output = "Plan"', "output = 3"), "conversations[0].output: expected a string, got an integer"),
    (_swap("turns = 4", 'turns = "ten"'), "conversations[0].turns: expected an integer, got a string"),
    (_swap("turns = 4", "turns = 0"), "conversations[0].turns: must be between 1 and 100, got 0"),
    (_swap('lead = "CEO"', 'leed = "CEO"'), "conversations[0].leed: unknown key"),
    (_swap('name = "Two talks"', ""), "name: missing"),
    (_swap('inputs = ["task"]', 'inputs = "task"'),
     "inputs: expected a list of names or [inputs.NAME] tables, got a string"),
    (_swap('name = "CPO"', 'name = "CEO"'), "roles[1].name: duplicate role 'CEO'"),
    (_swap('assistant = "CPO"', 'assistant = "CEO"'), "conversations[0].assistant: the lead 'CEO' cannot"),
    (
        TWO_CONVERSATIONS + '[[phases]]\nname = "P"\nsteps = ["Planning", "Bilding"]\n',
        "phases[0].steps[1]: unknown conversation or step 'Bilding'",
    ),
    (
        TWO_CONVERSATIONS + '[[phases]]\nname = "P"\nsteps = ["Planning"]\n',
        "conversations[1]: 'Building' is not in any phase",
    ),
    (
        TWO_CONVERSATIONS + '[[phases]]\nname = "P"\nsteps = ["Building", "Planning"]\n',
        "conversations[1].input: artifact 'Plan' is used before any conversation produces it",
    ),
    (
        TWO_CONVERSATIONS + '[[steps]]\nname = "s"\nprompt = "Sum up {Plan} and {Budget}"\n',
        "steps[0].prompt: unknown name '{Budget}'",
    ),
    (
        TWO_CONVERSATIONS + '[[steps]]\nname = "s"\nprompt = "{Plan.x}"\n',
        "steps[0].prompt: bad template field '{Plan.x}'",
    ),
    (
        TWO_CONVERSATIONS + '[[steps]]\nname = "s"\nprompt = "{Plan}"\nfan_out = true\n',
        "steps[0].fan_out: a fan-out step needs a step after it",
    ),
    (
        TWO_CONVERSATIONS + '[[steps]]\nname = "s"\nprompt = "{Plan}"\nfan_out = "yes"\n',
        "steps[0].fan_out: expected true or false, got a string",
    ),
    ('name = "Empty"\n', "no steps: add [[conversations]] or [[steps]]"),
    ('name = "x"\nroles = "CEO"\n', "roles: expected an array of tables ([[roles]]), got a string"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_DEFINITIONS)
def test_definition_errors_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        write_definition(tmp_path, text, "bad-flow.toml")
    message = str(info.value)
    assert message.startswith(f"bad-flow.toml: {expected}"), message
    assert "\n" not in message


def test_malformed_toml_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        write_definition(tmp_path, 'name = "x"\n\n[[roles]\nname = "CEO"\n', "broken.toml")
    assert str(info.value).startswith("broken.toml: malformed TOML: line 3, column ")


def test_fan_out_must_feed_a_prompt_step() -> None:
    text = """
name = "F"
inputs = ["topic"]
[[roles]]
name = "A"
[[roles]]
name = "B"
[[artifacts]]
name = "Topic"
[[artifacts]]
name = "Out"
[[steps]]
name = "split"
prompt = "{topic}"
fan_out = true
[[conversations]]
name = "talk"
lead = "A"
assistant = "B"
input = "Topic"
output = "Out"
[[phases]]
name = "p"
steps = ["split", "talk"]
"""
    with pytest.raises(ConfigError, match=r"^f\.toml: steps\[0\]\.fan_out: the step after a fan-out must be"):
        parse_definition(text, ref="f", label="f.toml")
