"""The chat messages the engine sends, and the parsing of what comes back.

Prompts are built so that each call starts like the previous one, so a model server's prefix cache serves
most of it: stable text first, history appended, nothing reordered. A conversation message is asked for with:

1. a system prompt that is the same for every call of a run (``run_system``): the roleplay, the workflow, its
   roles, artifacts and phases, how a conversation goes, and the run's inputs (the instruction it handles);
2. the conversation's opening as a user turn (``conversation_opening``): START CONVERSATION, what it is about,
   lead and assistant, its input artifacts in full, rejected attempts and why;
3. the conversation so far, as the original notebook's thread had it: every message said (by either role) is an
   ``assistant`` turn, each followed by a short user turn that says who speaks next (``turn_cue``).

The next call of a conversation is the previous one with the new message and one cue appended. A conversation
reads its ``input`` artifacts; the other artifacts produced so far are not sent again (the conversations that
read them already turned them into their outputs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mojodex_engine.definitions import Conversation, PromptStep, WorkflowDefinition

END_MARKER = "END CONVERSATION"
_END_RE = re.compile(r"[*_`\s]*\bEND CONVERSATION\b[*_`.!\s]*")
_QUOTES = (('"', '"'), ("'", "'"), ("“", "”"), ("«", "»"))
_BULLET_RE = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.):]|\(\d{1,3}\))\s*")


@dataclass(frozen=True)
class Rejection:
    """A result the user turned down, and why."""

    output: str
    reason: str | None


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line.strip() else line for line in text.strip().splitlines())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bullets(items: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"- {name}: {_one_line(desc)}" if desc.strip() else f"- {name}" for name, desc in items)


def run_system(d: WorkflowDefinition, inputs: Mapping[str, str]) -> str:
    """The system prompt of every conversation call of a run: nothing in it changes during the run."""
    phases = "\n".join(
        f"- {p.name}: {', '.join(p.steps)}" + (f" ({_one_line(p.description)})" if p.description else "")
        for p in d.phases
    )
    parts = [
        "You are roleplaying people who work together in a workflow. In every message you speak as one person "
        "only: the one my last message names.",
        "",
        f"Workflow: {d.name}",
        d.context.strip(),
        "",
        "Roles:",
        _bullets([(r.name, r.description) for r in d.roles]),
        "",
        "Artifacts (what conversations read and produce):",
        _bullets([(a.name, a.description) for a in d.artifacts]),
        "",
        "Phases and their conversations:",
        phases,
        "",
        "How a conversation goes:",
        "- I open it with START CONVERSATION: what it is about, its lead and assistant, its input artifacts and "
        "its output artifact. Before each message I say who speaks.",
        '- Start your message with that person\'s name and a colon ("CEO: ..."), and write only what that person '
        "says; never write lines for the other role or anyone else.",
        "- Explain, propose, ask or answer questions to build the output artifact together with the other role.",
        "- When the output artifact is complete, write a message that contains the complete artifact itself (not "
        f'a summary of it) and ends with "{END_MARKER}".',
    ]
    code = [a.name for a in d.artifacts if a.files]
    if code:
        parts.append(
            f"- {', '.join(code)}: code. Write each file whole, in its own fenced code block whose info string "
            "names its path (```python path=app/main.py); the files are saved as the run's workspace."
        )
    if inputs:
        parts += ["", "The instruction this workflow handles (its inputs):"]
        parts += [f"- {k}: {v}" for k, v in inputs.items()]
    return "\n".join(parts)


def conversation_opening(
    d: WorkflowDefinition,
    conv: Conversation,
    values: Mapping[str, str],
    rejections: Sequence[Rejection],
) -> str:
    """The first user turn of a conversation: the same for each of its calls (and after a resume)."""
    output = d.artifact(conv.output)
    out_desc = _one_line(output.description) if output else ""
    parts = [
        f"START CONVERSATION {conv.name}",
        f"Current conversation: {conv.name}",
        f"About: {_one_line(conv.description)}",
        f"Lead: {conv.lead}. Assistant: {conv.assistant}.",
        f"Input artifacts: {', '.join(conv.inputs)}",
        f"Output artifact: {conv.output}" + (f" — {out_desc}" if out_desc else ""),
        "",
    ]
    for name in conv.inputs:
        parts += [f"## {name}", values.get(name, "").strip() or "(empty)", ""]
    for i, rej in enumerate(rejections, 1):
        parts += [
            f"Rejected attempt {i}: the user rejected this {conv.output} from an earlier run of this conversation.",
            f"Reason: {rej.reason or 'no reason given'}",
            "Rejected output:",
            _indent(rej.output or "(empty)", "> "),
            "Take the reason into account this time.",
            "",
        ]
    return "\n".join(parts).rstrip()


def turn_cue(conv: Conversation, turn: int) -> str:
    """Who speaks at message ``turn`` (from 1): the user turn before each message."""
    speaker = conv.lead if turn % 2 == 1 else conv.assistant
    lines = [f"You speak as: {speaker}", f"This is message {turn} of at most {conv.turns}."]
    if turn >= conv.turns:
        lines.append(
            f'This is the last message allowed: write the complete {conv.output} now and end with "{END_MARKER}".'
        )
    return "\n".join(lines)


def conversation_messages(
    system: str, opening: str, conv: Conversation, transcript: Sequence[tuple[str, str]]
) -> list[dict[str, str]]:
    """The call for the message after ``transcript``: system, opening with the first cue, then each message
    said as an assistant turn followed by the next cue. Each call is the previous one with two turns more."""
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": f"{opening}\n\n{turn_cue(conv, 1)}"},
    ]
    for turn, (_role, text) in enumerate(transcript, 2):
        messages.append({"role": "assistant", "content": text})
        messages.append({"role": "user", "content": turn_cue(conv, turn)})
    return messages


def step_messages(
    d: WorkflowDefinition, step: PromptStep, prompt: str, rejections: Sequence[Rejection]
) -> list[dict[str, str]]:
    system = (
        step.system
        or (
            f"You carry out the step '{step.name}' of the workflow '{d.name}'. "
            + (" ".join(step.description.split()) or "")
        ).strip()
    )
    if step.fan_out:
        system += "\nAnswer with one entry per line: each line is one entry of a list. No other text."
    messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    for rej in rejections:
        messages.append({"role": "assistant", "content": rej.output})
        messages.append(
            {
                "role": "user",
                "content": "I reject this answer. Reason: "
                f"{rej.reason or 'no reason given'}. Answer again, taking the reason into account.",
            }
        )
    return messages


def render(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(dict(values))


# ------------------------------------------------------------------------------------------------ replies


def prefix_re(role: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*[*_#>\s]*{re.escape(role)}[*_\s]*:[*_]*[ \t]*\n*", re.IGNORECASE)


def normalize_message(role: str, other: str, text: str) -> str:
    """``text`` as ``"Role: body"``: the prefix added if missing, any lines written for ``other`` cut."""
    body = prefix_re(role).sub("", text, count=1).strip()
    cut = re.search(rf"(?m)^[*_\s]*{re.escape(other)}[*_\s]*:", body)
    if cut and cut.start() > 0:
        body = body[: cut.start()].rstrip()
    return f"{role}: {body}"


def has_end(text: str) -> bool:
    return END_MARKER in text


def strip_message(role: str, text: str) -> str:
    """The message's content: without the role prefix and without the END CONVERSATION marker."""
    body = prefix_re(role).sub("", text, count=1)
    return _END_RE.sub("\n", body).strip()


def split_entries(text: str) -> list[str]:
    """A fan-out answer's entries: one per non-empty line, list markers and wrapping quotes removed."""
    entries = []
    for line in text.splitlines():
        entry = _BULLET_RE.sub("", line).strip().strip("*").strip()
        for left, right in _QUOTES:
            if len(entry) >= 2 and entry.startswith(left) and entry.endswith(right):
                entry = entry[1:-1].strip()
                break
        if entry:
            entries.append(entry)
    return entries
