"""The demo server's steps on the configured model, found through the public ``mojodex_model_providers`` hook.

With no model configured (or only the offline provider), the server keeps its own offline demo text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, model_provider

if TYPE_CHECKING:
    from mojodex_core import Context

DIVIDER = ("Divide a poem about {topic} into {n} stanzas. Answer with exactly {n} lines, one short stanza topic "
           "per line, nothing else.")
WRITER = "Write one stanza of four lines about: {topic}. Answer with the stanza only."


def configured_provider(ctx: Context) -> Any:
    """The provider ``[llm] provider`` names, or None when only the offline one can answer."""
    try:
        provider = model_provider(ctx)
    except MojodexError:
        return None
    return None if getattr(provider, "name", "") == "offline" else provider


def model_generator(ctx: Context, provider: Any) -> Any:
    """A reference-server step generator that asks ``provider`` for the Write poem steps."""
    model = str(ctx.config.get("llm.model", ""))
    temperature = float(ctx.config.get("llm.temperature", 0.7))

    async def ask(prompt: str) -> str:
        chunks = [c async for c in provider.stream([{"role": "user", "content": prompt}], model=model,
                                                    temperature=temperature)]
        return "".join(chunks).strip()

    async def generate(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        if step_name == "stanza_divider":
            text = await ask(DIVIDER.format(topic=parameter.get("poem_topic", "life"),
                                            n=parameter.get("n_stanzas", 3)))
            lines = [line.strip(" -*0123456789.)\t") for line in text.splitlines()]
            return [{"stanza_topic": line} for line in lines if line]
        if step_name == "stanza_writer":
            return [{"stanza": await ask(WRITER.format(topic=parameter.get("stanza_topic", "life")))}]
        return [{"text": await ask(f"{step_name}: {parameter}")}]

    return generate
