"""What the workflow tests need to know of each dialect of the reference server (a uniquely named module)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mojodex_core import DIALECTS as DIALECTS  # the registry's names, for the tests that import them from here


@dataclass(frozen=True)
class Played:
    """A reference server playing one dialect, and what a user sees of its Write poem workflow."""

    srv: Any
    api: str
    ref: str  # what `workflow run` takes
    first: str  # the first step's name, as shown
    second: str

    @property
    def rejects_with_instruction(self) -> bool:
        return self.api != "spec"

    @property
    def is_04(self) -> bool:
        return self.api == "mojodex-0.4"

    def run_path(self) -> tuple[str, str]:
        """(method, path) of the request that starts a run with its inputs."""
        return {"spec": ("PUT", "/user_workflow_execution"), "mojodex-2024": ("POST", "/user_workflow_execution"),
                "mojodex-0.4": ("POST", "/user_task_execution_run")}[self.api]

    def add_workflow(self, *args: Any, **kwargs: Any) -> str:
        return str(self.srv.call(self.srv.server.add_workflow, *args, **kwargs))


def play(start_server_thread: Any, api: str, **kwargs: Any) -> Played:
    srv = start_server_thread(api=api, **kwargs)
    ref = str(srv.call(srv.server.demo_workflow_ref))
    if api == "mojodex-0.4":
        return Played(srv, api, ref, "Stanza topics", "Write stanza")
    return Played(srv, api, ref, "stanza_divider", "stanza_writer")
