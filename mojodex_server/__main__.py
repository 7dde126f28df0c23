"""``python -m mojodex_server --port 5001 --api mojodex-0.4``: run the reference server standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import APIS, DEMO_EMAIL, DEMO_PASSWORD, ReferenceServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mojodex_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--api", choices=APIS, default="mojodex-0.4")
    parser.add_argument("--step-delay", type=float, default=0.5, help="seconds each step takes (default 0.5)")
    parser.add_argument("--first-pk", type=int, default=1, help="first primary key of every table")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = ReferenceServer(api=args.api, host=args.host, port=args.port, step_delay=args.step_delay,
                             first_pk=args.first_pk)
    async with server:
        print(f"Mojodex reference server ({args.api}) on {server.url}", flush=True)
        print(f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
