"""What Tab offers of local workflows: their names after ``workflow run`` and ``workflow show-definition``, the
local runs after ``workflow resume``, ``workflow show`` and ``workflow rewind``. Files only; loaded through
``mojodex_completions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mojodex_core import Context

PREFIX = "local/"


def local_completions(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    from mojodex_engine.definitions import find_definitions
    from mojodex_engine.storage import list_runs

    found, _ = find_definitions(ctx.home)  # a broken definition is `workflow list`'s to report, not Tab's
    runs = list_runs(ctx.home)
    going_on = [(r.run_id, f"{PREFIX}{r.workflow} {r.status}") for r in runs if r.status not in ("done", "broken")]
    return {
        "workflow run": [(PREFIX + ref, f"{d.icon} {d.name}".strip()) for ref, d in found.items()],
        "workflow show-definition": [(ref, d.name) for ref, d in found.items()],
        "workflow resume": going_on,
        "workflow show": [(r.run_id, f"{PREFIX}{r.workflow} {r.status}") for r in runs],
        "workflow rewind": [(r.run_id, f"{PREFIX}{r.workflow} {r.status}") for r in runs if r.step_number > 1
                            or r.status == "done"],
    }
