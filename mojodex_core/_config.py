"""The config file ``~/.mojodex/config.toml``: embedded defaults, the user's file, environment overrides."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core._errors import ConfigError
from mojodex_core._files import update_file

if TYPE_CHECKING:
    import tomllib
    from collections.abc import Callable

DEFAULTS: dict[str, Any] = {
    "server": {
        "url": "http://localhost:5001",
        "platform": "webapp",
        "version": "0.0.0",
        "timeout": 30.0,
        "api": "auto",
        "allow_insecure": False,
        "ca_bundle": "",
    },
    "shell": {
        "prompt": "mojodex> ",
        "history": True,
        "block_warning_seconds": 1.0,
    },
    "plugins": {
        "disabled": [],
    },
}

# Environment variables that override a key for this process only (never written to the file).
ENV_OVERRIDES = {"MOJODEX_SERVER_URL": "server.url"}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def _type_name(value: Any) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _check_type(key: str, value: Any, default: Any) -> Any:
    """Return ``value`` if it has the default's type (ints pass for floats), else raise ConfigError."""
    if isinstance(default, bool) or default is None:
        ok = isinstance(value, bool) if default is not None else True
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{key}: expected {_type_name(default)}, got {value!r}")
    return value


def _where(path: Path, exc: tomllib.TOMLDecodeError, text: str) -> str:
    """``path:line:column: reason``, the form editors and terminals turn into a link to the spot."""
    import re

    found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(exc), re.S)
    if found is not None:
        reason, line, column = found.groups()
        return f"{path}:{line}:{column}: {reason}"
    found = re.fullmatch(r"(.*) \(at end of document\)", str(exc), re.S)
    if found is not None:
        lines = text.split("\n")
        return f"{path}:{len(lines)}:{len(lines[-1]) + 1}: {found.group(1)} (at the end of the file)"
    return f"{path}: {exc}"


class Config:
    """Settings as the shell uses them: defaults, then the file, then environment overrides.

    Keys are dotted (``server.url``). ``set`` writes the user's file atomically; overrides are never written.
    """

    def __init__(self, path: Path, defaults: dict[str, Any] | None = None) -> None:
        self.path = path
        self.defaults: dict[str, Any] = copy.deepcopy(DEFAULTS if defaults is None else defaults)
        self.file_data: dict[str, Any] = {}
        self.overrides: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path) -> Config:
        """Read ``path`` (absent is fine). A malformed file raises ConfigError with file, line and column."""
        cfg = cls(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read ({exc})") from exc
        if text.strip():  # tomllib only when there is a file to parse: no file is common, and startup counts
            import tomllib

            try:
                cfg.file_data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{_where(path, exc, text)}; the file was left as it is") from exc
        for env, key in ENV_OVERRIDES.items():
            if os.environ.get(env):
                cfg.overrides[key] = os.environ[env]
        return cfg

    def add_defaults(self, extra: dict[str, Any]) -> None:
        """Merge a plugin's defaults in (keys a plugin owns become known to get/set)."""
        _merge(self.defaults, extra)

    def validate(self) -> list[str]:
        """Check every key the file sets that has a known default; raise ConfigError naming the first bad one.

        Returns one warning per key the file sets in a known section that no one knows (a misspelt key would
        otherwise be ignored in silence). Sections no loaded plugin owns are left alone.
        """
        warnings = []
        for key, value in self._flatten(self.file_data):
            default = self._lookup(self.defaults, key)
            if default is not _MISSING and not isinstance(default, dict):
                _check_type(f"{self.path}: {key}", value, default)
            elif default is _MISSING and key.split(".", 1)[0] in self.defaults:
                warnings.append(f"{self.path}: unknown key {key}{self._suggest(key)}")
        return warnings

    @property
    def data(self) -> dict[str, Any]:
        merged = copy.deepcopy(self.defaults)
        _merge(merged, self.file_data)
        for key, value in self.overrides.items():
            self._assign(merged, key, value)
        return merged

    def get(self, key: str, default: Any = None) -> Any:
        # Hot path (every request asks a few keys): a single value is looked up without merging everything.
        if key in self.overrides:
            return self.overrides[key]
        value = self._lookup(self.file_data, key)
        single = not isinstance(value, dict) and not isinstance(self._lookup(self.defaults, key), dict)
        if single and not any(o.startswith(key + ".") for o in self.overrides):
            if value is _MISSING:
                value = self._lookup(self.defaults, key)
            return default if value is _MISSING else value
        value = self._lookup(self.data, key)
        return default if value is _MISSING else value

    def __getitem__(self, key: str) -> Any:
        """``config["server.url"]`` or a whole section, ``config["llm"]`` (a dict); KeyError for an unknown key."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def section(self, name: str) -> dict[str, Any]:
        """A section's keys and values (a copy), ``{}`` for an unknown one."""
        value = self.get(name, {})
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    def override(self, key: str, value: Any) -> None:
        """Set ``key`` for this process only (never written to the file), as ``--server`` does for server.url."""
        self.overrides[key] = value

    def is_set(self, key: str) -> bool:
        """True when the user's file, the environment or ``override`` sets ``key`` (not just its default)."""
        return key in self.overrides or self._lookup(self.file_data, key) is not _MISSING

    def overridden(self, key: str) -> bool:
        """True when the environment or ``override`` sets ``key`` for this process."""
        return key in self.overrides

    def known(self, key: str) -> bool:
        return self._lookup(self.data, key) is not _MISSING

    def set(self, key: str, value: Any) -> Any:
        """Set ``key`` in the user's file and write it. Returns the stored value (type-checked)."""
        default = self._lookup(self.defaults, key)
        if isinstance(default, dict):
            raise ConfigError(f"{key} is a section; set one of its keys, e.g. {key}.{next(iter(default), 'name')}")
        if default is not _MISSING:
            value = _check_type(key, value, default)
        elif key.split(".", 1)[0] in self.defaults or "." not in key:
            raise ConfigError(f"unknown config key {key!r}{self._suggest(key)}")
        self._update(lambda data: self._assign(data, key, value))
        return value

    def unset(self, key: str) -> None:
        def remove(data: dict[str, Any]) -> None:
            parts = key.split(".")
            node = data
            for part in parts[:-1]:
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict):
                node.pop(parts[-1], None)

        self._update(remove)

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply ``change`` to what the file holds now (another shell may have changed it since this one read it)
        and write it back, under the file's lock. A file that became malformed is reported and left as it is."""
        import tomllib

        import tomli_w

        updated: dict[str, Any] = {}

        def apply(text: str | None) -> str:
            try:
                updated.update(tomllib.loads(text or ""))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{_where(self.path, exc, text or '')}; the file was left as it is") from exc
            change(updated)
            return tomli_w.dumps(updated)

        update_file(self.path, apply, mode=0o600)
        self.file_data = updated

    def _suggest(self, key: str) -> str:
        import difflib

        names = [k for k, v in self._flatten(self.defaults)]
        close = difflib.get_close_matches(key, names, n=1)
        return f" (did you mean {close[0]}?)" if close else ""

    def keys(self) -> list[tuple[str, Any]]:
        return list(self._flatten(self.data))

    @staticmethod
    def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            full = f"{prefix}{key}"
            if isinstance(value, dict):
                out.extend(Config._flatten(value, full + "."))
            else:
                out.append((full, value))
        return out

    @staticmethod
    def _lookup(data: dict[str, Any], key: str) -> Any:
        node: Any = data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    @staticmethod
    def _assign(data: dict[str, Any], key: str, value: Any) -> None:
        parts = key.split(".")
        node = data
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
