"""Local workflows against a loopback OpenAI-compatible server: the whole software company with validation, a
rejection with a reason, Ctrl-C at the question (the shell in this process, ``local_term``); Ctrl-C mid-stream then
resume, and a first start with no server at all, in the real `mojodex` script in a pseudo-terminal."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .local_shell_helpers import (
    SOFTWARE_COMPANY_ARTIFACTS,
    SOFTWARE_COMPANY_STEPS,
    LLMThread,
    conversation_of,
    model_env,
    output_of,
    read_state,
    text_of,
)

# Lead and assistant of each conversation of the built-in software company.
ROLES = {
    "Design (Modalities)": ("CEO", "CPO"),
    "Design (Language)": ("CEO", "CTO"),
    "Coding (Code)": ("CTO", "Programmer"),
    "Coding (Design)": ("Programmer", "Designer"),
    "Testing (Review)": ("Programmer", "Reviewer"),
    "Testing (Test)": ("Programmer", "Tester"),
    "Documenting (Specification)": ("CTO", "Programmer"),
    "Documenting (Manual)": ("CEO", "CPO"),
}
OUTPUTS = {
    "Design (Modalities)": "Modalities",
    "Design (Language)": "Language",
    "Coding (Code)": "Code",
    "Coding (Design)": "Designed Code",
    "Testing (Review)": "Reviewed Code",
    "Testing (Test)": "Tested Code",
    "Documenting (Specification)": "Specification",
    "Documenting (Manual)": "Manual",
}
TOKENS = re.compile(r"\(tokens: (\d+): (\d+) in, (\d+) out\)")
FINISHED = re.compile(r"Run (\d{8}-\d{6}-[0-9a-f]+) finished: (\d+) steps, (\d+) tokens \((\d+) in, (\d+) out\)")
STOPPED = re.compile(r"Run (\d{8}-\d{6}-[0-9a-f]+) paused \(waiting\); `workflow resume \1` carries on\.")

TWO_TALKS = """
name = "Two talks"
icon = "🗣"
description = "Plan, then build"
inputs = ["task"]

[[roles]]
name = "Boss"
description = "Decides."

[[roles]]
name = "Maker"
description = "Builds."

[[artifacts]]
name = "Task"
from_input = "task"
description = "What is wanted."

[[artifacts]]
name = "Plan"
description = "How to do it."

[[artifacts]]
name = "Product"
description = "The thing itself."

[[conversations]]
name = "Planning"
description = "Make a plan."
lead = "Boss"
assistant = "Maker"
input = "Task"
output = "Plan"
turns = 4

[[conversations]]
name = "Building"
description = "Build it."
lead = "Maker"
assistant = "Boss"
input = "Plan"
output = "Product"
turns = 4

[[phases]]
name = "Work"
steps = ["Planning", "Building"]
"""


def walk_step(term: Any, name: str, *, answer: str = "", resumed_lead: bool = False) -> int:
    """Expect one conversation step on the screen, from its start to the question; answer it. Returns its tokens."""
    lead, assistant = ROLES[name]
    term.expect(f"Step {name} started", timeout=10)
    term.expect(f"{lead}: Let us start {name}. What do you propose?")
    term.expect(f"{assistant}: Here it is.")
    term.expect(output_of(name))
    term.expect(f"Step {name} ended")
    term.expect("Results:")
    term.expect(f"- {OUTPUTS[name]}:")
    term.expect(output_of(name))
    tokens = term.expect(TOKENS)
    assert int(tokens.group(1)) == int(tokens.group(2)) + int(tokens.group(3)) > 0
    term.expect("Continue (Y/n)?")
    term.line(answer)
    return int(tokens.group(1))


def test_software_company_runs_all_eight_conversations_with_validation(
    local_term: Callable[..., Any], llm: LLMThread, mojodex_home: Path
) -> None:
    term = local_term(llm)
    term.line("workflow run software-company")
    term.expect("task: ", timeout=10)
    term.line("I want to create users in my application")
    step_tokens = [walk_step(term, name, answer=("" if i % 2 == 0 else "y"))
                   for i, name in enumerate(SOFTWARE_COMPANY_STEPS)]
    done = term.expect(FINISHED, timeout=10)
    term.expect_prompt()
    run_id, steps, total = done.group(1), int(done.group(2)), int(done.group(3))
    assert steps == 8
    assert total == sum(step_tokens) == int(done.group(4)) + int(done.group(5))

    # The steps came in the definition's order, each exactly once, each asked about once.
    starts = re.findall(r"Step (.+?) started", term.text)
    ends = re.findall(r"Step (.+?) ended", term.text)
    assert starts == ends == SOFTWARE_COMPANY_STEPS
    assert term.text.count("Results:") == 8

    # The model saw: one preflight, then two messages per conversation in order; the task in the first
    # conversation; each conversation's output in the next one's request.
    requests = llm.requests
    assert conversation_of(requests[0]) is None and requests[0].get("stream") is not True
    assert llm.turns() == [(name, turn) for name in SOFTWARE_COMPANY_STEPS for turn in (1, 2)]
    conversations = llm.conversation_requests()
    assert "I want to create users in my application" in text_of(conversations[0])
    for i, name in enumerate(SOFTWARE_COMPANY_STEPS[:-1]):
        following = conversations[2 * (i + 1)]
        assert conversation_of(following) == (SOFTWARE_COMPANY_STEPS[i + 1], ROLES[SOFTWARE_COMPANY_STEPS[i + 1]][0], 1)
        assert output_of(name) in text_of(following), f"{name}'s output is not in the next conversation's request"
    assert all(r.get("stream") is True for r in conversations)

    # Everything is on disk as Markdown.
    run_dir = mojodex_home / "runs" / run_id
    for name, filename in SOFTWARE_COMPANY_ARTIFACTS.items():
        artifact = (run_dir / filename).read_text(encoding="utf-8")
        assert artifact.startswith(f"# {OUTPUTS[name]}\n")
        assert output_of(name) in artifact
        assert "END CONVERSATION" not in artifact
    transcript = (run_dir / "messages.md").read_text(encoding="utf-8")
    for name in SOFTWARE_COMPANY_STEPS:
        assert transcript.count(f"## {name}\n") == 1
        assert transcript.count(f"Let us start {name}.") == 1
    state = read_state(mojodex_home, run_id)
    assert state["status"] == "done"
    assert state["usage"]["total_tokens"] == total
    assert len(state["log"]) == 16

    term.line("workflow runs")
    # No header row off a terminal, so the SOURCE column is as wide as "local" (the Ctrl-C test below has the
    # terminal's layout, under its headers).
    term.expect(re.compile(rf"{run_id}  local  local/software-company  done +{total} tokens"))
    term.expect_prompt()
    assert "END CONVERSATION" not in term.text  # every conversation ended with it, unseen


def run_two_talks(open_term: Callable[..., Any], llm: LLMThread, home: Path) -> Any:
    """A shell that has just started a run of the two-conversation workflow (TWO_TALKS)."""
    (home / "workflows").mkdir()
    (home / "workflows" / "two-talks.toml").write_text(TWO_TALKS, encoding="utf-8")
    term = open_term(llm)
    term.line("workflow run local/two-talks --input 'task=a birdhouse'")
    return term


def test_ctrl_c_at_the_question_says_how_to_carry_on_and_nothing_more(
    local_term: Callable[..., Any], llm: LLMThread, mojodex_home: Path
) -> None:
    term = run_two_talks(local_term, llm, mojodex_home)
    term.expect("Continue (Y/n)?", timeout=10)
    term.ctrl("c")
    stopped = term.expect(STOPPED)
    term.expect_prompt()
    assert "cancelled" not in term.text[stopped.end():]
    # A pause, not a failure: the list and the run itself say it waits (for the question left)
    run_id = stopped.group(1)
    term.line("workflow runs")
    term.expect(f"{run_id}  local  local/two-talks  waiting  1/2 Planning")  # no headers off a terminal
    term.expect_prompt()
    term.line(f"workflow show {run_id}")
    term.expect("Step Planning (Work): waiting for validation")
    term.expect("Step Building (Work): not run yet")
    term.expect_prompt()
    assert read_state(mojodex_home, run_id)["status"] == "waiting"


def test_reject_with_a_reason_runs_the_conversation_again_and_the_model_reads_why(
    local_term: Callable[..., Any], llm: LLMThread, mojodex_home: Path
) -> None:
    term = run_two_talks(local_term, llm, mojodex_home)
    term.expect("Step Planning started", timeout=10)
    term.expect(output_of("Planning", 1))
    term.expect("Continue (Y/n)?")
    term.line("n")
    term.expect("What should change? ")
    term.line("use recycled wood only")
    term.expect("Running Planning again.")
    term.expect("Step Planning started (attempt 2)")
    term.expect("Boss: Let us start Planning.")
    term.expect("Results:")
    term.expect(output_of("Planning", 2))
    term.expect("Continue (Y/n)?")
    term.line("y")
    term.expect("Step Building started")
    term.expect("Continue (Y/n)?")
    term.line("")
    done = term.expect(FINISHED, timeout=10)
    term.expect_prompt()

    assert llm.turns() == [("Planning", 1), ("Planning", 2), ("Planning", 1), ("Planning", 2),
                           ("Building", 1), ("Building", 2)]
    first, rerun = (r for r in llm.conversation_requests() if conversation_of(r) == ("Planning", "Boss", 1))
    assert "use recycled wood only" not in text_of(first)
    opening = rerun["messages"][1]["content"]
    assert "Reason: use recycled wood only" in opening
    assert output_of("Planning", 1) in opening  # the rejected output, so the model can do better
    building = llm.conversation_requests()[4]
    assert output_of("Planning", 2) in text_of(building) and output_of("Planning", 1) not in text_of(building)
    plan = (mojodex_home / "runs" / done.group(1) / "plan.md").read_text(encoding="utf-8")
    assert output_of("Planning", 2) in plan and output_of("Planning", 1) not in plan


def test_ctrl_c_mid_stream_then_resume_repeats_and_loses_nothing(
    local_shell: Callable[..., Any], llm: LLMThread, mojodex_home: Path
) -> None:
    # Requests: 1 preflight, 2-3 the first conversation, 4 the second one's first message, 5 its second message.
    llm.stall(after_chunks=2, at_request=5)
    term = local_shell(llm)
    term.line("workflow run software-company --input 'task=a login page'")
    walk_step(term, "Design (Modalities)")
    term.expect("Step Design (Language) started", timeout=10)
    term.expect("CEO: Let us start Design (Language).")
    llm.wait_stalled()
    term.expect("CTO: Here")  # the half message streamed to the screen before the model stalled
    assert output_of("Design (Language)") not in term.text
    term.ctrl("c")
    stopped = term.expect(STOPPED, timeout=10)
    term.expect_prompt()
    assert "cancelled" not in term.text[stopped.end():]  # the line above said what Ctrl-C did
    run_id = stopped.group(1)
    assert (conversation_of(llm.requests[4]) or ())[::2] == ("Design (Language)", 2)

    state = read_state(mojodex_home, run_id)
    assert state["status"] == "waiting"  # a pause: Ctrl-C mid-answer
    assert [m["text"] for m in state["messages"]] == ["CEO: Let us start Design (Language). What do you propose?"]
    term.line("workflow runs")
    term.expect(f"{run_id}  local   local/software-company  waiting  2/8 Design (Language)")
    term.expect_prompt()

    llm.release()  # the stalled answer's connection ends; the model answers normally from now on
    term.line("workflow resume last")
    term.expect("Step Design (Language) started", timeout=10)
    term.expect("CEO: Let us start Design (Language).")  # the kept message, shown again, not asked again
    term.expect("CTO: Here it is.")
    for name in SOFTWARE_COMPANY_STEPS[1:]:
        if name != "Design (Language)":
            walk_step(term, name)
        else:
            term.expect("Continue (Y/n)?")
            term.line("")
    done = term.expect(FINISHED, timeout=10)
    term.expect_prompt()
    assert done.group(1) == run_id and done.group(2) == "8"

    # The model was asked for every message once, except the one cut mid-stream (asked again on resume).
    turns = llm.turns()
    assert turns[:4] == [("Design (Modalities)", 1), ("Design (Modalities)", 2), ("Design (Language)", 1),
                         ("Design (Language)", 2)]
    assert turns[4:] == [("Design (Language)", 2)] + [(n, t) for n in SOFTWARE_COMPANY_STEPS[2:] for t in (1, 2)]
    again = llm.conversation_requests()[4]
    assert text_of(again).count("Let us start Design (Language).") == 1
    assert "CTO: Here" not in text_of(again)

    state = read_state(mojodex_home, run_id)
    assert state["status"] == "done"
    texts = [entry["text"] for entry in state["log"]]
    assert len(texts) == 16 == len(set(texts))  # every message once, the half one never
    assert [e["step"] for e in state["log"]] == [n for n in SOFTWARE_COMPANY_STEPS for _ in (1, 2)]
    transcript = (mojodex_home / "runs" / run_id / "messages.md").read_text(encoding="utf-8")
    assert transcript.count("Let us start Design (Language).") == 1
    assert transcript.count(output_of("Design (Language)")) == 1
    for filename in SOFTWARE_COMPANY_ARTIFACTS.values():
        assert (mojodex_home / "runs" / run_id / filename).is_file()


def test_workflow_list_in_the_shell_shows_local_workflows_with_no_server_at_all(
    spawn_mojodex: Callable[..., Any], unreachable_url: str
) -> None:
    """A fresh machine: no saved login, no server. The shell still opens and lists the local workflows."""
    term = spawn_mojodex(server_url=unreachable_url, env=model_env(None))
    term.expect("Username: ", timeout=10)
    term.line("demo@example.com")
    term.expect("Password: ")
    term.line("demo")
    term.expect(f"error: cannot reach the Mojodex server at {unreachable_url}")
    term.expect_prompt()
    term.line("workflow list")
    term.expect("local/software-company 🏢 Software company - Design, code, test and document a feature")
    term.expect("local/write-poem       🌸 Write poem       - Write a poem stanza by stanza")
    term.expect(f"error: server workflows: not logged in to {unreachable_url}: `login` first")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0
