"""Step events from the reference server to the step hooks: latency and sustained rate, with nothing lost.

    .venv/bin/python bench/events.py [--events 20000] [--rate 1000] [--api spec|mojodex-0.4] [--check]

The reference server runs on 127.0.0.1 in a process of its own, playing ``--api``; the shell side is a real
Context with the real Socket.IO plugin (connected with a token, in the run's room after ``start_session``)
delivering typed events (read by the dialect) to a run owner as ``ctx.server.follow`` does, which deduplicates
them and fires ``mojodex_step_started`` / ``mojodex_step_ended`` for a recording plugin, as the workflow
plugin's run owner does. The server emits ``workflow_step_execution_started`` then ``_ended`` (in the dialect's
payload shape) for one step execution after another, straight through its Socket.IO server to the run's room,
and notes the time of each emit.

Two passes:
- full speed: every event emitted as fast as the server can (the sustained rate is events / (last hook call -
  first emit)); latencies include the queueing of a burst;
- paced at --rate events per second: the latency an event sees at that rate.

Latency is from just before the server's emit to the hook call (perf_counter: the system's monotonic clock, the
same in both processes).
Targets: p99 <= 5 ms and >= 1,000 events/s, zero lost. With --check the exit status is 1 when one is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from percentiles import percentile  # bench/ is the script's folder, first on sys.path

from mojodex_core import DIALECTS, hookimpl

TARGET_P99_MS = 5.0
TARGET_RATE = 1_000.0


def new_session(srv: Any, api: str) -> tuple[str, int]:
    """A run of the demo user's Write poem workflow, created in the store (no step runs): its session and pk."""
    user = srv.store.user_by_email("demo@example.com")
    assert user is not None
    if api == "mojodex-0.4":
        tasks = srv.store.tasks
        pk = tasks.add_execution(int(srv.demo_workflow_ref()), user.user_pk, [])
        return tasks.execution(pk).session_id, pk
    pk = srv.store.tasks.add_execution(1, user.user_pk, None)  # a workflow execution: inputs not submitted
    return srv.store.tasks.execution(pk).session_id, pk


def serve(conn: Any, api: str) -> None:
    """The reference server's process: answers the bench's commands over ``conn`` (a multiprocessing pipe)."""
    asyncio.run(_serve(conn, api))


async def _serve(conn: Any, api: str) -> None:
    from mojodex_server import ReferenceServer

    loop = asyncio.get_running_loop()
    async with ReferenceServer(host="127.0.0.1", api=api) as srv:
        session_id, pk = new_session(srv, api)
        conn.send((srv.url, srv.token_for("demo@example.com"), session_id, pk))
        while True:
            command, *args = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            if command == "joined":
                room: str = args[0]
                await srv.wait_until(lambda: srv.room_size(room) == 1, 10)  # noqa: B023 (awaited right here)
                conn.send(True)
            elif command == "emit":
                session_id, first_pk, n_steps, rate = args
                sent: dict[tuple[str, int], float] = {}
                await emit_all(srv, api, session_id, first_pk, n_steps, rate, sent)
                conn.send(sent)


class ServerProcess:
    """The reference server in a process of its own, as a real server would be (no GIL shared with the shell)."""

    def __init__(self, api: str = "spec") -> None:
        import multiprocessing

        mp = multiprocessing.get_context("spawn")
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=serve, args=(child, api), daemon=True)
        self.process.start()
        self.url, self.token, self.session_id, self.pk = self.conn.recv()

    async def ask(self, *command: Any) -> Any:
        loop = asyncio.get_running_loop()
        self.conn.send(command)
        return await loop.run_in_executor(None, self.conn.recv)

    def stop(self) -> None:
        self.conn.send(("stop",))
        self.process.join(10)


class Owner:
    """A run owner as ``ctx.server.follow`` wants one: events are queued by ``deliver`` and handled in order by
    a task that deduplicates them and fires the step hooks, as the workflow plugin's run owner does."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.seen: set[tuple[str, str]] = set()
        self.task = asyncio.get_running_loop().create_task(self._drive())

    def deliver(self, event: Any) -> None:
        self.queue.put_nowait(event)

    def connection(self, state: str) -> None:
        pass

    async def catch_up(self) -> None:
        pass

    async def _drive(self) -> None:
        while True:
            event = await self.queue.get()
            step = event.step
            if step is None or event.kind not in ("step_started", "step_ended"):
                continue
            key = (event.kind, str(step.step_execution_pk))
            if key in self.seen:
                continue
            self.seen.add(key)
            await self.ctx.call_hook("mojodex_" + event.kind, step=step)


class Recorder:
    """A plugin whose step hooks note when each event arrived."""

    def __init__(self, expected: int) -> None:
        self.arrived: dict[tuple[str, int], float] = {}
        self.duplicates = 0
        self.expected = expected
        self.done = asyncio.Event()

    def _note(self, kind: str, step: Any) -> None:
        now = time.perf_counter()
        key = (kind, int(step.step_execution_pk))
        if key in self.arrived:
            self.duplicates += 1
        self.arrived[key] = now
        if len(self.arrived) >= self.expected:
            self.done.set()

    @hookimpl
    def mojodex_step_started(self, step: Any) -> None:
        self._note("started", step)

    @hookimpl
    def mojodex_step_ended(self, step: Any) -> None:
        self._note("ended", step)


def step_base(api: str, pk: int, i: int, session_id: str) -> dict[str, Any]:
    """A step execution's payload as the dialect sends it (0.4: display names, error_status, ...)."""
    base = {"user_workflow_step_execution_pk": pk, "workflow_step_pk": 2, "parameter": {"stanza_topic": f"topic {i}"},
            "session_id": session_id}
    if api == "mojodex-0.4":
        return {**base, "step_name_for_user": "Write stanza", "step_definition_for_user": "Write one stanza",
                "creation_date": "2026-12-03T10:00:00+00:00", "user_validation_required": True, "validated": None,
                "error_status": None, "review_chat_enabled": True}
    return {**base, "step_name": "stanza_writer", "validated": False}


async def emit_all(srv: Any, api: str, session_id: str, first_pk: int, n_steps: int, rate: float | None,
                   sent: dict[tuple[str, int], float]) -> None:
    """In the server's loop: started + ended for ``n_steps`` step executions, to the run's room."""
    sio = srv.sockets.sio
    interval = 2.0 / rate if rate else 0.0
    start = time.perf_counter()
    for i in range(n_steps):
        pk = first_pk + i
        base = step_base(api, pk, i, session_id)
        sent[("started", pk)] = time.perf_counter()
        await sio.emit("workflow_step_execution_started", {**base, "result": None}, to=session_id)
        sent[("ended", pk)] = time.perf_counter()
        await sio.emit("workflow_step_execution_ended", {**base, "result": [{"stanza": f"stanza {i}"}]},
                       to=session_id)
        if interval:
            delay = start + (i + 1) * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the emitter (a benchmark's clock, not a synchronisation)


async def one_pass(server: ServerProcess, ctx: Any, first_pk: int, n_events: int,
                   rate: float | None) -> dict[str, Any]:
    n_steps = n_events // 2
    recorder = Recorder(2 * n_steps)
    name = f"bench-recorder-{first_pk}"
    ctx.hooks.add_plugin(name, recorder, ctx)
    try:
        sent: dict[tuple[str, int], float] = await server.ask("emit", server.session_id, first_pk, n_steps, rate)
        try:
            await asyncio.wait_for(recorder.done.wait(), 30)
        except TimeoutError:
            pass
    finally:
        ctx.hooks.unload(name)
    latencies = [(recorder.arrived[k] - t) * 1000 for k, t in sent.items() if k in recorder.arrived]
    elapsed = max(recorder.arrived.values(), default=0.0) - min(sent.values())
    return {
        "events": len(sent), "received": len(recorder.arrived), "lost": len(sent) - len(recorder.arrived),
        "duplicates": recorder.duplicates, "seconds": elapsed, "rate": len(recorder.arrived) / elapsed,
        "p50": statistics.median(latencies), "p99": percentile(latencies, 99), "max": max(latencies),
    }


async def main_async(args: argparse.Namespace) -> int:
    from mojodex_core.testing import event_transport, make_context

    server = ServerProcess(args.api)
    try:
        home = Path(tempfile.mkdtemp(prefix="mojodex-bench-"))
        ctx = make_context(home, server_url=server.url, api=args.api, token=server.token, builtins=["socketio"],
                           interactive=False)
        await ctx.call_hook("mojodex_startup")
        await ctx.server.capabilities()  # as a run does before it follows its session (cached, or detected once)
        owner = Owner(ctx)
        await ctx.server.follow(server.session_id, owner)
        await server.ask("joined", server.session_id)
        # A warm-up pass (connections, caches), then the measured ones.
        await one_pass(server, ctx, 1_000_000, 200, None)
        transport = event_transport(ctx)
        paced = f"paced at {args.rate:g}/s"
        results = {
            "full speed": await one_pass(server, ctx, 2_000_000, args.events, None),
            paced: await one_pass(server, ctx, 3_000_000, min(args.events, int(args.rate * 10)), args.rate),
        }
        await ctx.call_hook("mojodex_shutdown")
        await ctx.aclose()
    finally:
        server.stop()

    print(f"Step events ({args.api}), reference server -> Socket.IO ({transport}) -> SocketPlugin -> run owner -> "
          "step hooks, one client")
    print(f"{'pass':<18} {'events':>7} {'lost':>5} {'dup':>4} {'events/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7}")
    ok = True
    for name, r in results.items():
        print(f"{name:<18} {r['events']:>7} {r['lost']:>5} {r['duplicates']:>4} {r['rate']:>9.0f} "
              f"{r['p50']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f}")
        ok = ok and r["lost"] == 0 and r["duplicates"] == 0
    ok = ok and results["full speed"]["rate"] >= TARGET_RATE and results[paced]["p99"] <= TARGET_P99_MS
    print(f"targets: >= {TARGET_RATE:.0f} events/s sustained with zero lost (full speed), "
          f"p99 <= {TARGET_P99_MS:g} ms (paced): {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000, help="events of the full-speed pass (default 20000)")
    parser.add_argument("--rate", type=float, default=1_000.0, help="events per second of the paced pass")
    parser.add_argument("--api", default="spec", choices=DIALECTS,
                        help="the dialect the server plays (default spec)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
