"""Finding plugins (entry points of the group ``mojodex``), loading them in isolation, calling their hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from mojodex_core import hookspecs
from mojodex_core._errors import CommandCancelled, MojodexError
from mojodex_core._registry import Command, CommandRegistry

if TYPE_CHECKING:
    from mojodex_core._discovery import EntryPointInfo

GROUP = "mojodex"
BUILTIN_DIST = "mojodex"
# What a plugin may raise without ending the shell: SystemExit too (sys.exit() at import, argparse's exit).
PLUGIN_ERRORS = (Exception, SystemExit)


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


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PluginHost:
    """The plugin manager of one shell: its plugins, their commands, safe hook calls.

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

    def load_all(self, infos: list[EntryPointInfo], disabled: list[str], ctx: Any) -> None:
        """Load every plugin not disabled: built-ins first, then the others by name. Never raises.

        A plugin name that a loaded plugin already has is ignored with one warning naming both: a third-party
        distribution cannot replace a built-in plugin by reusing its name.
        """
        infos = sorted(infos, key=lambda i: (i.dist != BUILTIN_DIST, i.name, i.dist))
        for info in infos:
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
            if info.name in disabled:
                rec.status, rec.reason = "disabled", "disabled in config"
                continue
            self._load(rec, ctx)
        for line in self.registry.conflicts:
            self.warn(line)
        self.registry.conflicts.clear()

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
            rec.status, rec.reason = "broken", f"failed to load: {_describe(exc)}"
            self.warn(f"plugin {rec.name} {rec.reason}")
            self.on_exception(exc, f"loading plugin {rec.name}")
            return
        self._register(rec, obj, ctx)

    def _register(self, rec: PluginRecord, obj: Any, ctx: Any) -> None:
        try:
            self.pm.register(obj, name=rec.name)
        except Exception as exc:
            rec.status, rec.reason = "broken", f"does not fit the plugin contract: {_describe(exc)}"
            self.warn(f"plugin {rec.name} {rec.reason}")
            return
        rec.obj, rec.status = obj, "loaded"
        defaults = self.call_one(rec, "mojodex_config_defaults", {})
        if isinstance(defaults, dict) and ctx is not None:
            ctx.config.add_defaults(defaults)

        def register(name: str, handler: Callable[..., Any], help: str = "", usage: str = "",
                     aliases: tuple[str, ...] | list[str] = (), complete: Callable[..., Any] | None = None) -> None:
            cmd = Command(name=" ".join(name.split()), handler=handler, help=help, usage=usage,
                          aliases=tuple(aliases), complete=complete, plugin=rec.name)
            if self.registry.register(cmd):
                rec.commands.append(cmd.name)

        self.call_one(rec, "mojodex_register_commands", {"register": register, "ctx": ctx})

    async def start_plugin(self, rec: PluginRecord, ctx: Any) -> None:
        """Fire ``mojodex_startup`` for one plugin loaded while the shell runs (after ``plugins install``)."""
        await self._call_one_async(rec, "mojodex_startup", {"ctx": ctx})

    async def stop_plugin(self, rec: PluginRecord, ctx: Any) -> None:
        """Fire ``mojodex_shutdown`` for one plugin about to be unloaded."""
        await self._call_one_async(rec, "mojodex_shutdown", {"ctx": ctx})

    async def _call_one_async(self, rec: PluginRecord, hook_name: str, kwargs: dict[str, Any]) -> None:
        import inspect

        result = self.call_one(rec, hook_name, kwargs)
        if inspect.isawaitable(result):
            try:
                await result
            except PLUGIN_ERRORS as exc:
                self._report(rec.name, hook_name, exc)

    def unload(self, name: str) -> None:
        rec = self.records.pop(name, None)
        if rec is None:
            return
        if rec.obj is not None and self.pm.is_registered(rec.obj):
            self.pm.unregister(rec.obj)
        self.registry.unregister_plugin(name)

    # -- calling hooks -----------------------------------------------------------------------------------

    def _impls(self, hook_name: str) -> list[Any]:
        hook = getattr(self.pm.hook, hook_name)
        # pluggy calls the last registered first; we keep its order.
        return list(reversed(hook.get_hookimpls()))

    def _report(self, plugin: str, hook_name: str, exc: BaseException) -> None:
        """One warning naming the plugin; the same failure of the same hook again is only logged."""
        if isinstance(exc, MojodexError):
            line = f"plugin {plugin}: {exc}"
        else:
            line = f"plugin {plugin} failed in {hook_name}: {_describe(exc)}"
        if (plugin, hook_name, line) not in self._reported:
            self._reported.add((plugin, hook_name, line))
            self.warn(line)
        self.on_exception(exc, f"plugin {plugin} in {hook_name}")

    def call_one(self, rec: PluginRecord, hook_name: str, kwargs: dict[str, Any]) -> Any:
        """Call one plugin's implementation of a hook (synchronously), if it has one."""
        for impl in self._impls(hook_name):
            if impl.plugin_name == rec.name:
                try:
                    return impl.function(*[kwargs[a] for a in impl.argnames])
                except PLUGIN_ERRORS as exc:
                    self._report(rec.name, hook_name, exc)
        return None

    def call_sync(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call every implementation of a hook; a plugin that raises is named in a warning and skipped."""
        results = []
        for impl in self._impls(hook_name):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except PLUGIN_ERRORS as exc:
                self._report(impl.plugin_name, hook_name, exc)
                continue
            if result is not None:
                results.append(result)
        return results

    async def call(self, hook_name: str, *, firstresult: bool = False,
                   on_error: Callable[[str, BaseException], None] | None = None, **kwargs: Any) -> list[Any]:
        """Call every implementation of a hook, awaiting awaitable results.

        With ``firstresult`` the calls stop at the first result that is not None, and an error a plugin
        raises is the answer: it propagates (the plugin owned the request and failed). Otherwise a
        plugin that raises is reported (``on_error(plugin, exc)`` if given, else a warning) and the others
        still run. The user cancelling (``CommandCancelled``) always propagates.
        """
        import inspect

        results = []
        for impl in self._impls(hook_name):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
                if inspect.isawaitable(result):
                    result = await result
            except CommandCancelled:
                raise
            except PLUGIN_ERRORS as exc:
                if firstresult and on_error is None:
                    raise  # the plugin owned the request and failed: that is the answer
                if on_error is not None:
                    on_error(impl.plugin_name, exc)
                else:
                    self._report(impl.plugin_name, hook_name, exc)
                continue
            if result is not None:
                results.append(result)
                if firstresult:
                    break
        return results
