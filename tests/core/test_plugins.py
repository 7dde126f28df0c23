"""Loading plugins in isolation: a broken one is one warning, a raising hook or command is one line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from mojodex_core._config import Config
from mojodex_core._context import ShellContext as Context
from mojodex_core._discovery import EntryPointInfo
from mojodex_core._plugins import PluginHost

GOOD = """
from mojodex_core import hookimpl

@hookimpl
def mojodex_register_commands(register):
    register("hello", lambda ctx, args: ctx.print("hello " + " ".join(args)), help="Say hello")

@hookimpl
def mojodex_toolbar(ctx):
    return "good"

@hookimpl
def mojodex_config_defaults():
    return {"good": {"greeting": "hi"}}
"""

RAISING_HOOKS = """
from mojodex_core import hookimpl

@hookimpl
def mojodex_toolbar(ctx):
    raise KeyError("no toolbar today")

@hookimpl
async def mojodex_startup(ctx):
    raise RuntimeError("cannot start")
"""


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Write plugin modules into a directory on sys.path; returns ``add(name, source) -> EntryPointInfo``."""
    root = tmp_path / "plugins"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    written = []

    def add(name: str, source: str, attr: str = "") -> EntryPointInfo:
        module = f"mojodex_unit_{name}_{tmp_path.name[-12:].replace('-', '_')}"
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        written.append(module)
        return EntryPointInfo(name, f"{module}:{attr}" if attr else module, f"mojodex-unit-{name}", "1.0")

    yield add
    for module in written:
        sys.modules.pop(module, None)


@pytest.fixture
def ctx(mojodex_home):
    return Context(Config.load(mojodex_home / "config.toml"), mojodex_home, interactive=False)


def host(ctx) -> tuple[PluginHost, list[str]]:
    warnings: list[str] = []
    plugins = PluginHost(warnings.append, lambda exc, where: None)
    ctx.hooks = plugins
    return plugins, warnings


def test_a_plugin_that_fails_to_import_is_one_warning_naming_it_and_the_others_load(ctx, modules):
    plugins, warnings = host(ctx)
    plugins.load_all([modules("broken", "import no_such_module_anywhere\n"), modules("good", GOOD)], [], ctx)
    assert warnings == ["plugin broken failed to load: ModuleNotFoundError: No module named "
                        "'no_such_module_anywhere'"]
    assert plugins.records["broken"].status == "broken"
    assert plugins.records["good"].status == "loaded"
    hello = plugins.registry.get("hello")
    assert hello is not None and hello.plugin == "good"


def test_a_missing_attribute_or_a_syntax_error_is_one_warning_too(ctx, modules):
    plugins, warnings = host(ctx)
    plugins.load_all([modules("noattr", GOOD, attr="Missing"), modules("syntax", "def (:\n")], [], ctx)
    assert len(warnings) == 2
    assert warnings[0].startswith("plugin noattr failed to load: AttributeError")
    assert warnings[1].startswith("plugin syntax failed to load: SyntaxError")


def test_a_plugin_that_does_not_fit_the_contract_is_refused_with_one_warning(ctx, modules):
    source = """
    from mojodex_core import hookimpl

    @hookimpl
    def mojodex_toolbar(ctx, no_such_argument):
        return "x"
    """
    plugins, warnings = host(ctx)
    plugins.load_all([modules("misfit", source)], [], ctx)
    assert len(warnings) == 1 and warnings[0].startswith("plugin misfit does not fit the plugin contract")
    assert plugins.records["misfit"].status == "broken"


def test_a_hook_that_raises_is_one_warning_and_the_other_plugins_still_answer(ctx, modules):
    plugins, warnings = host(ctx)
    plugins.load_all([modules("good", GOOD), modules("raising", RAISING_HOOKS)], [], ctx)
    assert plugins.call_sync("mojodex_toolbar", ctx=ctx) == ["good"]
    assert warnings == ["plugin raising failed in mojodex_toolbar: KeyError: 'no toolbar today'"]


async def test_an_async_hook_that_raises_is_one_warning(ctx, modules):
    plugins, warnings = host(ctx)
    plugins.load_all([modules("raising", RAISING_HOOKS)], [], ctx)
    assert await ctx.call_hook("mojodex_startup") == []
    assert warnings == ["plugin raising failed in mojodex_startup: RuntimeError: cannot start"]


def test_register_commands_raising_is_one_warning(ctx, modules):
    source = """
    from mojodex_core import hookimpl

    @hookimpl
    def mojodex_register_commands(register):
        register("early", lambda ctx, args: None)
        raise RuntimeError("half done")
    """
    plugins, warnings = host(ctx)
    plugins.load_all([modules("half", source)], [], ctx)
    assert warnings == ["plugin half failed in mojodex_register_commands: RuntimeError: half done"]
    assert plugins.registry.get("early") is not None


def test_plugin_config_defaults_become_known_keys(ctx, modules):
    plugins, _ = host(ctx)
    plugins.load_all([modules("good", GOOD)], [], ctx)
    assert ctx.config.get("good.greeting") == "hi"


def test_a_disabled_plugin_is_recorded_but_not_loaded(ctx, modules):
    plugins, warnings = host(ctx)
    info = modules("good", GOOD)
    plugins.load_all([info], ["good"], ctx)
    assert plugins.records["good"].status == "disabled"
    assert plugins.registry.get("hello") is None
    assert info.value not in sys.modules
    assert warnings == []


def test_plugins_load_builtins_first_so_a_builtin_keeps_its_name(ctx, modules):
    clash = """
    from mojodex_core import hookimpl

    @hookimpl
    def mojodex_register_commands(register):
        register("help", lambda ctx, args: None, help="An impostor")
    """
    plugins, warnings = host(ctx)
    builtin = EntryPointInfo("help", "mojodex_help", "mojodex", "0.1.0")
    plugins.load_all([modules("aaa", clash), builtin], [], ctx)
    help_cmd = plugins.registry.get("help")
    assert help_cmd is not None and help_cmd.plugin == "help"
    assert warnings == ["command 'help' of plugin aaa is ignored: plugin help registered it first "
                        "(built-in plugins load first, then the others by name)"]


# Run in a fresh interpreter so that nothing this test process imported can hide an import.
_CHECK_IMPORTS = """
import json, sys
from mojodex_core._cli import build_context
ctx, _ = build_context(["help"])
print(json.dumps({"imported": "mojodex_unit_never" in sys.modules,
                  "status": ctx.hooks.records["never"].status}))
"""


@pytest.mark.parametrize(("config", "imported", "status"),
                         [("", True, "loaded"), ('[plugins]\ndisabled = ["never"]\n', False, "disabled")])
def test_a_disabled_plugin_is_never_imported(plugin_site, mojodex_home, config, imported, status):
    plugin_site.add("never", GOOD, module="mojodex_unit_never")
    (mojodex_home / "config.toml").write_text(config)
    env = {"MOJODEX_HOME": str(mojodex_home), "PYTHONPATH": str(plugin_site.path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", _CHECK_IMPORTS], env=env, capture_output=True, text=True,
                          timeout=30, check=True)
    assert json.loads(proc.stdout) == {"imported": imported, "status": status}
