"""`config` in the real shell: a new prompt shows at the very next line, an unknown key is one error line."""

from __future__ import annotations


def test_config_set_prompt_applies_at_once_and_an_unknown_key_is_refused(spawn_mojodex, logged_in, unreachable_url,
                                                                         mojodex_home):
    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url)
    term.expect_prompt()
    term.line('config set shell.prompt "mj> "')
    term.expect('shell.prompt = "mj> "\n')
    term.expect("mj>")
    term.line("config set Shell.Prompt x")
    term.expect("error: unknown config key 'Shell.Prompt' (did you mean 'shell.prompt'?)\n")
    term.expect("mj>")
    term.line("exit")
    assert term.wait_exit() == 0
    assert (mojodex_home / "config.toml").read_text() == '[shell]\nprompt = "mj> "\n'
