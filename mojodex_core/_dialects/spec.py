"""The ``spec`` dialect: the routes and payloads of the user's specification (design.mpt).

``/user_workflow`` lists, ``POST /user_workflow_execution`` creates a run, ``PUT`` submits its inputs, ``GET``
reads it back; a step is validated with ``POST /user_workflow_step_execution``. Rejecting sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mojodex_core._dialects import _payloads as p
from mojodex_core._dialects._base import Capabilities, Dialect
from mojodex_core._events import InputSpec, RunInfo, WorkflowInfo
from mojodex_core._inputs import coerce

EXECUTION = "/user_workflow_execution"


class SpecDialect(Dialect):
    name = "spec"
    can = Capabilities(inputs_listed=True)
    create_method, submit_method = "POST", "PUT"

    async def list_workflows(self) -> list[WorkflowInfo]:
        # The first page is the server's default page (50 from 0): the specification's request, as written.
        items = await self.pages("/user_workflow", "user_workflows", "n_user_workflows",
                                 {"version": self.version}, "workflow list", first_plain=True)
        return self.remember(p.workflow(item, pk_key="user_workflow_pk", name_key="name", icon_key="icon",
                                        description_key="description") for item in items)

    async def create_run(self, ref: str) -> RunInfo:
        typed = await self._inputs_spec(ref)
        data = await self.http.request(self.create_method, EXECUTION, what="a new run",
                                       json={"user_workflow_pk": int(ref) if ref.isdigit() else ref})
        run = self.run(data)
        run.ref = ref
        run.inputs = _typed(run.inputs, typed)
        return run

    async def _inputs_spec(self, ref: str) -> dict[str, InputSpec]:
        """The workflow's ``inputs_spec`` (types, defaults), from the list; empty if it cannot be read."""
        info = await self.workflow(ref)  # without a list, no types: whole numbers are still sent as numbers
        return {s.name: s for s in p.inputs(info.data.get("inputs_spec") if info else None)}

    async def start_run(self, run: RunInfo, values: dict[str, Any], files: dict[str, list[Path]]) -> dict[str, Any]:
        types = {i.name: i.type for i in run.inputs}
        json_inputs = [{"input_name": name, "value": coerce(name, value, types.get(name, "")) if isinstance(value, str)
                        else value} for name, value in values.items()]
        await self.http.request(self.submit_method, EXECUTION, what="an answer to the inputs",
                                json={self.run_key: run.pk, "json_inputs": json_inputs})
        return {i["input_name"]: i["value"] for i in json_inputs}

    async def read_run(self, run_pk: int | str) -> RunInfo:
        data = await self.http.request("GET", EXECUTION, params={self.run_key: run_pk}, what="a run")
        return self.run(data, run_pk)

    def run(self, data: Any, fallback: int | str | None = None) -> RunInfo:
        """A run's JSON (the create answer, or a GET) as a RunInfo."""
        run_pk, session_id = p.require_session(data, self.run_key, fallback)
        values = {}
        for item in p.as_list(data.get("inputs")):
            if isinstance(item, dict) and p.text(item.get("input_name")):
                values[p.text(item.get("input_name"))] = item.get("value")
        return RunInfo(
            pk=run_pk, session_id=session_id, name=p.text(data.get("workflow_name")), kind="workflow",
            ref=str(p.pk(data.get("user_workflow_fk")) or ""), inputs=p.inputs(data.get("inputs")), values=values,
            step_names=p.step_names(data.get("steps")), steps=p.steps(data, session_id, run_pk), raw=data,
        )


def _typed(inputs: list[InputSpec], spec: dict[str, InputSpec]) -> list[InputSpec]:
    """The run's inputs with the types and defaults its workflow's ``inputs_spec`` gives."""
    if not inputs:
        return list(spec.values())
    out = []
    for i in inputs:
        s = spec.get(i.name)
        out.append(i if s is None else InputSpec(i.name, s.type or i.type, s.description or i.description,
                                                 i.default if i.default is not None else s.default, s.choices))
    return out

