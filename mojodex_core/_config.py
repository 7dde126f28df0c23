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
        "color": "auto",
        "pager": "",
        "load_completions": True,
    },
    "plugins": {
        "disabled": [],
    },
}

# Environment variables that override a key for this process only (never written to the file).
ENV_OVERRIDES = {"MOJODEX_SERVER_URL": "server.url"}

# Keys the shell reads once, as it starts (or as it first talks to the server): `config set` says a change to
# one of them takes effect at the next start. The others are read each time they are used.
READ_AT_START = frozenset({
    "server.platform", "server.version", "server.timeout", "server.api", "server.ca_bundle",
    "shell.history", "shell.block_warning_seconds", "plugins.disabled",
})


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

    Keys are dotted (``server.url``); those the defaults declare (the shell's and the loaded plugins') are known,
    and ``set`` refuses any other. ``set`` writes the user's file atomically; overrides are never written.
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

        A value must have its default's type (a section's is a table, a setting's never is). Returns one warning
        per key the file sets in a known section that no one knows, and per section that differs from a known one
        only in case (a misspelt key would otherwise be ignored in silence). Other sections no loaded plugin owns
        are left alone (a disabled plugin's, for one).
        """
        warnings: list[str] = []

        def walk(node: dict[str, Any], defaults: dict[str, Any], prefix: str) -> None:
            for name, value in node.items():
                key = f"{prefix}{name}"
                default = defaults.get(name, _MISSING)
                if default is _MISSING:
                    if prefix or self._suggestions(key, case_only=True):
                        what = f"section [{key}]" if isinstance(value, dict) and not prefix else f"key {key}"
                        hint = self._suggest(key)
                        warnings.append(f"{self.path}: unknown {what}" + (f" ({hint})" if hint else ""))
                elif isinstance(default, dict):
                    if not isinstance(value, dict):
                        raise ConfigError(f"{self.path}: {key}: expected a table ([{key}]), got {value!r}")
                    if default:  # an empty default is a free-form table: any key goes
                        walk(value, default, key + ".")
                else:
                    _check_type(f"{self.path}: {key}", value, default)

        walk(self.file_data, self.defaults, "")
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
        """True for a key or a section the defaults declare (the shell's and the loaded plugins'), and for any key
        inside a free-form table (a table whose default is empty, ``{}``)."""
        return self._declared(key) is not _MISSING

    def is_section(self, key: str) -> bool:
        """True when ``key`` names a section (a table of keys), ``server`` or ``llm``, rather than one value."""
        return isinstance(self._declared(key), dict)

    def unknown_key(self, key: str) -> str:
        """The one-line complaint about ``key`` when it is not known, with the closest known key; ``""`` if it is."""
        if self.known(key):
            return ""
        return f"unknown config key {key!r} ({self._suggest(key) or 'see `config show`'})"

    def applies_at_start(self, key: str) -> bool:
        """True when a change of ``key`` (or of a key of the section ``key``) only takes effect at the next start."""
        return any(k == key or k.startswith(key + ".") for k in READ_AT_START)

    def file_keys(self) -> list[tuple[str, Any]]:
        """The keys the user's file sets, known or not, with their values (as read at start or at the last write)."""
        return self._flatten(self.file_data)

    def set(self, key: str, value: Any) -> Any:
        """Set ``key`` in the user's file and write it. Returns the stored value (type-checked).

        ConfigError for an unknown key, a section, or a value that has not the default's type: the file is then
        left as it is.
        """
        default = self._declared(key)
        if default is _MISSING:
            raise ConfigError(self.unknown_key(key))
        if isinstance(default, dict):
            example = next(iter(default), "name")
            raise ConfigError(f"{key} is a section; set one of its keys, e.g. {key}.{example}")
        if default is not _FREE:
            value = _check_type(key, value, default)

        def assign(data: dict[str, Any]) -> bool:
            self._assign(data, key, value)
            return True

        self._update(assign)
        return value

    def unset(self, key: str) -> bool:
        """Remove ``key`` (a value or a whole section) from the user's file, so that its default applies again.

        A key the file sets is removed even if no one knows it (a misspelt key, a plugin gone); tables it leaves
        empty go too. Returns False when the file did not set it (nothing is written then); ConfigError for a key
        that is neither known nor in the file.
        """
        removed = [False]

        def remove(data: dict[str, Any]) -> bool:
            parts = key.split(".")
            path = [data]
            for part in parts[:-1]:
                node = path[-1].get(part)
                if not isinstance(node, dict):
                    return False
                path.append(node)
            if parts[-1] not in path[-1]:
                return False
            del path[-1][parts[-1]]
            for parent, part in zip(reversed(path[:-1]), reversed(parts[:-1]), strict=True):
                if parent[part]:
                    break
                del parent[part]
            removed[0] = True
            return True

        self._update(remove)
        if not removed[0] and not self.known(key):
            raise ConfigError(self.unknown_key(key))
        return removed[0]

    def _update(self, change: Callable[[dict[str, Any]], bool]) -> None:
        """Apply ``change`` to what the file holds now (another shell may have changed it since this one read it)
        and write it back, under the file's lock, if ``change`` says it changed something. A file that became
        malformed is reported and left as it is."""
        import tomllib

        import tomli_w

        updated: dict[str, Any] = {}

        def apply(text: str | None) -> str | None:
            try:
                updated.update(tomllib.loads(text or ""))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{_where(self.path, exc, text or '')}; the file was left as it is") from exc
            return tomli_w.dumps(updated) if change(updated) else None

        update_file(self.path, apply, mode=0o600)
        self.file_data = updated

    def _declared(self, key: str) -> Any:
        """``key``'s default, ``_FREE`` inside a free-form table, ``_MISSING`` when no one declares it."""
        parts = key.split(".")
        if not all(parts):
            return _MISSING
        node: Any = self.defaults
        for depth, part in enumerate(parts):
            if isinstance(node, dict) and not node and depth > 0:
                return _FREE
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def _names(self) -> list[str]:
        """Every key and section the defaults declare, dotted."""
        names: list[str] = []

        def walk(node: dict[str, Any], prefix: str) -> None:
            for name, value in node.items():
                names.append(prefix + name)
                if isinstance(value, dict):
                    walk(value, f"{prefix}{name}.")

        walk(self.defaults, "")
        return names

    def _suggestions(self, key: str, case_only: bool = False) -> list[str]:
        """The known keys ``key`` most likely meant: the same in another case, else those that end the same way
        (``prompt``: ``shell.prompt``), else the closest spelling."""
        import difflib

        names = self._names()
        lower = key.lower()
        same = [n for n in names if n.lower() == lower]
        if same or case_only:
            return same[:1]
        last = lower.rsplit(".", 1)[-1]
        ends = [n for n in names if n.lower().rsplit(".", 1)[-1] == last]
        if ends:
            return ends[:3]
        by_lower = {n.lower(): n for n in names}
        return [by_lower[c] for c in difflib.get_close_matches(lower, list(by_lower), n=1)]

    def _suggest(self, key: str) -> str:
        """``did you mean 'shell.prompt'?`` or ``""``."""
        close = self._suggestions(key)
        return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""

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


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_MISSING: Any = _Marker("missing")
_FREE: Any = _Marker("free")  # the "default" of a key inside a free-form table: any value goes
