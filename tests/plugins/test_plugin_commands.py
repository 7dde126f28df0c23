"""The `plugins` commands in this process: disable and enable a plugin, and what `plugins uninstall` refuses."""

from __future__ import annotations

import re
import sys

import pytest

HELLO = """
from mojodex_core import hookimpl


@hookimpl
def mojodex_register_commands(register):
    register("hello", lambda ctx, args: ctx.print("Hello"), help="Say hello")
"""


def test_a_disabled_plugin_is_listed_and_never_imported_until_enabled(plugin_dir, mojodex_cli, mojodex_home):
    module = plugin_dir.add("hello", HELLO)

    assert mojodex_cli("plugins", "disable", "hello").out.startswith("Disabled hello")
    del sys.modules[module]  # imported by that first start; the next starts must not import it
    result = mojodex_cli("hello")

    assert result.status != 0 and "unknown command 'hello'" in result.err
    assert re.search(r"^hello +0\.1 +mojodex-test-hello +disabled$", mojodex_cli("plugins").out, re.M)
    assert module not in sys.modules
    assert 'disabled = [\n    "hello",\n]' in (mojodex_home / "config.toml").read_text()

    assert mojodex_cli("plugins", "enable", "hello").out == "Enabled hello.\n"
    assert mojodex_cli("hello").out == "Hello\n"


@pytest.mark.parametrize("name", ["httpx", "mojodex-no-such-plugin"])
def test_uninstall_refuses_what_is_not_a_plugin_and_never_runs_pip(mojodex_shell, monkeypatch, name):
    # The shell's own dependency, or a typo (pip would say "Skipping" and exit 0): pip must not even start.
    import mojodex_plugins

    async def no_pip(ctx, *args):
        raise AssertionError(f"pip ran: {args}")

    monkeypatch.setattr(mojodex_plugins, "_pip", no_pip)
    shell = mojodex_shell(builtins=["plugins"])

    out = shell.run(f"plugins uninstall {name}")

    assert out == (f"error: no plugin or plugin distribution named '{name}' (`plugins` lists them); "
                   "`plugins uninstall` removes plugins only\n")
    assert shell.status != 0


def test_uninstall_refuses_a_built_in_plugin(mojodex_shell):
    shell = mojodex_shell(builtins=["plugins", "workflow"])

    out = shell.run("plugins uninstall workflow")

    assert out == ("error: workflow is built in: it can be disabled (`plugins disable workflow`), "
                   "not uninstalled\n")
    assert shell.status != 0
