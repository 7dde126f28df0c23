"""The ``config`` commands as a user types them: unknown keys refused with the closest one, sections shown with
their keys, odd files read without a crash, and a change said to apply now or at the next start."""

from __future__ import annotations

import tomllib

import pytest

from mojodex_core import hookimpl

BUILTINS = ["help", "config", "auth"]
URL = "http://127.0.0.1:9"  # never contacted


def _one_error(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.mark.parametrize(("words", "error"), [
    (["set", "nosuch.key", "1"], "error: unknown config key 'nosuch.key' (see `config show`)"),
    (["set", "Shell.Prompt", "x"], "error: unknown config key 'Shell.Prompt' (did you mean 'shell.prompt'?)"),
    (["set", "server.urll", "http://x"], "error: unknown config key 'server.urll' (did you mean 'server.url'?)"),
    (["set", "prompt", "x"], "error: unknown config key 'prompt' (did you mean 'shell.prompt'?)"),
    (["set", "shell..prompt", "x"], "error: unknown config key 'shell..prompt' (did you mean 'shell.prompt'?)"),
    (["get", "nosuch"], "error: unknown config key 'nosuch' (see `config show`)"),
    (["get", "SERVER.URL"], "error: unknown config key 'SERVER.URL' (did you mean 'server.url'?)"),
    (["unset", "nosuch.key"], "error: unknown config key 'nosuch.key' (see `config show`)"),
    (["unset", "shell.promt"], "error: unknown config key 'shell.promt' (did you mean 'shell.prompt'?)"),
])
def test_an_unknown_key_is_a_usage_error_naming_the_closest_and_leaves_the_file(mojodex_main, mojodex_home,
                                                                                words, error):
    config = mojodex_home / "config.toml"
    config.write_text('[shell]\nprompt = "mine> "\n')
    before = config.stat().st_mtime_ns
    proc = mojodex_main("config", *words)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert _one_error(proc.stderr) == error
    assert config.read_text() == '[shell]\nprompt = "mine> "\n'
    assert config.stat().st_mtime_ns == before


def test_a_key_that_ends_like_several_names_them_all(mojodex_main):
    proc = mojodex_main("config", "set", "timeout", "3")
    assert proc.returncode == 2
    assert "did you mean 'server.timeout' or 'llm.timeout'?" in _one_error(proc.stderr)


def test_get_of_a_section_prints_each_key_with_its_full_name(mojodex_main, mojodex_home):
    (mojodex_home / "config.toml").write_text('[server]\nurl = "http://example.test:9"\n')
    proc = mojodex_main("config", "get", "server")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == 'server.url = "http://example.test:9"'
    assert 'server.timeout = 30.0' in lines and 'server.allow_insecure = false' in lines
    shown = [line for line in mojodex_main("config", "show").stdout.splitlines() if line.startswith("server.")]
    assert lines == shown


def test_get_of_one_key_stays_a_bare_value_for_scripts(mojodex_main):
    assert mojodex_main("config", "get", "server.url").stdout == "http://localhost:5001\n"
    assert mojodex_main("config", "get", "server.timeout").stdout == "30.0\n"
    assert mojodex_main("config", "get", "plugins.disabled").stdout == "[]\n"


def test_unset_of_an_unknown_key_writes_nothing_and_get_then_does_not_crash(mojodex_main, mojodex_home):
    assert mojodex_main("config", "unset", "nosuch.key").returncode == 2
    assert not (mojodex_home / "config.toml").exists()
    proc = mojodex_main("config", "get", "nosuch")
    assert proc.returncode == 2
    assert _one_error(proc.stderr) == "error: unknown config key 'nosuch' (see `config show`)"


@pytest.mark.parametrize("text", [
    "[nosuch]\n",  # what `config unset nosuch.key` used to leave
    '[nosuch]\nkey = {a = [1, {b = 2}]}\n',
    '[Shell]\nPrompt = "x"\n',
    '[shell]\npromt = "x"\n',
    "[llm.extra]\n",
])
def test_odd_files_never_crash_a_config_command(mojodex_main, mojodex_home, text):
    (mojodex_home / "config.toml").write_text(text)
    for words in (["show"], ["get", "nosuch"], ["get", "shell"], ["get", "llm"], ["unset", "nosuch.key"],
                  ["get", "shell.prompt"]):
        proc = mojodex_main("config", *words)
        assert "failed:" not in proc.stderr and "Error" not in proc.stderr, (words, proc.stderr)
        assert proc.returncode in (0, 2), (words, proc.stderr)


def test_a_table_where_a_value_is_expected_or_the_other_way_stops_with_one_line(mojodex_main, mojodex_home):
    config = mojodex_home / "config.toml"
    for text, says in (("shell = 3\n", "shell: expected a table ([shell]), got 3"),
                       ("[shell.prompt]\nx = 1\n", "shell.prompt: expected a string, got {'x': 1}")):
        config.write_text(text)
        proc = mojodex_main("config", "get", "shell.prompt")
        assert proc.returncode == 1
        assert _one_error(proc.stderr).endswith(says)


def test_show_marks_a_key_the_file_sets_that_nothing_reads_and_unset_removes_it(mojodex_main, mojodex_home):
    config = mojodex_home / "config.toml"
    config.write_text('[shell]\npromt = "x"\nprompt = "mine> "\n')
    proc = mojodex_main("config", "show")
    assert "warning: " in proc.stderr and "unknown key shell.promt (did you mean 'shell.prompt'?)" in proc.stderr
    assert 'shell.promt = "x"  # unknown key: nothing reads it (`config unset` removes it)' in proc.stdout
    assert 'shell.prompt = "mine> "\n' in proc.stdout
    unset = mojodex_main("config", "unset", "shell.promt")
    assert (unset.returncode, unset.stdout) == (0, "shell.promt is removed from config.toml\n")
    assert tomllib.loads(config.read_text()) == {"shell": {"prompt": "mine> "}}


def test_a_mis_cased_section_in_the_file_is_a_warning(mojodex_main, mojodex_home):
    (mojodex_home / "config.toml").write_text('[Shell]\nPrompt = "x"\n')
    proc = mojodex_main("config", "get", "shell.prompt")
    assert proc.stdout == "mojodex> \n"
    assert "unknown section [Shell] (did you mean 'shell'?)" in proc.stderr


def test_unset_says_whether_the_key_was_set_and_drops_emptied_tables(mojodex_main, mojodex_home):
    config = mojodex_home / "config.toml"
    assert mojodex_main("config", "set", "shell.prompt", "mj> ").returncode == 0
    assert mojodex_main("config", "unset", "shell.prompt").stdout == "shell.prompt is back to its default\n"
    assert tomllib.loads(config.read_text()) == {}
    before = config.stat().st_mtime_ns
    assert mojodex_main("config", "unset", "shell.prompt").stdout == "shell.prompt was already at its default\n"
    assert config.stat().st_mtime_ns == before


def test_unset_of_a_section_puts_all_its_keys_back(mojodex_main, mojodex_home):
    config = mojodex_home / "config.toml"
    config.write_text('[server]\ntimeout = 3.0\n[shell]\nprompt = "x> "\n')
    proc = mojodex_main("config", "unset", "server")
    assert (proc.returncode, proc.stdout) == (0, "every key of server is back to its default\n")
    assert tomllib.loads(config.read_text()) == {"shell": {"prompt": "x> "}}


def test_setting_a_section_is_refused(mojodex_main, mojodex_home):
    proc = mojodex_main("config", "set", "server", "x")
    assert _one_error(proc.stderr) == "error: server is a section; set one of its keys, e.g. server.url"
    assert proc.returncode != 0 and not (mojodex_home / "config.toml").exists()


class Wordcount:
    """A plugin with a section of its own and a free-form table (any key goes in it)."""

    @hookimpl
    def mojodex_config_defaults(self):
        return {"wordcount": {"enabled": True, "aliases": {}}}


async def test_a_plugin_section_is_known_and_its_free_form_table_takes_any_key(make_shell, logged_in,
                                                                               mojodex_home):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    shell.add_plugin("wordcount", Wordcount())
    out = await shell.run("config set wordcount.enabled false\r"
                          "config set wordcount.enabeld false\r"
                          "config set wordcount.aliases.wc 'word count'\r"
                          "config set wordcount.enabled 3\r"
                          "config get wordcount\r"
                          "config get wordcount.aliases.nothing\r"
                          "exit\r")
    assert "\nwordcount.enabled = false\n" in out
    assert "error: unknown config key 'wordcount.enabeld' (did you mean 'wordcount.enabled'?)\n" in out
    assert '\nwordcount.aliases.wc = "word count"\n' in out
    assert "error: wordcount.enabled: expected true or false, got 3\n" in out
    assert '\nwordcount.enabled = false\nwordcount.aliases.wc = "word count"\n' in out  # config get wordcount
    assert "error: wordcount.aliases.nothing is not set\n" in out
    assert tomllib.loads((mojodex_home / "config.toml").read_text()) == {
        "wordcount": {"enabled": False, "aliases": {"wc": "word count"}}}


async def test_in_the_shell_a_change_applies_at_once_or_says_when_it_will(make_shell, logged_in):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    out = await shell.run('config set shell.prompt "mj> "\r'
                          "config set shell.history false\r"
                          "config unset shell.history\r"
                          "config set server.url http://127.0.0.1:8\r"
                          "exit\r")
    assert 'shell.prompt = "mj> "\nmj> ' in out  # the very next prompt
    assert "shell.history = false\nnote: shell.history takes effect the next time mojodex starts\n" in out
    assert "shell.history is back to its default\nnote: shell.history takes effect" in out
    assert "note: the environment overrides server.url for this run\n" in out  # make_shell's server_url
    assert out.count("note:") == 3
    assert shell.ctx.config.get("shell.prompt") == "mj> "


def test_one_shot_says_nothing_of_the_next_start(mojodex_main):
    proc = mojodex_main("config", "set", "shell.history", "false")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "shell.history = false\n", "")
