"""How fast `mojodex` starts: medians of N runs, against the targets of the core issue.

    .venv/bin/python bench/startup.py [--runs 15] [--check]

Measures `python -c pass` (the floor), `mojodex --version`, the one-shot `mojodex help`, and the time until the
`mojodex>` prompt appears in a pseudo-terminal with saved credentials (no server is needed for the prompt).
Each run uses a throwaway MOJODEX_HOME; one untimed run first fills the plugin cache, as on a user's machine.
The "cpu" column is the median CPU time (user + system) of the child: on a busy machine it moves much less
than the wall-clock times the targets are about. With --check the exit status is 1 when a target is missed.
--disable NAME,... measures without some plugins (disabled in the throwaway config, so never imported), to see
what they cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGETS = {"mojodex --version": 0.06, "mojodex help": 0.15, "prompt appears": 0.35}


def _executable() -> str:
    found = shutil.which("mojodex", path=str(Path(sys.executable).parent)) or shutil.which("mojodex")
    if found is None:
        sys.exit("no `mojodex` script found: run this with the project's virtualenv (.venv/bin/python)")
    return found


def _free_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _env(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PROMPT_TOOLKIT_"))}
    env.update(MOJODEX_HOME=str(home), MOJODEX_SERVER_URL=url, TERM="xterm", NO_COLOR="1")
    return env


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def _prompt(exe: str, env: dict[str, str]) -> float:
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(exe, [], env=env, dimensions=(24, 120), timeout=10)
    try:
        child.expect(b"mojodex>")
        elapsed = time.perf_counter() - start
        child.send(b"exit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    if b"Username:" in (child.before or b""):
        sys.exit("the shell asked to log in: the saved credentials were not used")
    return elapsed


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, disabled: list[str]) -> list[tuple[str, list[float], list[float]]]:
    exe = _executable()
    url = _free_url()
    with tempfile.TemporaryDirectory(prefix="mojodex-bench-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir(mode=0o700)
        creds = {"servers": {url: {"token": "bench-token", "name": "Bench", "email": "bench@example.com"}}}
        (home / "credentials").write_text(json.dumps(creds))
        os.chmod(home / "credentials", 0o600)
        if disabled:
            (home / "config.toml").write_text(f"[plugins]\ndisabled = {json.dumps(disabled)}\n")
        env = _env(home, url)
        cases: list[tuple[str, Callable[[], float]]] = [
            ("python -c pass", lambda: _run([sys.executable, "-c", "pass"], env)),
            ("mojodex --version", lambda: _run([exe, "--version"], env)),
            ("mojodex help", lambda: _run([exe, "help"], env)),
            ("prompt appears", lambda: _prompt(exe, env)),
        ]
        _run([exe, "help"], env)  # fills the plugin cache, as any earlier start would have
        results: list[tuple[str, list[float], list[float]]] = [(name, [], []) for name, _ in cases]
        for _ in range(runs):  # interleaved, so that a slow moment of the machine spreads over all cases
            for (_, times, cpu), (_, case) in zip(results, cases, strict=True):
                before = _cpu()
                times.append(case())
                cpu.append(_cpu() - before)
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each measure (default 15)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--disable", default="", metavar="NAME,...", help="plugins to disable while measuring")
    args = parser.parse_args(argv)

    disabled = [name.strip() for name in args.disable.split(",") if name.strip()]
    results = measure(max(args.runs, 1), disabled)
    missed = 0
    without = f", without {', '.join(disabled)}" if disabled else ""
    print(f"{'measure':<20} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8} {'target':>8}  result   "
          f"({args.runs} runs, {os.cpu_count()} CPUs{without})")
    for name, times, cpu in results:
        median = statistics.median(times)
        target = TARGETS.get(name)
        verdict = "-" if target is None else ("pass" if median <= target else "FAIL")
        missed += verdict == "FAIL"
        target_text = f"{target:.3f}" if target is not None else "-"
        print(f"{name:<20} {median:>8.3f} {min(times):>8.3f} {max(times):>8.3f} {statistics.median(cpu):>8.3f} "
              f"{target_text:>8}  {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
