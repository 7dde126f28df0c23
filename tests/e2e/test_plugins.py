"""Plugins as a user meets them: installed on the fly, broken, disabled, or failing while they run."""

from __future__ import annotations

from .plugins import BOOM, BROKEN, MARKER


def test_a_plugin_that_fails_to_import_is_one_warning_and_the_shell_goes_on(run_mojodex, spawn_mojodex,
                                                                             plugin_site, logged_in,
                                                                             unreachable_url):
    plugin_site.add("broken", BROKEN)
    proc = run_mojodex("help", env=plugin_site.env())
    assert proc.returncode == 0
    assert proc.stderr == ("warning: plugin broken failed to load: "
                           "RuntimeError: this plugin is broken on purpose\n")
    assert "whoami" in proc.stdout

    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url, env=plugin_site.env())
    term.expect("warning: plugin broken failed to load")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0


def test_a_disabled_plugin_is_never_imported(run_mojodex, plugin_site, mojodex_home, tmp_path):
    plugin_site.add("marker", MARKER)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**plugin_site.env(), "MARK_DIR": str(marks)}

    enabled = run_mojodex("help", env=env)
    assert "marked" in enabled.stdout
    assert (marks / "marker-imported").exists()  # the probe works: importing leaves the mark

    (marks / "marker-imported").unlink()
    (mojodex_home / "config.toml").write_text('[plugins]\ndisabled = ["marker"]\n')
    disabled = run_mojodex("help", env=env)
    assert disabled.returncode == 0 and disabled.stderr == ""
    assert "marked" not in disabled.stdout
    assert not (marks / "marker-imported").exists()


def test_a_command_or_hook_that_raises_is_one_line_and_the_shell_goes_on(spawn_mojodex, run_mojodex, plugin_site,
                                                                        logged_in, unreachable_url):
    plugin_site.add("boom", BOOM)
    proc = run_mojodex("boom", env=plugin_site.env())
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "warning: plugin boom failed in mojodex_startup: ValueError: startup went wrong",
        "error: command 'boom' (plugin boom) failed: RuntimeError: kaboom (run with --debug for details)",
    ]

    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url, env=plugin_site.env())
    term.expect_prompt()
    term.line("boom")
    term.expect("error: command 'boom' (plugin boom) failed: RuntimeError: kaboom")
    term.expect_prompt()
    term.line("help boom")
    term.expect("(from plugin boom)")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0


def test_debug_writes_the_traceback_to_the_log_never_to_the_screen(run_mojodex, plugin_site, mojodex_home):
    plugin_site.add("boom", BOOM)
    proc = run_mojodex("--debug", "boom", env=plugin_site.env())
    assert proc.returncode == 1
    assert "kaboom" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    log = (mojodex_home / "debug.log").read_text()
    assert "Traceback (most recent call last)" in log and "RuntimeError: kaboom" in log
