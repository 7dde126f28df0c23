"""A plugin that fails (at import, in a hook, in a command) or blocks the shell is named in one line, and the
shell and the other plugins go on. Two plugins wanting one name: a clear message says which wins and why."""

from __future__ import annotations

import re

from mojodex_core import hookimpl

HELLO = """
from mojodex_core import hookimpl


@hookimpl
def mojodex_register_commands(register):
    register("hello", lambda ctx, args: ctx.print("Hello from", __name__), help="Say hello")
"""


def test_a_plugin_that_fails_to_import_is_one_warning_and_the_others_load(plugin_dir, mojodex_cli):
    plugin_dir.add("broken", 'raise RuntimeError("broken on purpose")')
    hello = plugin_dir.add("hello", HELLO)

    result = mojodex_cli("hello")

    assert result.err == "warning: plugin broken failed to load: RuntimeError: broken on purpose\n"
    assert result.out == f"Hello from {hello}\n" and result.status == 0
    listing = mojodex_cli("plugins").out
    assert re.search(r"^broken +0\.1 +mojodex-test-broken +broken: failed to load: RuntimeError: broken on purpose$",
                     listing, re.M), listing


def test_a_plugin_that_calls_sys_exit_at_import_does_not_end_the_shell(plugin_dir, mojodex_cli):
    plugin_dir.add("quitter", "import sys\nsys.exit(3)")
    plugin_dir.add("hello", HELLO)

    result = mojodex_cli("hello")

    assert result.err == "warning: plugin quitter failed to load: SystemExit: 3\n"
    assert result.out.startswith("Hello from") and result.status == 0


def test_a_hook_that_raises_is_one_warning_and_the_command_still_runs(plugin_dir, mojodex_cli):
    plugin_dir.add("grumpy", """
        from mojodex_core import hookimpl


        @hookimpl
        def mojodex_startup(ctx):
            raise ValueError("not today")
    """)
    plugin_dir.add("hello", HELLO)

    result = mojodex_cli("hello")

    assert result.err == "warning: plugin grumpy failed in mojodex_startup: ValueError: not today\n"
    assert result.out.startswith("Hello from") and result.status == 0


def test_a_command_that_raises_is_one_error_line_and_the_shell_goes_on(mojodex_shell):
    class Boom:
        @hookimpl
        def mojodex_register_commands(self, register):
            register("boom", self.boom, help="Fail")

        def boom(self, ctx, args):
            raise RuntimeError("kaboom")

    shell = mojodex_shell(plugins={"boom": Boom()}, builtins=["help"])

    out = shell.run("boom")

    assert out == "error: command 'boom' (plugin boom) failed: RuntimeError: kaboom (run with --debug for details)\n"
    assert shell.status == 1
    assert "boom" in shell.run("help") and shell.status == 0


def test_a_step_hook_that_raises_during_a_run_is_one_warning_and_the_run_finishes(mojodex_shell, mojodex_server):
    class Fragile:
        @hookimpl
        def mojodex_step_ended(self, step):
            raise KeyError("no such key")

    shell = mojodex_shell(plugins={"fragile": Fragile()}, server=mojodex_server)

    out = shell.run("workflow run 1", answers=["Spring", "2", "y", "y", "y"])

    # Three steps ended: the same failure is warned about once (the debug log has every one).
    assert out.count("warning: plugin fragile failed in mojodex_step_ended: KeyError: 'no such key'") == 1, out
    # The kit's server speaks Mojodex 0.4: steps go by their display names.
    assert out.count("Step Write stanza ended") == 2 and "Run finished." in out and shell.status == 0


def test_a_plugin_that_blocks_the_event_loop_is_named(plugin_dir, mojodex_cli):
    # Two plugins in one package: the warning must name the one whose code held the loop.
    plugin_dir.add("nap", """
        import time

        from mojodex_core import hookimpl


        async def nap(ctx, args):
            time.sleep(1.5)  # blocks the whole shell: what the watchdog is for
            ctx.print("woke up")


        @hookimpl
        def mojodex_register_commands(register):
            register("nap", nap, help="Block the shell")
    """, package="sleepy")
    plugin_dir.add("zen", HELLO.replace('"hello"', '"zen"'), package="sleepy")

    result = mojodex_cli("nap")

    assert result.out == "woke up\n" and result.status == 0
    found = re.fullmatch(r"warning: plugin nap blocked the shell for (\d+\.\d) s \(in nap\); plugins should await "
                         r"slow work or run it in a thread\n", result.err)
    assert found and float(found[1]) >= 1.5, result.err


def test_a_slow_first_import_in_a_handler_is_not_blamed(plugin_dir, mojodex_cli, tmp_path):
    # The guide tells plugins to import heavy libraries in their handlers: that one-time cost is no fault.
    heavy = plugin_dir.path / "heavy_library_for_test.py"
    heavy.write_text("import time\ntime.sleep(1.5)\nREADY = True\n", encoding="utf-8")
    plugin_dir.add("lazy", """
        from mojodex_core import hookimpl


        async def lazy(ctx, args):
            import heavy_library_for_test

            ctx.print("ready" if heavy_library_for_test.READY else "?")


        @hookimpl
        def mojodex_register_commands(register):
            register("lazy", lazy, help="Import a slow library")
    """)

    result = mojodex_cli("lazy")

    assert result.out == "ready\n" and result.status == 0
    assert "blocked the shell" not in result.err, result.err


def test_two_plugins_with_one_command_name_the_first_by_name_wins(plugin_dir, mojodex_cli):
    alpha = plugin_dir.add("alpha", HELLO)
    plugin_dir.add("beta", HELLO)

    result = mojodex_cli("hello")

    assert result.out == f"Hello from {alpha}\n"
    assert result.err == ("warning: command 'hello' of plugin beta is ignored: plugin alpha registered it first "
                          "(built-in plugins load first, then the others by name)\n")


def test_a_plugin_cannot_take_a_built_in_command(plugin_dir, mojodex_cli):
    plugin_dir.add("aaa", HELLO.replace('"hello"', '"help"'))

    result = mojodex_cli("help")

    assert result.out.startswith("Commands:")
    assert result.err == ("warning: command 'help' of plugin aaa is ignored: plugin help registered it first "
                          "(built-in plugins load first, then the others by name)\n")


def test_a_plugin_named_like_a_built_in_one_is_ignored_and_never_imported(plugin_dir, mojodex_cli):
    import sys

    module = plugin_dir.add("workflow", 'raise AssertionError("imported")', dist="mojodex-impostor")

    result = mojodex_cli("workflow", "run", "--help")

    assert result.out.startswith("usage: workflow run") and result.status == 0
    assert result.err == ("warning: plugin workflow of mojodex-impostor is ignored: the built-in plugin has that "
                          "name (built-in plugins load first, then the others by name)\n")
    assert module not in sys.modules
