"""`server.api = "auto"`: a create refused for its method tells the shell the server is of the other generation.

The specification's server creates a run with POST and the 2024 backend with PUT (protocol.md). When detection
guessed wrong (a 2024 server that does not list /user_task looks like a specification server; a dialect cached for
a server that was replaced), the create is refused (405, or the backend's "Missing parameter :
'user_workflow_execution_pk'") without creating anything: the shell switches and creates exactly one run.
"""

from __future__ import annotations

import json

import pytest
from workflow_helpers import EXECUTION_PATH, requests

INPUTS = ("--input", "poem_topic=Spring", "--input", "n_stanzas=1")
CREATE = {"spec": "POST", "mojodex-2024": "PUT"}


def creates(srv):
    return [r.method for r in requests(srv, path=EXECUTION_PATH) if r.json and "user_workflow_pk" in r.json]


def executions(srv):
    """The pks of every execution the server holds."""
    return srv.call(lambda: [pk for pk in range(1, 100) if srv.server.store.tasks.execution(pk) is not None])


def run_to_the_end(srv, one_shot):
    ref = str(srv.call(srv.server.demo_workflow_ref))
    proc = one_shot(srv, "workflow", "run", ref, *INPUTS, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("Run finished.")
    return int(ref)


def cached_api(home, srv):
    return json.loads((home / "credentials").read_text())["servers"][srv.url]["api"]


@pytest.mark.parametrize("refusal", [405, 400])
def test_a_2024_server_that_does_not_list_user_task_is_found_out_by_its_create(refusal, start_server_thread,
                                                                                 one_shot, mojodex_home):
    srv = start_server_thread(api="mojodex-2024", first_pk=41)
    srv.call(srv.server.faults.fail_next, "/user_task", 404, 10)  # detection takes it for a specification server
    if refusal == 405:
        srv.call(srv.server.faults.fail_next, EXECUTION_PATH, 405)
    run_to_the_end(srv, one_shot)
    assert creates(srv) == ["POST", "PUT"]  # the specification's create, refused, then the backend's
    assert executions(srv) == [41]  # exactly one execution was created
    assert cached_api(mojodex_home, srv) == "mojodex-2024"


@pytest.mark.parametrize("refusal", [405, 400])
def test_a_specification_server_cached_as_2024_is_found_out_by_its_create(refusal, start_server_thread, one_shot,
                                                                           mojodex_home):
    from mojodex_core._credentials import CredentialStore

    srv = start_server_thread(api="spec", first_pk=51)
    CredentialStore(mojodex_home / "credentials").save_api(srv.url, "mojodex-2024")  # a server replaced since
    if refusal == 405:
        srv.call(srv.server.faults.fail_next, EXECUTION_PATH, 405)
    run_to_the_end(srv, one_shot)
    assert creates(srv) == ["PUT", "POST"]
    assert executions(srv) == [51]
    assert cached_api(mojodex_home, srv) == "spec"
