"""Going back to an accepted step of a stored run: ``rewind(store, "3")`` reopens step 3 at its validation question.

The reopened step's accepted result becomes its pending result again (shown again, not asked of the model); the
steps before it keep their results; the results of the steps after it are dropped (their artifact files too), so
the run, driven on (``Engine(store, ...).run()``), asks about the reopened step and then runs only the steps after
it again. Tokens already spent stay counted. A fanned step (one execution per entry of a list) reopens at its last
entry. In the run's ``workspace/``, each file the reopened step and the steps after it wrote is put back as the
steps before left it (or removed); other files stay. The reopened step's files are written again when it is
accepted (its question shows them as a diff).

The rewound state is saved before anything runs: a rewind cut short resumes (``workflow resume``) from there.
"""

from __future__ import annotations

import contextlib
from typing import Any

from mojodex_core import MojodexError, UsageError, one_line
from mojodex_engine.definitions import PlanItem, PromptStep, WorkflowDefinition
from mojodex_engine.storage import RunStore, artifact_filename


def find_step(definition: WorkflowDefinition, ref: str) -> PlanItem:
    """The plan item ``ref`` names: its number in the run order (from 1) or its name (any case)."""
    plan = definition.plan()
    ref = ref.strip()
    if ref.isdigit():
        if 1 <= int(ref) <= len(plan):
            return plan[int(ref) - 1]
        raise UsageError(f"STEP: {ref} is not a step number of {definition.name} (1 to {len(plan)})")
    found = [item for item in plan if item.step.name.casefold() == ref.casefold()]
    if not found:
        names = ", ".join(f"{item.ordinal + 1}. {item.step.name}" for item in plan)
        raise UsageError(f"STEP: no step {one_line(ref, 60)!r} in {definition.name} ({names})")
    return found[0]


def step_text(item: PlanItem, records: list[dict[str, Any]]) -> str:
    """The accepted output text of ``item`` from its step records (one per execution; several for a fanned step)."""

    def value(record: dict[str, Any]) -> list[str]:
        result = record.get("result") or []
        return [str(entry.get(item.step.output, "")) for entry in result if isinstance(entry, dict)]

    if item.fan_source is not None:
        return "\n\n".join(v for record in records for v in value(record)[:1])
    if isinstance(item.step, PromptStep) and item.step.fan_out:
        return "\n".join(v for record in records[-1:] for v in value(record))
    return next((v for record in records[-1:] for v in value(record)[:1]), "")


def rewind(store: RunStore, ref: str) -> PlanItem:
    """Reopen the accepted step ``ref`` of the run in ``store`` (claimed first) and save; return it."""
    definition = store.definition()
    item = find_step(definition, ref)
    st = store.state
    number = f"step {item.ordinal + 1} ({item.step.name})"
    if item.ordinal >= st.ordinal:
        raise MojodexError(f"{number} of run {st.run_id} is not accepted yet: `workflow resume {st.run_id}` "
                           "carries on")
    store.claim()
    plan = definition.plan()
    records = [r for r in st.steps if r.get("index") == item.ordinal]
    if not records:
        raise MojodexError(f"run {st.run_id} keeps no result of {number}: it cannot be reopened")
    all_records = list(st.steps)
    kept = [r for r in st.steps if int(r.get("index", 0)) < item.ordinal]
    reopened = records[-1]
    result = reopened.get("result") or []
    if item.fan_source is not None:
        earlier = records[:-1]
        st.fan_results = [step_text(item, [r]) for r in earlier]
        st.fan = len(earlier)
        kept += earlier
        output = step_text(item, [reopened])
    else:
        st.fan, st.fan_results = 0, []
        output = step_text(item, [reopened])
    st.pending = {"output": output, "result": result, "cut": bool(reopened.get("cut")),
                  "usage": reopened.get("usage") or {}, **({"edited": True} if reopened.get("edited") else {})}
    st.steps = kept
    st.ordinal, st.attempt = item.ordinal, int(reopened.get("attempts") or 1)
    st.messages, st.rejections, st.step_usage = [], [], {}
    dropped = [p for p in plan if p.ordinal > item.ordinal]
    for later in dropped:
        st.values.pop(later.step.output, None)
        st.entries.pop(later.step.output, None)
    st.phase, st.step, st.current_step = item.phase_index, item.index_in_phase, item.step.name
    st.status, st.error = "waiting", None
    st.log.append({"ordinal": item.ordinal, "step": item.step.name,
                   "fan": st.fan if item.fan_source is not None else None, "attempt": st.attempt, "role": "user",
                   "text": f"(The user went back to this step: the {len(dropped)} steps after it run again.)"})
    for later in dropped:
        if later.step.output != item.step.output:
            store.defer(_remove, store.path / artifact_filename(later.step.output))
    from mojodex_engine.workspace import Workspace

    if any(a.files for a in definition.artifacts):
        kept_texts: list[str] = []
        dropped_texts: list[str] = []
        for step in plan:
            artifact = definition.artifact(step.step.output)
            if artifact is not None and artifact.files:
                own = [r for r in all_records if r.get("index") == step.ordinal]
                (kept_texts if step.ordinal < item.ordinal else dropped_texts).append(step_text(step, own))
        store.defer(Workspace(store.path).go_back, kept_texts, dropped_texts)
    store.save()
    return item


def _remove(path: Any) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
