"""Startup as plugins pile up: `mojodex help` one-shot with 0 and with 20 extra installed plugins, in one run.

The 20 plugins are generated distributions (a module and a ``*.dist-info`` with ``entry_points.txt``) in a
temporary folder put on ``PYTHONPATH``, so ``importlib.metadata`` finds them as it finds installed ones. Each
registers a command and a step hook, and imports a heavy library inside its handler, as docs/plugins.md
tells authors to. Runs alternate between the set-ups; medians are reported. Discovery is measured too,
with its cache (``plugin-cache.json``) and with the cache deleted before every run.

Target: 20 plugins add <= 15 % to `mojodex help`.
Run: ``.venv/bin/python bench/plugins.py [--runs 21] [--plugins 20] [--mojodex PATH]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

TARGET = 0.15
# What each plugin's handler imports, lazily: none of these may be imported by `mojodex help`.
HEAVY = [
    "httpx",
    "decimal",
    "sqlite3",
    "email.mime.multipart",
    "xml.dom.minidom",
    "tarfile",
    "statistics",
    "difflib",
    "http.cookiejar",
    "pydoc",
]

PLUGIN = '''
"""Bench plugin {n}: one command and one step hook; the heavy import waits for the handler."""

from mojodex_core import hookimpl


def run(ctx, args):
    import {heavy}

    ctx.print("bench {n}:", {heavy}.__name__)


@hookimpl
def mojodex_register_commands(register):
    register("bench{n:02d}", run, help="Bench plugin {n}")


@hookimpl
def mojodex_step_ended(step):
    pass
'''


def make_plugins(folder: Path, count: int) -> None:
    """``count`` distributions ``mojodex-bench-NN``, as ``pip install`` would leave them in a site dir."""
    for n in range(count):
        module = f"mojodex_bench_{n:02d}"
        heavy = HEAVY[n % len(HEAVY)]
        (folder / f"{module}.py").write_text(textwrap.dedent(PLUGIN.format(n=n, heavy=heavy)), encoding="utf-8")
        info = folder / f"mojodex_bench_{n:02d}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: mojodex-bench-{n:02d}\nVersion: 0.1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[mojodex]\nbench{n:02d} = {module}\n", encoding="utf-8")


class Setup:
    """One way to start `mojodex help`: a home of its own, maybe extra plugins, maybe no discovery cache."""

    def __init__(self, name: str, mojodex: str, home: Path, site: Path | None, cache: bool) -> None:
        self.name, self.mojodex, self.home, self.cache = name, mojodex, home, cache
        home.mkdir(mode=0o700)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("MOJODEX_", "PYTHON"))}
        self.env["MOJODEX_HOME"] = str(home)
        if site is not None:
            self.env["PYTHONPATH"] = str(site)
        self.times: list[float] = []  # wall clock
        self.cpu: list[float] = []  # user + system time: what other work on the machine leaves alone

    def run(self) -> None:
        if not self.cache:
            (self.home / "plugin-cache.json").unlink(missing_ok=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            [self.mojodex, "help"], env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
        self.times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0 or proc.stderr:
            raise SystemExit(f"{self.name}: `mojodex help` failed ({proc.returncode}): {proc.stderr.strip()}")

    def check(self, count: int) -> None:
        """The plugins' commands are listed, and no heavy library was imported to list them."""
        probe = (
            "import sys; from mojodex_core._cli import main; main(['help']); "
            f"print('HEAVY', *[m for m in {HEAVY!r} if m in sys.modules])"
        )
        python = str(Path(self.mojodex).with_name("python"))
        out = subprocess.run(
            [python, "-c", probe], env=self.env, capture_output=True, text=True, timeout=60, cwd=self.home
        ).stdout
        listed = sum(f"  bench{n:02d} " in out for n in range(count))
        heavy = out.rsplit("HEAVY", 1)[-1].split()
        if listed != count or heavy:
            raise SystemExit(f"{self.name}: {listed} of {count} bench commands listed; imported: {heavy}")


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each set-up (default 21)")
    parser.add_argument("--plugins", type=int, default=20, help="extra plugins (default 20)")
    parser.add_argument(
        "--mojodex",
        default=shutil.which("mojodex", path=str(Path(sys.executable).parent)),
        help="the mojodex console script (default: the one beside this Python)",
    )
    ns = parser.parse_args()
    if not ns.mojodex:
        parser.error("no mojodex script found: pass --mojodex")

    with tempfile.TemporaryDirectory(prefix="mojodex-bench-") as tmp:
        root = Path(tmp)
        site = root / "site"
        site.mkdir()
        make_plugins(site, ns.plugins)
        setups = [
            Setup("0 extra plugins", ns.mojodex, root / "home-0", None, cache=True),
            Setup(f"{ns.plugins} extra plugins", ns.mojodex, root / "home-n", site, cache=True),
            Setup("0 extra, no cache", ns.mojodex, root / "home-0-nc", None, cache=False),
            Setup(f"{ns.plugins} extra, no cache", ns.mojodex, root / "home-n-nc", site, cache=False),
        ]
        setups[1].check(ns.plugins)
        for setup in setups:  # warm up: bytecode written, caches made, files in the page cache
            setup.run()
            setup.run()
            setup.times.clear()
            setup.cpu.clear()
        for _ in range(ns.runs):
            for setup in setups:
                setup.run()

    print(f"`mojodex help` one-shot, median of {ns.runs} runs ({ns.mojodex}):")
    print(f"  {'':<26} {'wall':>9} {'cpu':>9}")
    for setup in setups:
        print(f"  {setup.name:<26} {median_ms(setup.times):6.1f} ms {median_ms(setup.cpu):6.1f} ms")
    met = True
    for label, what in (("wall", "times"), ("cpu", "cpu")):
        base, loaded, base_nc, loaded_nc = (median_ms(getattr(s, what)) for s in setups)
        overhead = loaded / base - 1
        met = overhead <= TARGET  # the last one, CPU time, decides: wall time swings with the machine's load
        print(
            f"{label}: {ns.plugins} plugins add {loaded - base:+.1f} ms ({overhead:+.1%}, target <= +{TARGET:.0%}); "
            f"the discovery cache saves {base_nc - base:.1f} ms (0 extra), {loaded_nc - loaded:.1f} ms "
            f"({ns.plugins} extra)"
        )
    print(f"target {'met' if met else 'MISSED'} (on CPU time)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
