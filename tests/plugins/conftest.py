"""Fixtures of the plugin-ecosystem tests: plugins made on the fly as installed distributions, and the real
``mojodex`` command line run in this process (``cli.main``), so that a test sees what a user would."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


class PluginDir:
    """A folder on ``sys.path`` holding distributions as pip leaves them: a module and a ``*.dist-info``.

    Module names get a unique suffix, so that no test sees a module another test imported.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.modules: list[str] = []
        self.suffix = uuid.uuid4().hex[:8]

    def module_name(self, name: str) -> str:
        return f"mojodex_t_{name.replace('-', '_')}_{self.suffix}"

    def add(self, name: str, source: str = "", *, dist: str | None = None, package: str = "",
            attr: str = "") -> str:
        """Add plugin ``name`` (entry point ``name = module[:attr]``) whose module holds ``source``.

        ``package`` puts the module in that package (made unique, and shared by the plugins that name it).
        Returns the module's full name.
        """
        module = self.module_name(name)
        folder = self.path
        if package:
            folder = self.path / self.module_name(package)
            folder.mkdir(exist_ok=True)
            (folder / "__init__.py").touch()
            module = f"{folder.name}.{name}"
        (folder / f"{module.rpartition('.')[2]}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        dist = dist or f"mojodex-test-{name}"
        info = self.path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
        with (info / "entry_points.txt").open("a", encoding="utf-8") as f:
            if f.tell() == 0:
                f.write("[mojodex]\n")
            f.write(f"{name} = {module}{':' + attr if attr else ''}\n")
        self.modules.append(module)
        importlib.invalidate_caches()
        return module


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginDir]:
    """Plugins made for this test, found by discovery as installed ones; forgotten afterwards."""
    site = PluginDir(tmp_path / "site")
    site.path.mkdir()
    monkeypatch.syspath_prepend(str(site.path))
    yield site
    for name in list(sys.modules):
        if site.suffix in name:
            del sys.modules[name]


@dataclass
class Result:
    status: int
    out: str
    err: str


@pytest.fixture
def mojodex_cli(capsys: pytest.CaptureFixture[str], mojodex_home: Path) -> Callable[..., Result]:
    """``mojodex_cli("plugins", "list")``: the real command line, in this process, with the test's own home
    (``MOJODEX_HOME``). No traceback may show."""
    from mojodex_core._cli import main

    def run(*args: str) -> Result:
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, out + err
        return Result(status, out, err)

    return run
