"""Servers that send no end event: a quiet period ends a run only when no step is due any more.

On a loaded machine (or a slow model) the next step may take longer than ``workflow.end_grace_seconds``: the
steps and their fan-out say it is coming, so the run must go on to its end.
"""

from __future__ import annotations

import pytest
from workflow_helpers import step_executions

INPUTS = ("--input", "poem_topic=Spring", "--input", "n_stanzas=2")
QUIET = '[workflow]\nend_grace_seconds = 0.1\nstep_timeout_seconds = 30\n[plugins]\ndisabled = ["local"]\n'


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_a_step_slower_than_the_grace_period_is_not_the_end_of_the_run(api, start_server_thread, one_shot):
    srv = start_server_thread(api=api, end_event=False, start_delay=0.4, first_pk=31)
    ref = str(srv.call(srv.server.demo_workflow_ref))
    proc = one_shot(srv, "workflow", "run", ref, *INPUTS, "--yes", config=QUIET)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Two stanza topics: the divider and two writers ran, each started after a pause of four grace periods.
    assert proc.stdout.count("ended") == 3, proc.stdout
    assert proc.stdout.rstrip().endswith("Run finished.")
    steps = step_executions(srv, 31)
    assert [s["step_name"] for s in steps] == ["stanza_divider", "stanza_writer", "stanza_writer"]
