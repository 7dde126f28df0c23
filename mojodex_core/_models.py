"""Choosing the model provider of local workflows (and of the demo's steps), from every plugin's
``mojodex_model_providers``."""

from __future__ import annotations

from typing import Any

from mojodex_core._errors import ConfigError, MojodexError


def model_provider(ctx: Any) -> Any:
    """The provider that ``[llm] provider`` names.

    ``"auto"`` (the default) is the first provider that can be built with the settings at hand (a factory raises
    ``MojodexError`` when it is not configured: no key, no endpoint), the offline one last.
    """
    factories: dict[str, Any] = {}
    ctx.hooks.call_sync("mojodex_model_providers",
                        register=lambda name, factory: factories.setdefault(str(name), factory))
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
