"""Choosing the model provider of local workflows (and of the demo's steps), from every plugin's
``mojodex_model_providers``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from mojodex_core._errors import ConfigError, MojodexError

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext
    from mojodex_core._context_protocol import Context


def model_provider(ctx: Context) -> Any:
    """The provider that ``[llm] provider`` names.

    ``"auto"`` (the default) is the first provider that can be built with the settings at hand (a factory raises
    ``MojodexError`` when it is not configured: no key, no endpoint), the offline one last.
    """
    factories: dict[str, Any] = {}
    # Every ctx the shell hands out is its ShellContext, whose plugin host (not part of Context: plugins do not
    # reach it) calls this plain hook without awaiting, as this public function is a plain one.
    cast("ShellContext", ctx).hooks.call_sync(
        "mojodex_model_providers", register=lambda name, factory: factories.setdefault(str(name), factory))
    wanted = str(ctx.config.get("llm.provider", "auto"))
    if wanted != "auto":
        if wanted not in factories:
            raise ConfigError(f"llm.provider {wanted!r} is unknown (known: {', '.join(sorted(factories))})")
        return factories[wanted](ctx)
    for name in [n for n in factories if n != "offline"] + ["offline"]:
        if name not in factories:
            continue
        try:
            return factories[name](ctx)
        except MojodexError:  # not configured: the next one
            continue
    raise ConfigError("no model provider can be used: set OPENAI_API_KEY, or [llm] base_url and model")
