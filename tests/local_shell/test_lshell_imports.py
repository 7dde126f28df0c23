"""The openai SDK is imported only when a local run starts on it: never by `help` nor by `workflow list`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .local_shell_helpers import LLMThread, llm_config, model_env, write_config

PROBE = (
    "import sys\n"
    "from mojodex_core._cli import main\n"
    "status = main(sys.argv[1:])\n"
    "print('openai imported:', 'openai' in sys.modules, 'status:', status)\n"
)


def _probe(home: Path, server_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``mojodex ARGS`` through ``main`` in a fresh interpreter with no terminal; it prints whether openai got in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PROMPT_TOOLKIT_"))}
    env.update(MOJODEX_HOME=str(home), HOME=str(home.parent), MOJODEX_SERVER_URL=server_url, NO_COLOR="1",
               **model_env())
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=str(home.parent),
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


@pytest.mark.parametrize("args", [["help"], ["workflow", "list"], ["workflow", "list", "--json"],
                                  ["workflow", "runs"], ["workflow", "show-definition", "software-company"]])
def test_commands_that_run_no_model_do_not_import_openai(
    mojodex_home: Path, unreachable_url: str, start_llm: Callable[..., LLMThread], args: list[str]
) -> None:
    llm = start_llm()
    write_config(mojodex_home, llm_config(llm.base_url))  # a model is configured, and still not imported
    proc = _probe(mojodex_home, unreachable_url, *args)
    # the server source fails: the list is incomplete
    status = 1 if args[:2] in (["workflow", "list"], ["workflow", "runs"]) else 0
    assert proc.stdout.rstrip().endswith(f"openai imported: False status: {status}"), proc.stdout + proc.stderr
    assert llm.requests == []


def test_a_local_run_on_an_openai_endpoint_does_import_it(
    mojodex_home: Path, unreachable_url: str, start_llm: Callable[..., LLMThread]
) -> None:
    """The probe can tell: a run that uses the SDK shows up as imported."""
    llm = start_llm(reply_fn=lambda body: "a line")
    write_config(mojodex_home, llm_config(llm.base_url))
    proc = _probe(mojodex_home, unreachable_url, "workflow", "run", "write-poem", "--input", "poem_topic=Sea",
                  "--input", "n_stanzas=1", "--yes")
    assert proc.stdout.rstrip().endswith("openai imported: True status: 0"), proc.stdout + proc.stderr
    assert len(llm.requests) == 3  # preflight, the stanza plan, one stanza
