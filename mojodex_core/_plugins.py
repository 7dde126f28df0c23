"""The plugin host of one shell: loading plugins in isolation, their commands, and the one hook caller.

Hooks are called the way pluggy means them: the hookspec says whether the first result wins, and the
implementations run in pluggy's order (``tryfirst`` ones first, ``trylast`` ones last, otherwise the plugin
registered last first). The host only adds what pluggy cannot do for a shell: it awaits awaitable results,
and a plugin that raises is reported once and skipped instead of ending the call. Hook wrappers
(``wrapper=True``/``hookwrapper=True``) are refused when the plugin is registered.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from mojodex_core import hookspecs
from mojodex_core._errors import CommandCancelled, MojodexError
from mojodex_core._registry import Command, CommandRegistry

if TYPE_CHECKING:
    from mojodex_core._discovery import EntryPointInfo

BUILTIN_DIST = "mojodex"
# What a plugin may raise without ending the shell: SystemExit too (sys.exit() at import, argparse's exit).
PLUGIN_ERRORS = (Exception, SystemExit)
OnError = Callable[[str, BaseException], None]


@dataclass
class PluginRecord:
    """What the shell knows of one plugin: where it comes from and how loading it went."""

    name: str
    value: str
    dist: str = ""
    version: str = ""
    status: str = "loaded"  # loaded | disabled | broken
    reason: str = ""
    obj: Any = None
    commands: list[str] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.dist == BUILTIN_DIST

    @property
    def origin(self) -> str:
        return "built-in" if self.builtin else (self.dist or "local")

    @property
    def hooks(self) -> list[str]:
        if self.obj is None:
            return []
        return sorted(n for n in dir(self.obj) if n.startswith("mojodex_") and callable(getattr(self.obj, n)))


def _load_object(value: str) -> Any:
    import importlib

    module_name, _, attr = value.partition(":")
    obj: Any = importlib.import_module(module_name.strip())
    for part in filter(None, attr.strip().split(".")):
        obj = getattr(obj, part)
    if isinstance(obj, type):
        obj = obj()
    return obj


def describe(exc: BaseException) -> str:
    """``Type: first line of the message`` (or just the type)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PluginHost:
    """The plugins of one shell, their commands, and ``call``: the one way hooks are called.

    ``warn`` receives one line per problem (a plugin that fails to import, a hook that raises).
    """

    def __init__(self, warn: Callable[[str], None], on_exception: Callable[[BaseException, str], None]) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.registry = CommandRegistry()
        self.warn = warn
        self.on_exception = on_exception
        self.shadowed: set[tuple[str, str]] = set()  # (plugin name, distribution) ignored for a name taken
        self._reported: set[tuple[str, str, str]] = set()  # failures already warned about

    # -- loading -----------------------------------------------------------------------------------------

    def load_all(self, infos: list[EntryPointInfo], disabled: list[str], ctx: Any) -> list[PluginRecord]:
        """Load every plugin not disabled and not loaded yet: built-ins first, then the others by name.

        Returns the records it added. Never raises. A plugin name that a loaded plugin already has is ignored
        with one warning naming both: a third-party distribution cannot replace a built-in plugin by reusing
        its name.
        """
        added = []
        for info in sorted(infos, key=lambda i: (i.dist != BUILTIN_DIST, i.name, i.dist)):
            known = self.records.get(info.name)
            if known is not None:
                if known.dist != info.dist and (info.name, info.dist) not in self.shadowed:
                    self.shadowed.add((info.name, info.dist))
                    first = "the built-in plugin" if known.builtin else f"plugin {info.name} of {known.origin}"
                    self.warn(f"plugin {info.name} of {info.dist or 'an unnamed distribution'} is ignored: "
                              f"{first} has that name (built-in plugins load first, then the others by name)")
                continue
            rec = PluginRecord(info.name, info.value, info.dist, info.version)
            self.records[info.name] = rec
            added.append(rec)
            if info.name in disabled:
                rec.status, rec.reason = "disabled", "disabled in config"
                continue
            self._load(rec, ctx)
        for line in self.registry.conflicts:
            self.warn(line)
        self.registry.conflicts.clear()
        return added

    def add_plugin(self, name: str, obj: Any, ctx: Any, dist: str = "", version: str = "") -> PluginRecord:
        """Register an object as a plugin directly (tests, and plugins installed during a session)."""
        rec = PluginRecord(name, f"<object {type(obj).__name__}>", dist, version, obj=obj)
        self.records[name] = rec
        self._register(rec, obj, ctx)
        return rec

    def _load(self, rec: PluginRecord, ctx: Any) -> None:
        try:
            obj = _load_object(rec.value)
        except PLUGIN_ERRORS as exc:
            self._broken(rec, f"failed to load: {describe(exc)}")
            self.on_exception(exc, f"loading plugin {rec.name}")
            return
        self._register(rec, obj, ctx)

    def _broken(self, rec: PluginRecord, reason: str) -> None:
        rec.status, rec.reason, rec.obj = "broken", reason, None
        self.warn(f"plugin {rec.name} {reason}")

    def _register(self, rec: PluginRecord, obj: Any, ctx: Any) -> None:
        try:
            self.pm.register(obj, name=rec.name)
        except Exception as exc:
            self._broken(rec, f"does not fit the plugin contract: {describe(exc)}")
            return
        wrappers = sorted(impl.function.__name__ for caller in self.pm.get_hookcallers(obj) or []
                          for impl in caller.get_hookimpls()
                          if impl.plugin is obj and (impl.wrapper or impl.hookwrapper))
        if wrappers:
            self.pm.unregister(obj)
            self._broken(rec, f"is not loaded: hook wrappers are not supported ({', '.join(wrappers)}); "
                              "implement the hook as a plain function")
            return
        rec.obj, rec.status = obj, "loaded"
        defaults = self.call_plugin(rec, "mojodex_config_defaults", {})
        if isinstance(defaults, dict) and ctx is not None:
            ctx.config.add_defaults(defaults)

        def register(name: str, handler: Callable[..., Any], help: str = "", usage: str = "",
                     aliases: tuple[str, ...] | list[str] = (), complete: Callable[..., Any] | None = None,
                     parser: Callable[[], Any] | None = None) -> None:
            cmd = Command(name=" ".join(name.split()), handler=handler, help=help, usage=usage,
                          aliases=tuple(aliases), complete=complete, plugin=rec.name, parser=parser)
            if self.registry.register(cmd):
                rec.commands.append(cmd.name)

        self.call_plugin(rec, "mojodex_register_commands", {"register": register, "ctx": ctx})

    def unload(self, name: str) -> PluginRecord | None:
        rec = self.records.pop(name, None)
        if rec is None:
            return None
        if rec.obj is not None and self.pm.is_registered(rec.obj):
            self.pm.unregister(rec.obj)
        self.registry.unregister_plugin(name)
        return rec

    # -- calling hooks -----------------------------------------------------------------------------------

    def firstresult(self, hook_name: str) -> bool:
        """What the hookspec says: does the first result that is not None end the call?"""
        spec = getattr(self.pm.hook, hook_name).spec
        return bool(spec is not None and spec.opts.get("firstresult"))

    def _impls(self, hook_name: str, only: str | None = None) -> Iterator[Any]:
        # pluggy keeps implementations in reverse call order (trylast first); it calls them from the end.
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            if only is None or impl.plugin_name == only:
                yield impl

    def report(self, plugin: str, hook_name: str, exc: BaseException) -> None:
        """One warning naming the plugin; the same failure of the same hook again is only logged."""
        if isinstance(exc, MojodexError):
            line = f"plugin {plugin}: {exc}"
        else:
            line = f"plugin {plugin} failed in {hook_name}: {describe(exc)}"
        if (plugin, hook_name, line) not in self._reported:
            self._reported.add((plugin, hook_name, line))
            self.warn(line)
        self.on_exception(exc, f"plugin {plugin} in {hook_name}")

    async def call(self, hook_name: str, /, *, on_error: OnError | None = None, only: str | None = None,
                   **kwargs: Any) -> Any:
        """Call a hook on every plugin (or ``only`` one), awaiting what is awaitable.

        A ``firstresult`` hook returns the first result that is not None (None if there is none), and an
        error raised by an implementation is the call's error: that plugin owned the request and failed.
        Any other hook returns the list of results that are not None; a plugin that raises is reported
        (``on_error(plugin, exc)`` if given, else one warning) and the others still run. The user cancelling
        (``CommandCancelled``) always propagates.
        """
        first = self.firstresult(hook_name)
        results = []
        for impl in list(self._impls(hook_name, only)):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
                if inspect.isawaitable(result):
                    result = await result
            except CommandCancelled:
                raise
            except PLUGIN_ERRORS as exc:
                if first:
                    raise
                self._failed(impl.plugin_name, hook_name, exc, on_error)
                continue
            if result is not None:
                if first:
                    return result
                results.append(result)
        return None if first else results

    def call_sync(self, hook_name: str, /, *, only: str | None = None, **kwargs: Any) -> list[Any]:
        """Call a hook without an event loop (loading, the toolbar, one-shot commands with plain hooks).

        Returns the results that are not None, in call order; an awaitable result is returned as it is, for
        the caller to await. A plugin that raises is reported and skipped.
        """
        results = []
        for impl in list(self._impls(hook_name, only)):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except PLUGIN_ERRORS as exc:
                self._failed(impl.plugin_name, hook_name, exc, None)
                continue
            if result is not None:
                results.append(result)
        return results

    def call_plugin(self, rec: PluginRecord, hook_name: str, kwargs: dict[str, Any]) -> Any:
        """One plugin's own result for a hook (None if it has no implementation or it raised)."""
        results = self.call_sync(hook_name, only=rec.name, **kwargs)
        return results[0] if results else None

    def _failed(self, plugin: str, hook_name: str, exc: BaseException, on_error: OnError | None) -> None:
        if on_error is not None:
            on_error(plugin, exc)
        else:
            self.report(plugin, hook_name, exc)
