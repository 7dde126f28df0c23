"""Config: embedded defaults, the user's file, environment overrides, and safe writes."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from mojodex_core._config import DEFAULTS, Config
from mojodex_core._errors import ConfigError


@pytest.fixture
def config_path(mojodex_home: Path) -> Path:
    return mojodex_home / "config.toml"


def test_defaults_need_no_file(config_path):
    cfg = Config.load(config_path)
    assert not config_path.exists()
    assert cfg.get("server.url") == "http://localhost:5001"
    assert cfg.get("server.platform") == "webapp"
    assert cfg.get("server.version") == "0.0.0"
    assert isinstance(cfg.get("server.timeout"), float)
    assert cfg.get("shell.prompt") == "mojodex> "
    assert cfg.get("plugins.disabled") == []


def test_the_file_overrides_defaults_key_by_key(config_path):
    config_path.write_text('[server]\nurl = "http://example.test:9"\n')
    cfg = Config.load(config_path)
    assert cfg.get("server.url") == "http://example.test:9"
    assert cfg.get("server.platform") == "webapp"  # the rest of the section keeps its defaults


def test_environment_overrides_the_file_and_is_never_written(config_path, monkeypatch):
    config_path.write_text('[server]\nurl = "http://from-file:1"\n')
    monkeypatch.setenv("MOJODEX_SERVER_URL", "http://from-env:2")
    cfg = Config.load(config_path)
    assert cfg.get("server.url") == "http://from-env:2"
    cfg.set("server.timeout", 5)
    assert tomllib.loads(config_path.read_text())["server"]["url"] == "http://from-file:1"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('[server]\nurl = "x"\nplatform = = "webapp"\n', 3, 12),
        ("[server]\n[server]\n", 2, 8),
        ('[shell]\nprompt = "unclosed\n', 2, 19),
    ],
)
def test_a_malformed_file_is_one_message_with_line_and_column_and_left_untouched(config_path, text, line, column):
    config_path.write_bytes(text.encode())
    mtime = config_path.stat().st_mtime_ns
    with pytest.raises(ConfigError) as info:
        Config.load(config_path)
    message = str(info.value)
    assert message.startswith(f"{config_path}:{line}:{column}: ")
    assert "\n" not in message
    assert config_path.read_bytes() == text.encode()
    assert config_path.stat().st_mtime_ns == mtime


def test_a_file_cut_short_points_at_its_end(config_path):
    config_path.write_text("[server]\nurl")
    with pytest.raises(ConfigError, match=rf"^{config_path}:2:4: "):
        Config.load(config_path)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[server]\ntimeout = "soon"\n', "server.timeout", "a number"),
        ('[shell]\nhistory = "yes"\n', "shell.history", "true or false"),
        ('[plugins]\ndisabled = "workflow"\n', "plugins.disabled", "a list"),
        ("[server]\nurl = 5001\n", "server.url", "a string"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key_and_the_type(config_path, text, key, expected):
    config_path.write_text(text)
    cfg = Config.load(config_path)
    with pytest.raises(ConfigError, match=rf"{key}: expected {expected}"):
        cfg.validate()


def test_a_fraction_is_refused_where_a_whole_number_is_expected(config_path):
    config_path.write_text("[retries]\ncount = 1.5\n")
    cfg = Config.load(config_path)
    cfg.add_defaults({"retries": {"count": 3}})
    with pytest.raises(ConfigError, match=r"retries.count: expected a whole number, got 1.5"):
        cfg.validate()


def test_a_whole_number_is_fine_where_a_number_is_expected(config_path):
    config_path.write_text("[server]\ntimeout = 7\n")
    cfg = Config.load(config_path)
    cfg.validate()
    assert cfg.get("server.timeout") == 7


def test_set_writes_the_file_with_mode_0600_in_a_0700_directory(config_path):
    os.chmod(config_path.parent, 0o755)
    cfg = Config.load(config_path)
    assert cfg.set("shell.prompt", "mj> ") == "mj> "
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_path.parent.stat().st_mode) == 0o700
    assert tomllib.loads(config_path.read_text()) == {"shell": {"prompt": "mj> "}}
    assert Config.load(config_path).get("shell.prompt") == "mj> "


def test_set_checks_the_type_and_unknown_keys(config_path):
    cfg = Config.load(config_path)
    with pytest.raises(ConfigError, match="expected true or false"):
        cfg.set("shell.history", "maybe")
    with pytest.raises(ConfigError, match=r"unknown config key 'server.urll' \(did you mean 'server.url'\?\)"):
        cfg.set("server.urll", "http://x")
    with pytest.raises(ConfigError, match=r"unknown config key 'Shell.Prompt' \(did you mean 'shell.prompt'\?\)"):
        cfg.set("Shell.Prompt", "x")
    with pytest.raises(ConfigError, match=r"unknown config key 'nosuch.key' \(see `config show`\)"):
        cfg.set("nosuch.key", 1)
    with pytest.raises(ConfigError, match="is a section"):
        cfg.set("server", "x")
    assert not config_path.exists()


def test_a_free_form_table_takes_any_key_and_any_value(config_path):
    cfg = Config.load(config_path)
    cfg.add_defaults({"aliases": {}})
    assert cfg.known("aliases.wl") and cfg.known("aliases.a.b") and cfg.is_section("aliases")
    assert cfg.set("aliases.wl", "workflow list") == "workflow list"
    assert cfg.set("aliases.n", 3) == 3
    assert cfg.get("aliases") == {"wl": "workflow list", "n": 3}
    config_path.write_text('[aliases]\nx = [1, "two"]\n[aliases.deep]\ny = true\n')
    assert Config.load(config_path).validate() == []


def test_unset_says_whether_the_file_held_the_key_and_refuses_one_no_one_knows(config_path):
    config_path.write_text('[gone]\nkey = 1\n[shell]\nprompt = "x> "\n')
    cfg = Config.load(config_path)
    assert cfg.unset("gone.key") is True  # not known, but the file holds it: removing it is how to clean up
    assert cfg.unset("shell.history") is False
    with pytest.raises(ConfigError, match=r"unknown config key 'gone.key'"):
        cfg.unset("gone.key")
    assert tomllib.loads(config_path.read_text()) == {"shell": {"prompt": "x> "}}


def test_the_keys_that_apply_at_the_next_start_are_known_keys():
    from mojodex_core._config import READ_AT_START

    cfg = Config(Path("unused.toml"))
    assert all(cfg.known(key) and not cfg.is_section(key) for key in READ_AT_START)
    assert cfg.applies_at_start("shell.history") and cfg.applies_at_start("server")
    assert not cfg.applies_at_start("shell.prompt") and not cfg.applies_at_start("server.url")


def test_unset_puts_the_default_back_and_keeps_the_other_keys(config_path):
    cfg = Config.load(config_path)
    cfg.set("shell.prompt", "mj> ")
    cfg.set("server.timeout", 3)
    cfg.unset("shell.prompt")
    assert cfg.get("shell.prompt") == "mojodex> "
    on_disk = tomllib.loads(config_path.read_text())
    assert on_disk["server"] == {"timeout": 3.0}
    assert "prompt" not in on_disk.get("shell", {})
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(config_path, monkeypatch):
    cfg = Config.load(config_path)
    cfg.set("shell.prompt", "old> ")
    before = config_path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        cfg.set("shell.prompt", "new> ")
    assert config_path.read_bytes() == before
    assert sorted(p.name for p in config_path.parent.iterdir()) == [".config.toml.lock", "config.toml"]
    assert cfg.get("shell.prompt") == "old> "


def test_plugin_defaults_become_known_keys(config_path):
    cfg = Config.load(config_path)
    assert not cfg.known("llm.model")
    cfg.add_defaults({"llm": {"model": "small"}})
    assert cfg.get("llm.model") == "small"
    with pytest.raises(ConfigError, match="expected a string"):
        cfg.set("llm.model", 3)


def _flatten(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_the_example_file_lists_every_default_key_with_its_default():
    example = Path(__file__).resolve().parents[2] / "mojodex.toml.example"
    listed = _flatten(tomllib.loads(example.read_text(encoding="utf-8")))
    defaults = _flatten(DEFAULTS)
    assert sorted(set(defaults) - set(listed)) == [], "mojodex.toml.example lacks these keys"
    assert {k: listed[k] for k in defaults} == defaults


def test_the_example_file_lists_every_key_of_the_built_in_plugins(tmp_path):
    from mojodex_core._context import ShellContext as Context
    from mojodex_core._discovery import scan

    ctx = Context(Config(tmp_path / "config.toml"), tmp_path, interactive=False)
    ctx.hooks.load_all([i for i in scan() if i.dist == "mojodex"], [], ctx)
    example = Path(__file__).resolve().parents[2] / "mojodex.toml.example"
    listed = _flatten(tomllib.loads(example.read_text(encoding="utf-8")))
    defaults = _flatten(ctx.config.defaults)
    assert sorted(set(defaults) - set(listed)) == [], "mojodex.toml.example lacks these keys"
    assert {k: listed[k] for k in defaults} == defaults
