"""``mojodex --demo``: start the reference Mojodex server in-process, log in to it, open the prompt.

A newcomer sees the whole specification transcript with no account, server or API key. The server plays
Mojodex 0.4 (what people run today) unless ``--demo-api`` names another dialect; its steps write clearly
labelled offline demo text, or run on the configured model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import DIALECTS, hookimpl

if TYPE_CHECKING:
    import argparse

    from mojodex_core import Context


class DemoPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.server: Any = None

    @hookimpl
    def mojodex_cli_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--demo", action="store_true",
                            help="start a local demo server with a demo account and open the shell on it")
        parser.add_argument("--demo-api", choices=DIALECTS, default=None, metavar="API",
                            help=f"the protocol the demo server speaks: {', '.join(DIALECTS)} (default: "
                                 "demo.api, mojodex-0.4)")

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return {"demo": {"step_delay_seconds": 0.5, "api": "mojodex-0.4"}}

    @hookimpl
    def mojodex_startup(self, ctx: Context) -> Any:
        if not getattr(ctx.options, "demo", False):
            return None
        return self._start(ctx)

    async def _start(self, ctx: Context) -> None:
        from mojodex_demo.model_steps import configured_provider, model_generator
        from mojodex_server import DEMO_EMAIL, DEMO_PASSWORD, ReferenceServer

        api = getattr(ctx.options, "demo_api", None) or str(ctx.config.get("demo.api", "mojodex-0.4"))
        if api not in DIALECTS:
            from mojodex_core import ConfigError

            raise ConfigError(f"demo.api must be one of {', '.join(DIALECTS)}, not {api!r}")
        provider = configured_provider(ctx)
        generator = model_generator(ctx, provider) if provider is not None else None
        step_delay = 0.0 if provider is not None else float(ctx.config.get("demo.step_delay_seconds", 0.5))
        self.server = ReferenceServer(api=api, step_delay=step_delay, generator=generator)
        await self.server.start()
        if api == "mojodex-0.4":
            from mojodex_server.account_store import seed_demo_todos

            seed_demo_todos(self.server, DEMO_EMAIL)  # a past meeting's follow-ups: `todo list` shows them at once
        # For this process only: the user's own server.url and server.api stay as they are in the file.
        ctx.config.override("server.url", self.server.url)
        ctx.config.override("server.api", api)
        what = f"its steps run on {ctx.config.get('llm.model')}" if provider else "its steps write offline demo text"
        # About the shell, not a command's output: on stderr, so that `mojodex --demo task list --json` pipes.
        ctx.print(f"Demo: a reference Mojodex server ({api}) runs at {self.server.url} ({what}).", err=True)
        first = _first_workflow(self.server)
        more = " `task list` shows its other tasks, `chat` talks with the assistant;" if api == "mojodex-0.4" else ""
        ctx.print(f"Logging in as {DEMO_EMAIL}. Try `workflow list`, then `workflow run {first}`;{more} "
                  "`help` lists the rest.", err=True)
        # The demo's token is for a server that lives as long as this process: never saved with real ones.
        await ctx.login(DEMO_EMAIL, DEMO_PASSWORD, save=False)

    @hookimpl
    def mojodex_login_hint(self) -> str | None:
        # Said by the login questions, after a `logout`: the demo's account is nowhere else to be found.
        if self.server is None:
            return None
        from mojodex_server import DEMO_EMAIL, DEMO_PASSWORD

        return f"Demo: log in as {DEMO_EMAIL}, password {DEMO_PASSWORD}."

    @hookimpl
    def mojodex_shutdown(self) -> Any:
        # Plain unless there is a server to stop, so that a one-shot command needs no event loop.
        return self._stop() if self.server is not None else None

    async def _stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            await server.stop()


def _first_workflow(server: Any) -> str:
    """The demo user's Write poem workflow's number, as `workflow list` will show it."""
    find = getattr(server, "demo_workflow_ref", None)
    return str(find()) if callable(find) else "1"
