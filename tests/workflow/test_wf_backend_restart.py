"""A backend that restarts mid-run (every socket dropped, its state kept) costs the run nothing: the shell
reconnects, joins the run's room again, catches up over HTTP, and the run goes on to its end."""

from __future__ import annotations

from typing import Any

import pytest
from dialects import DIALECTS
from workflow_helpers import step_executions

from mojodex_server import offline_generator

INPUTS = ("--input", "poem_topic=Spring", "--input", "n_stanzas=2")


@pytest.mark.parametrize("api", DIALECTS)
def test_a_backend_restart_mid_run_costs_nothing(api, start_server_thread, one_shot):
    holder: dict[str, Any] = {}

    async def restart_during_the_first_stanza(step_name: str, parameter: dict[str, Any],
                                              instruction: str | None = None) -> list[dict[str, Any]]:
        server = holder["server"]
        if step_name == "stanza_writer" and not holder.get("restarted"):
            holder["restarted"] = True
            await server.restart()
            # The step ends once the shell is back in the run's room: on servers that list validated steps
            # only, the step's end is news that only the room hears.
            await server.wait_until(lambda: any(server.sockets.rooms.values()), 20)
        return await offline_generator(step_name, parameter, instruction)

    srv = start_server_thread(api=api, generator=restart_during_the_first_stanza)
    holder["server"] = srv.server
    ref = str(srv.call(srv.server.demo_workflow_ref))
    proc = one_shot(srv, "workflow", "run", ref, *INPUTS, "--yes", timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert holder.get("restarted")
    connects = [c for c in srv.call(lambda: list(srv.server.connections)) if c[0] == "connect"]
    assert len(connects) >= 2  # it came back after the restart
    assert proc.stdout.count("ended") == 3, proc.stdout  # the divider and two stanzas, each shown once
    assert proc.stdout.rstrip().endswith("Run finished.")
    if api != "mojodex-0.4":
        steps = step_executions(srv, int(ref))
        assert [s["step_name"] for s in steps] == ["stanza_divider", "stanza_writer", "stanza_writer"]
