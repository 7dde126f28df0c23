"""``mojodex --demo``: start the reference Mojodex server in-process, log in to it, open the prompt.

A newcomer sees the whole specification transcript with no account, server or API key. The server's
steps write clearly labelled offline demo text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    import argparse
    import tempfile


class DemoPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.server: Any = None
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    @hookimpl
    def mojodex_cli_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--demo", action="store_true",
                            help="start a local demo server with a demo account and open the shell on it")

    @hookimpl
    def mojodex_startup(self, ctx: Any) -> Any:
        if not getattr(ctx.options, "demo", False):
            return None
        return self._start(ctx)

    async def _start(self, ctx: Any) -> None:
        import tempfile
        from pathlib import Path

        from mojodex_core._credentials import CredentialStore
        from mojodex_demo.model_steps import configured_provider, model_generator
        from mojodex_server import DEMO_EMAIL, DEMO_PASSWORD, ReferenceServer

        provider = configured_provider(ctx)
        generator = model_generator(ctx, provider) if provider is not None else None
        step_delay = 0.0 if provider is not None else float(ctx.config.get("demo.step_delay_seconds", 0.5))
        self.server = ReferenceServer(step_delay=step_delay, generator=generator)
        await self.server.start()
        ctx.config.overrides["server.url"] = self.server.url
        # The demo's token is for a server that lives as long as this process: never saved with real ones.
        self.tmp = tempfile.TemporaryDirectory(prefix="mojodex-demo-")
        ctx.credentials = CredentialStore(Path(self.tmp.name) / "credentials")
        what = f"its steps run on {ctx.config.get('llm.model')}" if provider else "its steps write offline demo text"
        ctx.print(f"Demo: a reference Mojodex server runs at {self.server.url} ({what}).")
        ctx.print(f"Logging in as {DEMO_EMAIL}. Try `workflow list`, then `workflow run 1`; `help` lists the rest.")
        await ctx.login(DEMO_EMAIL, DEMO_PASSWORD)

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return {"demo": {"step_delay_seconds": 0.5}}

    @hookimpl
    def mojodex_shutdown(self) -> Any:
        # Plain unless there is a server to stop, so that a one-shot command needs no event loop.
        return self._stop() if self.server is not None or self.tmp is not None else None

    async def _stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            await server.stop()
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None
