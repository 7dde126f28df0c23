"""A fresh virtualenv for the end-to-end plugin tests, and the wheels that go into it.

The project is built into a wheel and installed in the new virtualenv, whose ``mojodex`` script is the real
one. Its dependencies (pip among them) are not downloaded again: a ``.pth`` file points at a folder of links
to those of the virtualenv running the tests, the project's own files left out. A full ``pip install`` of
the project with its dependencies from the index took ~38 s here; this virtualenv takes ~2 s, and the two
wheels (built at once, their build requirements downloaded once) 8 to 25 s with the machine's load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mojodex-transcript"
# Left out of the copy the project's wheel is built from (its tests, caches, other distributions).
NOT_BUILT = shutil.ignore_patterns(".git", ".venv", "__pycache__", "build", "dist", "*.egg-info", ".*_cache",
                                   "tests", "bench", "docs", "examples", ".ci")


def run(args: list[str | Path], timeout: float = 120, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> str:
    """Run a command; its output, or an AssertionError that shows it."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def build_wheels(sources: dict[str, Path], work: Path, timeout: float = 120) -> dict[str, Path]:
    """``pip wheel --no-deps`` of a copy of each source (a build writes into its folder), all at once.

    ``sources`` maps a distribution name to its folder; returns the distribution name -> its wheel. The
    build requirements are downloaded once, then each build installs them from that folder.
    """
    import tomllib

    requires: set[str] = set()
    for src in sources.values():
        requires.update(tomllib.loads((src / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"])
    found = work / "build-requirements"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "download", "--dest", found, *sorted(requires)], timeout=timeout)
    out = work / "wheels"
    builds = {}
    for dist, source in sources.items():
        copy = work / f"src-{dist}"
        shutil.copytree(source, copy, ignore=NOT_BUILT)
        args = [*pip, "wheel", "--no-deps", "--no-index", "--find-links", str(found), "-w", str(out), str(copy)]
        builds[dist] = (args, subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                               stderr=subprocess.STDOUT, text=True))
    for args, proc in builds.values():
        output, _ = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{output}")
    return {dist: next(out.glob(f"{dist.replace('-', '_')}-*.whl")) for dist in sources}


@dataclass
class Venv:
    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def mojodex(self) -> Path:
        return self.bin / "mojodex"

    @property
    def site_packages(self) -> Path:
        return self.path / Path(sysconfig.get_paths()["purelib"]).relative_to(sys.prefix)


def shared_dependencies(folder: Path) -> Path:
    """Links to every distribution installed beside the tests, except the project's own files."""
    folder.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        name = entry.name
        if name.endswith(".pth") or name.startswith(("mojodex", "__editable__", "__pycache__")):
            continue
        os.symlink(entry, folder / name)
    return folder


def make_venv(path: Path, project_wheel: Path) -> Venv:
    """A new virtualenv with the project's wheel installed (no download: dependencies are shared)."""
    run([sys.executable, "-m", "venv", "--without-pip", path])
    venv = Venv(path)
    deps = shared_dependencies(path.parent / f"{path.name}-shared-deps")
    (venv.site_packages / "shared_deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    run([venv.python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
         project_wheel])
    return venv
