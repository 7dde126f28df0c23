"""The chat messages the engine sends, and the parsing of what comes back.

A conversation message is asked for with: a system prompt that describes the roleplay from the speaker's
point of view, a first user message that opens the conversation (input artifacts, earlier outputs, rejected
attempts), then the transcript as user/assistant turns: the speaker's own earlier lines are ``assistant``
turns, the other role's are ``user`` turns (consecutive turns of the same side are merged, since some
OpenAI-compatible servers require alternation).
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


def _bullets(items: Sequence[tuple[str, str]]) -> str:
    lines = []
    for name, description in items:
        desc = " ".join(description.split())
        lines.append(f"- {name}: {desc}" if desc else f"- {name}")
    return "\n".join(lines)


def conversation_system(d: WorkflowDefinition, conv: Conversation, speaker: str, turn: int) -> str:
    other = conv.assistant if speaker == conv.lead else conv.lead
    output = d.artifact(conv.output)
    out_desc = " ".join(output.description.split()) if output else ""
    phases = "\n".join(
        f"- {p.name}: {', '.join(p.steps)}" + (f" ({' '.join(p.description.split())})" if p.description else "")
        for p in d.phases
    )
    last = turn >= conv.turns
    rules = [
        f'Start your message with "{speaker}: ".',
        f"Write only what {speaker} says; never write lines for {other} or anyone else.",
        f"Explain, propose, ask or answer questions to build the {conv.output} together with {other}.",
        f"When the {conv.output} is complete, write a message that contains the complete {conv.output} "
        f'itself (not a summary of it) and ends with "{END_MARKER}".',
    ]
    if last:
        rules.append(
            f'This is the last message allowed: write the complete {conv.output} now and end with "{END_MARKER}".'
        )
    return "\n".join(
        [
            "You are roleplaying people who work together in a workflow. In every message you speak as one "
            "person only.",
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
            f"Current conversation: {conv.name}",
            f"About: {' '.join(conv.description.split())}",
            f"Lead: {conv.lead}. Assistant: {conv.assistant}.",
            f"Input artifacts: {', '.join(conv.inputs)}",
            f"Output artifact: {conv.output}" + (f" — {out_desc}" if out_desc else ""),
            "",
            f"You speak as: {speaker}",
            f"This is message {turn} of at most {conv.turns}.",
            "",
            "Rules:",
            *(f"- {r}" for r in rules),
        ]
    )


def conversation_opening(
    d: WorkflowDefinition,
    conv: Conversation,
    values: Mapping[str, str],
    inputs: Mapping[str, str],
    rejections: Sequence[Rejection],
) -> str:
    parts = [f"START CONVERSATION {conv.name}", "", "Input artifacts:"]
    for name in conv.inputs:
        parts += [f"## {name}", values.get(name, "").strip() or "(empty)", ""]
    from_inputs = set(d.input_artifacts().values())
    loose = [(k, v) for k, v in inputs.items() if k not in from_inputs]
    if loose:
        parts += ["Workflow inputs:", *(f"- {k}: {v}" for k, v in loose), ""]
    earlier = [(k, v) for k, v in values.items() if k not in conv.inputs and k not in inputs]
    if earlier:
        parts.append("Earlier outputs of this workflow (for context):")
        for name, text in earlier:
            parts += [f"## {name}", text.strip() or "(empty)", ""]
    for i, rej in enumerate(rejections, 1):
        parts += [
            f"Rejected attempt {i}: the user rejected this {conv.output} from an earlier run of this conversation.",
            f"Reason: {rej.reason or 'no reason given'}",
            "Rejected output:",
            _indent(rej.output or "(empty)", "> "),
            "Take the reason into account this time.",
            "",
        ]
    parts.append(f"{conv.lead}, you speak first.")
    return "\n".join(parts)


def conversation_messages(
    system: str, opening: str, transcript: Sequence[tuple[str, str]], speaker: str
) -> list[dict[str, str]]:
    """System prompt, the opening as a user turn, then the transcript from ``speaker``'s side, merged."""
    turns: list[dict[str, str]] = [{"role": "user", "content": opening}]
    for role, text in transcript:
        side = "assistant" if role == speaker else "user"
        if turns[-1]["role"] == side:
            turns[-1] = {"role": side, "content": turns[-1]["content"] + "\n\n" + text}
        else:
            turns.append({"role": side, "content": text})
    return [{"role": "system", "content": system}, *turns]


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
