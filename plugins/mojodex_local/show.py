"""``workflow show RUN`` of a local run: its inputs, each step with its conversation and result, its artifacts
and tokens, read from the run's directory (nothing is run, nothing changes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mojodex_core import input_text, one_line, result_lines

if TYPE_CHECKING:
    from mojodex_core import Context

PREFIX = "local/"


def show_run(ctx: Context, store: Any, *, json_mode: bool) -> int:
    document = run_document(store)
    if json_mode:
        ctx.print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    with ctx.paged():
        _print(ctx, document)
    return 0


def run_document(store: Any) -> dict[str, Any]:
    """The run as JSON: what `workflow show` prints."""
    from mojodex_engine.product import output_text, outputs, run_title
    from mojodex_engine.storage import artifact_filename
    from mojodex_engine.streaming import shown_text

    definition = store.definition()
    st = store.state
    accepted: dict[int, list[dict[str, Any]]] = {}
    for step in st.steps:
        accepted.setdefault(int(step.get("index", -1)), []).append(step)
    steps = []
    for item in definition.plan():
        done = accepted.get(item.ordinal, [])
        if st.status == "done" or item.ordinal < st.ordinal:
            state = "validated"
        elif item.ordinal > st.ordinal:
            state = "not run yet"
        elif st.pending is not None:
            state = "waiting for validation"
        elif st.messages or done:
            state = "in progress"
        else:
            state = "next"
        messages = [{"role": e.get("role"), "text": shown_text(str(e.get("text", ""))), "attempt": e.get("attempt"),
                     "fan": e.get("fan")} for e in st.log if e.get("ordinal") == item.ordinal]
        steps.append({
            "step_name": item.step.name, "kind": item.step.kind, "phase": item.phase.name, "state": state,
            "output": item.step.output, "executions": [
                {"execution_id": s.get("execution_id"), "attempts": s.get("attempts"), "cut": bool(s.get("cut")),
                 "usage": s.get("usage"), "result": s.get("result"), "fan_index": s.get("fan_index")} for s in done],
            "pending": st.pending.get("result") if state == "waiting for validation" and st.pending else None,
            "messages": messages,
        })
    return {
        "run_id": st.run_id, "source": "local", "workflow": st.workflow_name, "ref": f"{PREFIX}{st.workflow}",
        "title": run_title(definition, st.inputs), "status": st.status, "error": st.error,
        "pause": st.pause or None, "created": st.created, "updated": st.updated, "inputs": dict(st.inputs),
        "model": st.model, "usage": dict(st.usage), "budget": st.budget or None, "steps": steps,
        "artifacts": [{"name": name, "final": name in definition.final,
                       "path": str(store.path / artifact_filename(name)),
                       "text": output_text(definition, st, name)} for name in outputs(definition, st)],
        "path": str(store.path),
    }


def _print(ctx: Context, doc: dict[str, Any]) -> None:
    ctx.print(f"Run {doc['run_id']}: {doc['workflow']} ({doc['ref']}) - {doc['title']}")
    usage = doc["usage"] or {}
    status = doc["status"] + (f": {doc['error']}" if doc.get("error") else "")
    if doc.get("pause") == "budget":
        status += " (at its token budget)"
    tokens = f"{usage.get('total_tokens', 0)} tokens ({usage.get('prompt_tokens', 0)} in, " \
             f"{usage.get('completion_tokens', 0)} out)"
    budget = f" of a budget of {doc['budget']}" if doc.get("budget") else ""
    ctx.print(f"  {status}; model {doc['model'] or '-'}; {tokens}{budget}")
    for name, value in doc["inputs"].items():
        ctx.print(f"  {name} = {input_text(value)}")
    for step in doc["steps"]:
        ctx.print(f"Step {step['step_name']} ({step['phase']}): {step['state']}")
        last = None
        for message in step["messages"]:
            key = (message["fan"], message["attempt"])
            if key != last and (message["fan"] is not None or (message["attempt"] or 1) > 1):
                entry = f"entry {message['fan'] + 1}" if message["fan"] is not None else ""
                attempt = f"attempt {message['attempt']}" if (message["attempt"] or 1) > 1 else ""
                ctx.print(f"  ({', '.join(p for p in (entry, attempt) if p)})")
            last = key
            lines = message["text"].strip().splitlines() or [""]
            role = message["role"] or ""
            first = lines[0] if step["kind"] == "conversation" else f"{role}: {lines[0]}"
            ctx.print(f"  {first}")
            for line in lines[1:]:
                ctx.print(f"    {line}")
        for line in result_lines(step["pending"])[1:] if step["pending"] is not None else []:
            ctx.print(f"  {line}")  # the result that waits for its validation
        for execution in step["executions"]:
            usage = execution.get("usage") or {}
            cut = ", cut at the turn limit" if execution["cut"] else ""
            attempts = execution.get("attempts") or 1
            ctx.print(f"  validated after {attempts} attempt{'s' if attempts != 1 else ''}, "
                      f"{usage.get('total_tokens', 0)} tokens{cut}")
    for artifact in doc["artifacts"]:
        mark = " (final)" if artifact["final"] else ""
        ctx.print(f"Artifact {artifact['name']}{mark}: {one_line(artifact['path'], 300)}")
    ctx.print(f"Files: {one_line(doc['path'], 300)}")
