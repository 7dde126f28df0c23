"""`mojodex help` stays a quick command: the built-in plugins load without the event loop, the HTTP client or
the prompt (a plugin that imports one of them at load time makes every one-shot command slower)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("asyncio", "httpx", "prompt_toolkit", "socketio")
PROBE = ("import sys; from mojodex_core._cli import main; status = main(['help']); "
         f"print('loaded:', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")


def test_help_imports_no_event_loop_http_client_or_prompt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOJODEX_")}
    env["MOJODEX_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "task list" in proc.stdout  # the help was printed, from every built-in plugin
    assert proc.stderr.strip().splitlines()[-1] == "loaded: []"
