"""What a new reference server holds: the demo account's Write poem workflow in every dialect, its instruct
tasks on 0.4 (and, listed only, on 2024) and, on 0.4, a task it cannot run and one it never had.

On 0.4, ``n_stanzas`` is a ``drop_down_list`` of the strings "1" to "5" (0.4 stores inputs as strings).
"""

from __future__ import annotations

from typing import Any

DEMO_EMAIL = "demo@example.com"
POEM = ("Write poem", "🌸", "Write a poem stanza by stanza")

POEM_INPUTS: list[dict[str, Any]] = [
    {"input_name": "poem_topic", "description_for_user": "What is the poem about?",
     "description_for_system": "The topic of the poem", "type": "text_area", "placeholder": "Spring in the city"},
    {"input_name": "n_stanzas", "description_for_user": "How many stanzas?",
     "description_for_system": "The number of stanzas of the poem", "type": "drop_down_list",
     "possible_values": [{"value": str(n)} for n in range(1, 6)]},
]
POEM_STEPS: list[dict[str, Any]] = [
    {"step_name": "stanza_divider", "name_for_user": "Stanza topics",
     "definition_for_user": "Decide what each stanza is about"},
    {"step_name": "stanza_writer", "name_for_user": "Write stanza", "definition_for_user": "Write one stanza"},
]
POEM_DEFAULTS_2024: list[dict[str, Any]] = [{"input_name": "poem_topic", "default_value": "Spring"},
                      {"input_name": "n_stanzas", "default_value": 3}]


def _text_input(name: str, for_user: str, placeholder: str = "") -> dict[str, Any]:
    entry = {"input_name": name, "description_for_user": for_user, "description_for_system": for_user,
             "type": "text_area"}
    return {**entry, "placeholder": placeholder} if placeholder else entry


INSTRUCT_TASKS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    ("General Assistance", "💡", "Your go-to assistant for anything you need written",
     [_text_input("request", "What do you need?", "Write a thank-you note to my team")]),
    ("Meeting minutes", "📝", "Turn your notes of a meeting into clear minutes",
     [_text_input("meeting_topic", "What was the meeting about?"),
      _text_input("attendees", "Who took part?"),
      _text_input("notes", "Your notes of the meeting")]),
]
DISABLED_TASK = ("Translate document", "🌍", "Translate a document into another language")
DISABLED_TASK_INPUTS = [_text_input("text", "The text")]
TEASER_TASK = ("Prepare a sales call", "📞", "Research a prospect before you call them")


def task_input(spec: str | dict[str, Any]) -> dict[str, Any]:
    """A 0.4 ``json_input`` entry from an input name (a text area) or a spec dict."""
    return _text_input(spec, spec) if isinstance(spec, str) else dict(spec)


def task_step(step: str | dict[str, Any]) -> dict[str, Any]:
    """A 0.4 step from its system name or a dict (display names made up when missing)."""
    data = {"step_name": step} if isinstance(step, str) else dict(step)
    name = str(data["step_name"])
    data.setdefault("name_for_user", name.replace("_", " ").capitalize())
    data.setdefault("definition_for_user", f"Runs {data['name_for_user'].lower()}")
    return data
