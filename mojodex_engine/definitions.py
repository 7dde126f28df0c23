"""Local workflow definitions: TOML files, loaded and fully checked before any model is called.

A definition file is one TOML document. Every key but ``name`` is optional, unknown keys are errors::

    name = "Software company"           # what `workflow list` shows
    icon = "🏢"
    description = "One line for `workflow list`"
    context = "What the roleplay is about; told to every role (default: description)"
    final = ["Tested Code", "Manual"]   # what a finished run produces (`workflow run --output`), in this
                                        # order: step outputs (default: the last step's; [] for none)
    budget = 400000                     # tokens a run may use before it asks to go on (default: none)

    [inputs.task]                       # asked from the user, in this order (or inputs = ["task"]: text)
    description = "What should the team build?"
    type = "text"                       # text, integer, number or boolean; also: default, choices

    [[roles]]                           # who speaks in conversations
    name = "CEO"
    description = "You are the CEO of the company. ..."
    model = "gpt-4o"                    # optional, with temperature and max_tokens (default: the engine's)

    [[artifacts]]                       # what conversations read and write
    name = "Task"
    description = "The business task as defined by the customer."
    from_input = "task"                 # given by the workflow input `task`; an artifact named like an
                                        # input (ignoring case) is given by it too
    files = false                       # true: a code artifact, its code blocks are also written as files
                                        # in the run's workspace/ (mojodex_engine.workspace)

    [[conversations]]                   # two roles turn input artifacts into one output artifact
    name = "Design (Modalities)"
    description = "The task is analyzed and the modalities are created."
    lead = "CEO"                        # speaks first
    assistant = "CPO"
    input = "Task"                      # an artifact, or a list of artifacts
    output = "Modalities"               # an artifact
    turns = 10                          # at most this many messages (default 10)

    [[steps]]                           # one model call: a prompt in, one text out
    name = "stanza_divider"
    description = "Plan the stanzas"
    prompt = "Divide a poem about {poem_topic} into {n_stanzas} stanzas..."
    output = "stanza_topic"             # the name its result is known by (default: the step's name)
    fan_out = true                      # the answer is a list, one entry per line: the next step runs
                                        # once per entry, with {stanza_topic} set to that entry
    system = "..."                      # optional system prompt

    [[phases]]                          # the run order: phases in order, each its steps in order
    name = "Designing"
    description = "..."
    steps = ["Design (Modalities)", "Design (Language)"]   # conversations and/or prompt steps

Without ``[[phases]]`` the workflow is one phase that runs its conversations, then its prompt steps, in file
order. Prompt templates use ``{name}`` fields (``{{`` for a literal brace): a workflow input, the output of an
earlier step (an artifact name, spaces allowed), or, in the step after a fan-out, the entry's name.

Every check happens at load time: a role, artifact or step that does not exist, an artifact read before
anything produced it, a missing or wrongly typed key. The ``ConfigError`` names the file and the key
(``software-company.toml: conversations[2].lead: unknown role 'CTOO'``); malformed TOML names the line and
column. Indexes in keys count from 0, like the TOML arrays they point into.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mojodex_core import ConfigError, UsageError

BUILTIN_DIR = Path(__file__).with_name("builtin")
USER_DIR = "workflows"
DEFAULT_TURNS = 10


@dataclass(frozen=True)
class Role:
    """A role of conversations; ``model``, ``temperature`` and ``max_tokens`` are its own (None: ``[llm]``'s)."""

    name: str
    description: str
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None


INPUT_TYPES = ("text", "integer", "number", "boolean")


@dataclass(frozen=True)
class Input:
    """A workflow input: asked with its ``description`` above the question, checked as its ``type`` says."""

    name: str
    description: str = ""
    type: str = "text"  # one of INPUT_TYPES
    default: str | int | float | bool | None = None
    choices: tuple[str, ...] = ()

    def problem(self, text: str) -> str | None:
        """Why ``text`` cannot be this input's value (the shell's own check of a typed input), or None."""
        from mojodex_core import UsageError, check_inputs

        try:
            check_inputs([self.spec()], {self.name: text}, interactive=True, assume_yes=False)
        except UsageError as exc:
            return str(exc).removeprefix(f"--input {self.name}: ")
        return None

    def spec(self) -> Any:
        """The input as the shell asks it (``mojodex_core.InputSpec``)."""
        from mojodex_core import InputSpec

        kind = {"text": "text", "integer": "integer", "number": "number", "boolean": "boolean"}[self.type]
        return InputSpec(self.name, type=kind, description=self.description, default=self.default,
                         choices=self.choices)


@dataclass(frozen=True)
class Artifact:
    name: str
    description: str
    from_input: str | None = None
    files: bool = False  # a code artifact: its code blocks are also written in the run's workspace/


@dataclass(frozen=True)
class Conversation:
    """Two roles talking until one says END CONVERSATION (or ``turns`` messages were said)."""

    name: str
    description: str
    lead: str
    assistant: str
    inputs: tuple[str, ...]
    output: str
    turns: int = DEFAULT_TURNS
    kind: str = "conversation"


@dataclass(frozen=True)
class PromptStep:
    """One model call whose prompt is a template over inputs and earlier outputs."""

    name: str
    description: str
    prompt: str
    output: str
    fan_out: bool = False
    system: str | None = None
    kind: str = "prompt"


Step = Conversation | PromptStep


@dataclass(frozen=True)
class Phase:
    name: str
    description: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class PlanItem:
    """One step at its place in the run order.

    ``fan_source`` is the fan-out step before it when this step runs once per entry of that step's result.
    """

    ordinal: int
    phase_index: int
    phase: Phase
    index_in_phase: int
    step: Step
    fan_source: PromptStep | None = None


@dataclass(frozen=True)
class WorkflowDefinition:
    """A checked workflow. ``ref`` is its file name without ``.toml`` (``local/<ref>`` in the shell)."""

    ref: str
    name: str
    icon: str
    description: str
    context: str
    inputs: tuple[str, ...]
    roles: tuple[Role, ...]
    artifacts: tuple[Artifact, ...]
    conversations: tuple[Conversation, ...]
    prompt_steps: tuple[PromptStep, ...]
    phases: tuple[Phase, ...]
    label: str
    source_text: str
    builtin: bool = False
    final: tuple[str, ...] = ()  # the outputs a finished run produces, in order (checked, default applied)
    input_specs: tuple[Input, ...] = ()  # the inputs with their descriptions and types, in ``inputs``' order
    budget: int | None = None  # tokens a run may use before it pauses at a question (None: no budget)

    def role(self, name: str) -> Role:
        return next(r for r in self.roles if r.name == name)

    def artifact(self, name: str) -> Artifact | None:
        return next((a for a in self.artifacts if a.name == name), None)

    def step(self, name: str) -> Step:
        steps: tuple[Step, ...] = (*self.conversations, *self.prompt_steps)
        return next(s for s in steps if s.name == name)

    def input_artifacts(self) -> dict[str, str]:
        """Artifact name -> the workflow input that provides it."""
        return {a.name: a.from_input for a in self.artifacts if a.from_input}

    def plan(self) -> list[PlanItem]:
        items: list[PlanItem] = []
        previous: Step | None = None
        for pi, phase in enumerate(self.phases):
            for si, name in enumerate(phase.steps):
                step = self.step(name)
                fan = previous if isinstance(previous, PromptStep) and previous.fan_out else None
                items.append(PlanItem(len(items), pi, phase, si, step, fan))
                previous = step
        return items

    def check_inputs(self, inputs: dict[str, str]) -> dict[str, str]:
        """Return ``inputs`` in declared order; raise ``UsageError`` for a missing or unknown one."""
        unknown = [k for k in inputs if k not in self.inputs]
        if unknown:
            raise UsageError(f"{self.ref}: unknown input '{unknown[0]}' (inputs: {', '.join(self.inputs)})")
        missing = [k for k in self.inputs if k not in inputs]
        if missing:
            raise UsageError(f"{self.ref}: missing input '{missing[0]}'")
        return {k: str(inputs[k]) for k in self.inputs}


# ---------------------------------------------------------------------------------------------- loading


def load_definition(path: Path, *, label: str | None = None, builtin: bool = False) -> WorkflowDefinition:
    """Read and check one definition file. Raise ``ConfigError`` naming the file (and key, line, column)."""
    label = label or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return parse_definition(text, ref=path.stem, label=label, builtin=builtin)


_REF_RE = re.compile(r"[\w][\w .()-]*")
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_definition(text: str, *, ref: str, label: str, builtin: bool = False) -> WorkflowDefinition:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        if m:
            msg = f"line {m.group(1)}, column {m.group(2)}: {msg[: m.start()]}"
        raise ConfigError(f"{label}: malformed TOML: {msg}") from None
    return _Checker(label).definition(data, ref=ref, text=text, builtin=builtin)


def find_definitions(home: Path) -> tuple[dict[str, WorkflowDefinition], list[ConfigError]]:
    """All definitions by ref: the built-ins, then ``<home>/workflows/*.toml``.

    A user file overrides the built-in with the same file name or the same workflow name. A broken user file
    is left out (hiding the built-in of its file name) and its error returned, so the others still list.
    """
    found = dict(_builtins())
    errors: list[ConfigError] = []
    user_dir = home / USER_DIR
    paths = sorted(user_dir.glob("*.toml")) if user_dir.is_dir() else []
    for path in paths:
        if found.get(path.stem) is not None and found[path.stem].builtin:
            del found[path.stem]
        try:
            definition = load_definition(path, label=str(path))
        except ConfigError as exc:
            errors.append(exc)
            continue
        for ref, other in list(found.items()):
            if other.builtin and other.name.casefold() == definition.name.casefold():
                del found[ref]
        found[path.stem] = definition
    return found, errors


@functools.cache
def _builtins() -> dict[str, WorkflowDefinition]:
    return {path.stem: load_definition(path, builtin=True) for path in sorted(BUILTIN_DIR.glob("*.toml"))}


def get_definition(home: Path, ref: str) -> WorkflowDefinition:
    """The definition ``ref`` (``write-poem`` or ``local/write-poem``); ``ConfigError`` if it is broken."""
    ref = ref.removeprefix("local/")
    if not _REF_RE.fullmatch(ref):
        raise UsageError(f"not a local workflow name: '{ref}'")
    user_path = home / USER_DIR / f"{ref}.toml"
    if user_path.is_file():
        return load_definition(user_path, label=str(user_path))
    found, _ = find_definitions(home)
    if ref in found:
        return found[ref]
    by_name = [d for d in found.values() if d.name.casefold() == ref.casefold()]
    if len(by_name) == 1:
        return by_name[0]
    known = ", ".join(sorted(found)) or "none"
    raise UsageError(f"no local workflow '{ref}' (known: {known})")


# ---------------------------------------------------------------------------------------------- checking


class _Checker:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.label}: {key}: {message}" if key else f"{self.label}: {message}")

    # typed getters ----------------------------------------------------------------------------------

    def _keys(self, table: dict[str, Any], key: str, allowed: set[str]) -> None:
        for k in table:
            if k not in allowed:
                raise self.fail(_join(key, k), f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def _str(self, table: dict[str, Any], key: str, name: str, default: str | None = None) -> str:
        if name not in table:
            if default is None:
                raise self.fail(_join(key, name), "missing")
            return default
        value = table[name]
        if not isinstance(value, str):
            raise self.fail(_join(key, name), f"expected a string, got {_type(value)}")
        if default is None and not value.strip():
            raise self.fail(_join(key, name), "must not be empty")
        return value.strip()

    def _names(self, table: dict[str, Any], key: str, name: str, *, single_ok: bool = False) -> list[str]:
        value = table.get(name, [])
        if single_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            want = "a string or a list of strings" if single_ok else "a list of strings"
            raise self.fail(_join(key, name), f"expected {want}, got {_type(value)}")
        return [v.strip() for v in value]

    def _tables(self, data: dict[str, Any], name: str) -> list[dict[str, Any]]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, f"expected an array of tables ([[{name}]]), got {_type(value)}")
        return value

    def _unique(self, items: list[tuple[str, str]], what: str) -> None:
        seen: set[str] = set()
        for key, name in items:
            if name in seen:
                raise self.fail(key, f"duplicate {what} '{name}'")
            seen.add(name)

    # the document -----------------------------------------------------------------------------------

    def definition(self, data: dict[str, Any], *, ref: str, text: str, builtin: bool) -> WorkflowDefinition:
        self._keys(
            data,
            "",
            {
                "name",
                "icon",
                "description",
                "context",
                "inputs",
                "roles",
                "artifacts",
                "conversations",
                "steps",
                "phases",
                "final",
                "budget",
            },
        )
        name = self._str(data, "", "name")
        description = self._str(data, "", "description", "")
        input_specs = self.inputs(data)
        inputs = [spec.name for spec in input_specs]
        budget = self._int(data, "", "budget", 1, 10**9)

        roles = [self.role(t, f"roles[{i}]") for i, t in enumerate(self._tables(data, "roles"))]
        self._unique([(f"roles[{i}].name", r.name) for i, r in enumerate(roles)], "role")
        artifacts = [self.artifact(t, f"artifacts[{i}]", inputs) for i, t in enumerate(self._tables(data, "artifacts"))]
        self._unique([(f"artifacts[{i}].name", a.name) for i, a in enumerate(artifacts)], "artifact")
        role_names = {r.name for r in roles}
        artifact_names = {a.name for a in artifacts}
        conversations = [
            self.conversation(t, f"conversations[{i}]", role_names, artifact_names)
            for i, t in enumerate(self._tables(data, "conversations"))
        ]
        prompt_steps = [self.prompt_step(t, f"steps[{i}]") for i, t in enumerate(self._tables(data, "steps"))]
        step_keys = {c.name: f"conversations[{i}]" for i, c in enumerate(conversations)}
        for i, s in enumerate(prompt_steps):
            if s.name in step_keys:
                raise self.fail(f"steps[{i}].name", f"duplicate step '{s.name}' (a conversation has that name)")
            step_keys[s.name] = f"steps[{i}]"
        self._unique([(f"conversations[{i}].name", c.name) for i, c in enumerate(conversations)], "conversation")

        if "phases" in data:
            phases = [self.phase(t, f"phases[{i}]", step_keys) for i, t in enumerate(self._tables(data, "phases"))]
        else:
            phases = [Phase(name, description, tuple(step_keys))] if step_keys else []
        if not phases:
            raise self.fail("", "no steps: add [[conversations]] or [[steps]]")

        definition = WorkflowDefinition(
            ref=ref,
            name=name,
            icon=self._str(data, "", "icon", ""),
            description=description,
            context=self._str(data, "", "context", "") or description or name,
            inputs=tuple(inputs),
            roles=tuple(roles),
            artifacts=tuple(artifacts),
            conversations=tuple(conversations),
            prompt_steps=tuple(prompt_steps),
            phases=tuple(phases),
            label=self.label,
            source_text=text,
            builtin=builtin,
            input_specs=tuple(input_specs),
            budget=budget,
        )
        self.order(definition, step_keys)
        return replace(definition, final=self.final(data, definition))

    def role(self, t: dict[str, Any], key: str) -> Role:
        self._keys(t, key, {"name", "description", "model", "temperature", "max_tokens"})
        temperature = t.get("temperature")
        if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, int | float)):
            raise self.fail(_join(key, "temperature"), f"expected a number, got {_type(temperature)}")
        if temperature is not None and not 0 <= temperature <= 2:
            raise self.fail(_join(key, "temperature"), f"must be between 0 and 2, got {temperature}")
        return Role(
            self._str(t, key, "name"),
            self._str(t, key, "description", ""),
            self._str(t, key, "model", "") or None,
            None if temperature is None else float(temperature),
            self._int(t, key, "max_tokens", 1, 10**7),
        )

    def _int(self, table: dict[str, Any], key: str, name: str, low: int, high: int) -> int | None:
        value = table.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(_join(key, name), f"expected an integer, got {_type(value)}")
        if not low <= value <= high:
            raise self.fail(_join(key, name), f"must be between {low} and {high}, got {value}")
        return value

    def inputs(self, data: dict[str, Any]) -> list[Input]:
        """``inputs = ["task"]`` (names, asked as text), or ``[inputs.n_stanzas]`` tables (``description``,
        ``type``, ``default``, ``choices``) in the order they are written; a list may mix names and tables
        with a ``name``."""
        value = data.get("inputs", [])
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = [(f"inputs.{k}", {**v, "name": k} if isinstance(v, dict) else v)
                                            for k, v in value.items()]
        elif isinstance(value, list):
            items = [(f"inputs[{i}]", v) for i, v in enumerate(value)]
        else:
            raise self.fail("inputs", f"expected a list of names or [inputs.NAME] tables, got {_type(value)}")
        specs = [self.input(item, key) for key, item in items]
        self._unique([(key, spec.name) for (key, _), spec in zip(items, specs, strict=True)], "input")
        return specs

    def input(self, item: Any, key: str) -> Input:
        if isinstance(item, str) and item.strip():
            return Input(item.strip())
        if not isinstance(item, dict):
            raise self.fail(key, f"expected an input name or a table, got {_type(item)}")
        self._keys(item, key, {"name", "description", "type", "default", "choices"})
        name = self._str(item, key, "name")
        kind = self._str(item, key, "type", "text")
        if kind not in INPUT_TYPES:
            raise self.fail(_join(key, "type"), f"unknown type '{kind}' (one of: {', '.join(INPUT_TYPES)})")
        choices = tuple(self._names(item, key, "choices"))
        if choices and kind != "text":
            raise self.fail(_join(key, "choices"), "only a text input has choices")
        default = item.get("default")
        if isinstance(default, dict | list):
            raise self.fail(_join(key, "default"), f"expected a value, got {_type(default)}")
        if default is not None:
            problem = Input(name, "", kind, None, choices).problem(
                str(default).lower() if isinstance(default, bool) else str(default))
            if problem:
                raise self.fail(_join(key, "default"), problem)
        return Input(name, self._str(item, key, "description", ""), kind, default, choices)

    def artifact(self, t: dict[str, Any], key: str, inputs: list[str]) -> Artifact:
        self._keys(t, key, {"name", "description", "from_input", "files"})
        name = self._str(t, key, "name")
        from_input: str | None = self._str(t, key, "from_input", "") or None
        if from_input is not None and from_input not in inputs:
            raise self.fail(_join(key, "from_input"), f"unknown input '{from_input}'")
        if from_input is None:
            from_input = next((i for i in inputs if i.casefold() == name.casefold()), None)
        files = t.get("files", False)
        if not isinstance(files, bool):
            raise self.fail(_join(key, "files"), f"expected true or false, got {_type(files)}")
        return Artifact(name, self._str(t, key, "description", ""), from_input, files)

    def conversation(self, t: dict[str, Any], key: str, roles: set[str], artifacts: set[str]) -> Conversation:
        self._keys(t, key, {"name", "description", "lead", "assistant", "input", "output", "turns"})
        name = self._str(t, key, "name")
        lead = self._str(t, key, "lead")
        assistant = self._str(t, key, "assistant")
        for field, role in (("lead", lead), ("assistant", assistant)):
            if role not in roles:
                raise self.fail(_join(key, field), f"unknown role '{role}'")
        if lead == assistant:
            raise self.fail(_join(key, "assistant"), f"the lead '{lead}' cannot also be the assistant")
        if "input" not in t:
            raise self.fail(_join(key, "input"), "missing")
        inputs = self._names(t, key, "input", single_ok=True)
        if not inputs:
            raise self.fail(_join(key, "input"), "must name at least one artifact")
        for i, artifact in enumerate(inputs):
            if artifact not in artifacts:
                where = _join(key, "input") if isinstance(t["input"], str) else f"{_join(key, 'input')}[{i}]"
                raise self.fail(where, f"unknown artifact '{artifact}'")
        output = self._str(t, key, "output")
        if output not in artifacts:
            raise self.fail(_join(key, "output"), f"unknown artifact '{output}'")
        turns = t.get("turns", DEFAULT_TURNS)
        if isinstance(turns, bool) or not isinstance(turns, int):
            raise self.fail(_join(key, "turns"), f"expected an integer, got {_type(turns)}")
        if not 1 <= turns <= 100:
            raise self.fail(_join(key, "turns"), f"must be between 1 and 100, got {turns}")
        return Conversation(name, self._str(t, key, "description", ""), lead, assistant, tuple(inputs), output, turns)

    def prompt_step(self, t: dict[str, Any], key: str) -> PromptStep:
        self._keys(t, key, {"name", "description", "prompt", "output", "fan_out", "system"})
        name = self._str(t, key, "name")
        prompt = self._str(t, key, "prompt")
        self.template_fields(prompt, _join(key, "prompt"))
        fan_out = t.get("fan_out", False)
        if not isinstance(fan_out, bool):
            raise self.fail(_join(key, "fan_out"), f"expected true or false, got {_type(fan_out)}")
        system = self._str(t, key, "system", "") or None
        return PromptStep(
            name,
            self._str(t, key, "description", ""),
            prompt,
            self._str(t, key, "output", "") or name,
            fan_out,
            system,
        )

    def phase(self, t: dict[str, Any], key: str, step_keys: dict[str, str]) -> Phase:
        self._keys(t, key, {"name", "description", "steps"})
        name = self._str(t, key, "name")
        if "steps" not in t:
            raise self.fail(_join(key, "steps"), "missing")
        steps = self._names(t, key, "steps")
        if not steps:
            raise self.fail(_join(key, "steps"), "must name at least one step")
        for i, step in enumerate(steps):
            if step not in step_keys:
                raise self.fail(f"{_join(key, 'steps')}[{i}]", f"unknown conversation or step '{step}'")
        return Phase(name, self._str(t, key, "description", ""), tuple(steps))

    def template_fields(self, template: str, key: str) -> list[str]:
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise self.fail(key, f"bad template: {exc} (write {{{{ and }}}} for literal braces)") from None
        fields = []
        for _, field, spec, conversion in parsed:
            if field is None:
                continue
            if not field.strip() or spec or conversion or any(c in field for c in ".[]"):
                raise self.fail(key, f"bad template field '{{{field}}}': use plain {{name}} fields")
            fields.append(field)
        return fields

    def final(self, data: dict[str, Any], d: WorkflowDefinition) -> tuple[str, ...]:
        """The declared final outputs, each one a step's output; by default the last step's (as a server's
        produced text is its last step's results)."""
        if "final" not in data:
            return (d.plan()[-1].step.output,)
        names = self._names(data, "", "final")
        outputs = [item.step.output for item in d.plan()]
        for i, name in enumerate(names):
            if name not in outputs:
                known = ", ".join(outputs)
                raise self.fail(f"final[{i}]", f"'{name}' is not the output of any step (outputs: {known})")
        self._unique([(f"final[{i}]", n) for i, n in enumerate(names)], "final output")
        return tuple(names)

    # run order --------------------------------------------------------------------------------------

    def order(self, d: WorkflowDefinition, step_keys: dict[str, str]) -> None:
        placed: dict[str, str] = {}
        for pi, phase in enumerate(d.phases):
            for si, name in enumerate(phase.steps):
                if name in placed:
                    raise self.fail(f"phases[{pi}].steps[{si}]", f"'{name}' already runs in {placed[name]}")
                placed[name] = f"phases[{pi}]"
        for name, key in step_keys.items():
            if name not in placed:
                raise self.fail(key, f"'{name}' is not in any phase")

        produced = set(d.inputs) | set(d.input_artifacts())
        plan = d.plan()
        for item in plan:
            key = step_keys[item.step.name]
            step = item.step
            if isinstance(step, Conversation):
                for i, artifact in enumerate(step.inputs):
                    if artifact not in produced:
                        where = f"{key}.input" if len(step.inputs) == 1 else f"{key}.input[{i}]"
                        raise self.fail(where, f"artifact '{artifact}' is used before any conversation produces it")
                if item.fan_source is not None:
                    raise self.fail(
                        f"steps[{_index(d, item.fan_source)}].fan_out",
                        f"the step after a fan-out must be a prompt step, not conversation '{step.name}'",
                    )
                produced.add(step.output)
            else:
                known = produced | ({item.fan_source.output} if item.fan_source else set())
                for field in self.template_fields(step.prompt, f"{key}.prompt"):
                    if field not in known:
                        raise self.fail(
                            f"{key}.prompt",
                            f"unknown name '{{{field}}}' (known here: {', '.join(sorted(known)) or 'none'})",
                        )
                if step.fan_out and item.fan_source is not None:
                    raise self.fail(f"{key}.fan_out", "a step that runs once per entry cannot fan out itself")
                if step.fan_out and item.ordinal == len(plan) - 1:
                    raise self.fail(f"{key}.fan_out", "a fan-out step needs a step after it")
                produced.add(step.output)


def _index(d: WorkflowDefinition, step: PromptStep) -> int:
    return d.prompt_steps.index(step)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _type(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)
