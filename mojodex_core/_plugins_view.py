"""``ctx.plugins``: the plugins of a shell as a plugin may see and manage them (the ``plugins`` command's API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mojodex_core._plugins import BUILTIN_DIST, PluginRecord

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext

PluginInfo = PluginRecord  # name, dist, version, status (loaded|disabled|broken), reason, builtin, origin, ...


class Plugins:
    """List, load, enable and disable plugins; changes to ``plugins.disabled`` are written to the config."""

    def __init__(self, ctx: ShellContext) -> None:
        self._ctx = ctx
        self._host = ctx.hooks

    def __iter__(self) -> Iterator[PluginInfo]:
        return iter(sorted(self._host.records.values(), key=lambda r: (not r.builtin, r.name)))

    def get(self, name: str) -> PluginInfo | None:
        """A plugin by its name, or by the name of the distribution that provides it."""
        rec = self._host.records.get(name)
        if rec is None:
            by_dist = [r for r in self._host.records.values() if r.dist and normal(r.dist) == normal(name)]
            rec = by_dist[0] if by_dist else None
        return rec

    @property
    def disabled(self) -> list[str]:
        value = self._ctx.config.get("plugins.disabled", [])
        return [str(v) for v in value] if isinstance(value, list) else []

    async def load_new(self) -> list[PluginInfo]:
        """Scan the environment again (after pip changed it) and load the plugins that were not there before.

        Their ``mojodex_startup`` is fired; returns them, broken or disabled ones included.
        """
        import importlib
        from importlib.metadata import MetadataPathFinder

        from mojodex_core._discovery import scan

        importlib.invalidate_caches()  # pip just changed site-packages
        MetadataPathFinder().invalidate_caches()  # not a classmethod before Python 3.12
        added = self._host.load_all(scan(), self.disabled, self._ctx)
        for rec in added:
            if rec.status == "loaded":
                await self._host.call("mojodex_startup", only=rec.name, ctx=self._ctx)
        return added

    async def unload(self, name: str) -> PluginInfo | None:
        """Fire the plugin's ``mojodex_shutdown`` and take it out of this shell (its commands too)."""
        rec = self._host.records.get(name)
        if rec is None:
            return None
        if rec.status == "loaded":
            await self._host.call("mojodex_shutdown", only=rec.name, ctx=self._ctx)
        return self._host.unload(name)

    async def disable(self, name: str) -> PluginInfo:
        """Add the plugin to ``plugins.disabled`` (it is never imported again) and unload it now."""
        rec = self.get(name)
        if rec is None:
            raise KeyError(name)
        if rec.name not in self.disabled:
            self._ctx.config.set("plugins.disabled", [*self.disabled, rec.name])
        if rec.status == "loaded":
            await self.unload(rec.name)
            self._host.records[rec.name] = rec
        rec.status, rec.reason, rec.obj, rec.commands = "disabled", "disabled in config", None, []
        return rec

    async def enable(self, name: str) -> list[PluginInfo]:
        """Take the plugin out of ``plugins.disabled`` and load it in this shell. Returns what was loaded."""
        rec = self.get(name)
        key = rec.name if rec is not None else name
        self._ctx.config.set("plugins.disabled", [n for n in self.disabled if n != key])
        if rec is not None and rec.status == "disabled":
            self._host.records.pop(rec.name, None)
        return await self.load_new()

    def provides_plugins(self, dist: str) -> bool:
        """True if the installed distribution ``dist`` declares Mojodex plugins (the shell itself does not count)."""
        from mojodex_core._discovery import scan

        return any(i.dist and normal(i.dist) == normal(dist) != BUILTIN_DIST for i in scan())


def normal(dist: str) -> str:
    """A distribution name as pip compares them: ``Mojodex_Transcript`` is ``mojodex-transcript``."""
    import re

    return re.sub(r"[-_.]+", "-", dist).lower()
