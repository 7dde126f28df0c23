"""What a local run produces (`workflow run --output`): the definition's `final` outputs as one Markdown text."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_helpers import TWO_CONVERSATIONS, write_definition

from mojodex_core import ConfigError
from mojodex_engine.definitions import find_definitions
from mojodex_engine.product import product_text, run_title
from mojodex_engine.storage import RunState

FINAL_FIRST = TWO_CONVERSATIONS.replace('inputs = ["task"]', 'inputs = ["task"]\nfinal = ["Product", "Plan"]', 1)


def state(**values: str) -> RunState:
    return RunState(run_id="r", workflow="flow", workflow_name="Two talks", inputs={"task": "A shop"}, created="",
                    values=values)


def test_the_builtins_declare_what_they_produce(home: Path) -> None:
    found, _ = find_definitions(home)
    assert found["software-company"].final == ("Tested Code", "Specification", "Manual")
    assert found["write-poem"].final == ("stanza",)


def test_by_default_a_run_produces_its_last_step_s_output_as_a_server_run_does(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    assert "final" not in TWO_CONVERSATIONS and definition.final == ("Product",)
    assert product_text(definition, state(Plan="p", Product="The product.")) == "## Product\n\nThe product."


def test_final_outputs_come_in_the_definition_s_order_each_under_its_heading(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, FINAL_FIRST)
    text = product_text(definition, state(Plan="  Step one.\n", Product="Shipped."))
    assert text == "## Product\n\nShipped.\n\n## Plan\n\nStep one."


@pytest.mark.parametrize("start", ["# Product", "## Product", "### product ##", "# **Product**"])
def test_a_heading_the_artifact_already_starts_with_is_not_repeated(tmp_path: Path, start: str) -> None:
    definition = write_definition(tmp_path, FINAL_FIRST)
    text = product_text(definition, state(Plan="Step one.", Product=f"\n{start}\n\nShipped."))
    assert text == f"{start}\n\nShipped.\n\n## Plan\n\nStep one."


def test_another_heading_at_the_start_still_gets_the_artifact_s_own(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, FINAL_FIRST)
    text = product_text(definition, state(Plan="Step one.", Product="# Production notes\n\nShipped."))
    assert text is not None and text.startswith("## Product\n\n# Production notes\n")


def test_a_definition_may_produce_nothing(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS.replace('inputs = ["task"]',
                                                                      'inputs = ["task"]\nfinal = []', 1))
    assert definition.final == ()
    assert product_text(definition, state(Plan="p", Product="q")) is None


@pytest.mark.parametrize(("final", "expected"), [
    ('["Plan", "Budget"]', "final[1]: 'Budget' is not the output of any step (outputs: Plan, Product)"),
    ('["Task"]', "final[0]: 'Task' is not the output of any step"),  # an input, not something a run makes
    ('["Plan", "Plan"]', "final[1]: duplicate final output 'Plan'"),
    ('"Plan"', "final: expected a list of strings, got a string"),
])
def test_final_errors_name_the_file_and_the_key(tmp_path: Path, final: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        write_definition(tmp_path, TWO_CONVERSATIONS.replace('inputs = ["task"]', f'inputs = ["task"]\nfinal = {final}',
                                                             1), "bad-flow.toml")
    assert str(info.value).startswith(f"bad-flow.toml: {expected}"), str(info.value)


def test_the_run_s_title_is_the_workflow_and_its_first_input(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    assert run_title(definition, {"task": "A shop\nwith a till"}) == "Two talks: A shop with a till"
    assert run_title(definition, {"task": " "}) == "Two talks"
