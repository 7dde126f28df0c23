"""A definition's own settings: each role's model, temperature and max_tokens (falling back to the engine's),
typed inputs with descriptions, a token budget; and an artifact that starts with its own heading keeps one."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, turn_of, write_definition

from mojodex_core import ConfigError
from mojodex_engine.definitions import Input, get_definition
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.testing import FakeOpenAIServer

OWN_MODEL = TWO_CONVERSATIONS.replace(
    'name = "CEO"\ndescription = "The boss."',
    'name = "CEO"\ndescription = "The boss."\nmodel = "big-model"\ntemperature = 0.1\nmax_tokens = 300',
)


async def test_a_role_s_own_model_temperature_and_max_tokens_are_in_its_requests_only(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    assert server.models is not None
    server.models.add("big-model")
    definition = write_definition(tmp_path, OWN_MODEL)
    assert definition.role("CEO").model == "big-model" and definition.role("CPO").model is None
    server.queue("CEO: plan?", "CPO: plan\nEND CONVERSATION", "CPO: product?", "CEO: product\nEND CONVERSATION")
    result = await make_engine(home, definition, {"task": "t"}, provider, Recorder()).run()
    assert result.status == "done"
    seen = [(turn_of(r)[1], r["model"], r["temperature"], r.get("max_tokens")) for r in server.requests]
    assert seen == [
        ("CEO", "big-model", 0.1, 300),
        ("CPO", "test-model", 0.2, None),  # the engine's (the shell's [llm]) where the role names none
        ("CPO", "test-model", 0.2, None),
        ("CEO", "big-model", 0.1, 300),
    ]


def test_inputs_have_descriptions_types_and_defaults_and_the_old_list_still_loads(tmp_path: Path) -> None:
    typed = write_definition(tmp_path, TWO_CONVERSATIONS.replace(
        'inputs = ["task"]',
        'budget = 50000\n\n[inputs.task]\ndescription = "What to build"\n\n'
        '[inputs.n_screens]\ndescription = "How many screens?"\ntype = "integer"\ndefault = 2\n',
    ), "typed.toml")
    assert typed.inputs == ("task", "n_screens") and typed.budget == 50000
    assert typed.input_specs == (Input("task", "What to build"), Input("n_screens", "How many screens?", "integer", 2))
    assert typed.input_specs[1].problem("two") == "n_screens must be a whole number, not 'two'"
    assert typed.input_specs[1].problem("3") is None
    spec = typed.input_specs[1].spec()
    assert (spec.name, spec.type, spec.description, spec.default) == ("n_screens", "integer", "How many screens?", 2)

    old = write_definition(tmp_path, TWO_CONVERSATIONS)
    assert old.inputs == ("task",) and old.input_specs == (Input("task"),) and old.budget is None


@pytest.mark.parametrize(("change", "message"), [
    (('description = "The boss."', 'description = "The boss."\ntemperature = "hot"'),
     "roles[0].temperature: expected a number, got a string"),
    (('description = "The boss."', 'description = "The boss."\nmax_tokens = 0'),
     "roles[0].max_tokens: must be between 1 and 10000000, got 0"),
    (('inputs = ["task"]', '[inputs.task]\ntype = "date"'),
     "inputs.task.type: unknown type 'date' (one of: text, integer, number, boolean)"),
    (('inputs = ["task"]', '[inputs.task]\ntype = "integer"\ndefault = "many"'),
     "inputs.task.default: task must be a whole number, not 'many'"),
    (('inputs = ["task"]', 'inputs = ["task"]\nbudget = "lots"'), "budget: expected an integer, got a string"),
])
def test_bad_settings_name_the_file_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    # Keys of the document come before its first table: TOML puts them in that table otherwise.
    text = TWO_CONVERSATIONS.replace(*change, 1)
    if change[1].startswith("[inputs"):
        text = text.replace(change[1], "") + "\n" + change[1] + "\n"
    with pytest.raises(ConfigError) as err:
        write_definition(tmp_path, text)
    assert str(err.value) == f"flow.toml: {message}"


def test_the_built_in_inputs_say_what_they_are_and_a_number_is_a_number(tmp_path: Path) -> None:
    poem = get_definition(tmp_path, "write-poem")
    kinds = {spec.name: spec.type for spec in poem.input_specs}
    assert kinds == {"poem_topic": "text", "n_stanzas": "integer"}
    assert all(spec.description for spec in poem.input_specs)
    assert all(spec.description for spec in get_definition(tmp_path, "software-company").input_specs)


async def test_an_artifact_that_starts_with_its_heading_has_it_once(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: plan?", "CPO: # Plan\n\n1. build\nEND CONVERSATION",
                 "CPO: product?", "CEO: the product\nEND CONVERSATION")
    result = await make_engine(home, definition, {"task": "t"}, provider, Recorder()).run()
    run = home / "runs" / result.run_id
    assert (run / "plan.md").read_text(encoding="utf-8") == "# Plan\n\n1. build\n"
    assert (run / "product.md").read_text(encoding="utf-8") == "# Product\n\nthe product\n"
