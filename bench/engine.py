"""Engine overhead per conversation turn, against the loopback OpenAI server, next to a bare SDK call.

The loopback server (``mojodex_engine.testing``) runs in its own process. The engine runs one conversation
of TURNS messages (no END CONVERSATION, so every turn is a streamed model call through ``OpenAIProvider``),
then the bare ``openai`` SDK streams the very same requests. Rounds alternate; medians are reported.

Two ways to see what the engine adds per turn (prompt building, chunk callbacks, message normalizing,
state.json + messages.md written atomically, bookkeeping):

- measured: engine wall time minus the time spent inside the provider's stream (timed around each
  ``__anext__``), so network and server noise cancel out;
- compared: engine time per turn minus bare SDK time per turn (same requests; noisier).

Target: <= 2 ms per turn. Saving after each message takes a snapshot (state.json and messages.md text) on
the event loop and hands the two atomic file replacements to the run's writer thread; ``--runs-dir
/dev/shm`` takes the disk out of the picture.

Then the prompts of a whole software-company run against the test model server, with the same scripted replies
whatever the prompts are (so the outputs, shown as a digest, must not change): how much of each call's start is
the previous call's (what a model server's prefix cache can serve), the prompt tokens the run sends (the test
server counts words), and of those the ones not shared with the previous call's start ("not shared": what a
prefix cache cannot serve, the first prompt whole); "in a conversation" leaves out each conversation's first call,
whose start can only be the run's system text. Two scenarios: every conversation ends at its 6th message, or runs
to its 10-message limit.

Run: ``.venv/bin/python bench/engine.py [--turns 40] [--rounds 7] [--words 60] [--runs-dir DIR]
[--prompt-words 300] [--prompts-only]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from mojodex_engine.definitions import parse_definition  # noqa: E402
from mojodex_engine.engine import Engine, Observer, StepInfo  # noqa: E402
from mojodex_engine.providers import OpenAIProvider  # noqa: E402
from mojodex_engine.storage import RunStore  # noqa: E402
from mojodex_engine.testing import FakeOpenAIServer, Reply  # noqa: E402

DEFINITION = """
name = "Bench"
inputs = ["task"]
[[roles]]
name = "CEO"
description = "The boss."
[[roles]]
name = "CPO"
description = "The product person."
[[artifacts]]
name = "Task"
[[artifacts]]
name = "Plan"
[[conversations]]
name = "Talk"
lead = "CEO"
assistant = "CPO"
input = "Task"
output = "Plan"
turns = {turns}
"""


# ------------------------------------------------------------------------------------ server process


def _reply(words: int) -> Any:
    text = " ".join(f"word{i}" for i in range(words))
    return lambda body: Reply(f"CEO: {text}")


def serve(words: int, port_queue: Any, stop: Any) -> None:
    async def run() -> None:
        async with FakeOpenAIServer(reply_fn=_reply(words)) as server:
            port_queue.put(server.port)
            await asyncio.get_running_loop().run_in_executor(None, stop.wait)

    asyncio.run(run())


# ------------------------------------------------------------------------------------------- timing


class TimedProvider:
    """Wraps a provider and adds up the time spent inside its stream (not in the engine's hands)."""

    def __init__(self, inner: OpenAIProvider) -> None:
        self.inner = inner
        self.spent = 0.0
        self.calls: list[float] = []

    @property
    def usage(self) -> Any:
        return self.inner.usage

    async def stream(self, messages: list[dict[str, str]], *, model: str, temperature: float) -> AsyncIterator[str]:
        self.calls.append(time.perf_counter())
        gen = self.inner.stream(messages, model=model, temperature=temperature)
        try:
            while True:
                t = time.perf_counter()
                try:
                    chunk = await gen.__anext__()
                except StopAsyncIteration:
                    self.spent += time.perf_counter() - t
                    return
                self.spent += time.perf_counter() - t
                yield chunk
        finally:
            t = time.perf_counter()
            await gen.aclose()
            self.spent += time.perf_counter() - t


class Timer(Observer):
    """Turn start (step start or previous message done) -> first chunk."""

    def __init__(self) -> None:
        self.mark = 0.0
        self.marks: list[float] = []
        self.first: list[float] = []
        self.waiting = True

    async def on_step_started(self, step: StepInfo) -> None:
        self.mark, self.waiting = time.perf_counter(), True
        self.marks.append(self.mark)

    async def on_message_chunk(self, role: str, text: str) -> None:
        if self.waiting:
            self.first.append(time.perf_counter() - self.mark)
            self.waiting = False

    async def on_message_done(self, role: str, text: str) -> None:
        self.mark, self.waiting = time.perf_counter(), True
        self.marks.append(self.mark)


async def engine_round(provider: OpenAIProvider, turns: int, home: Path) -> dict[str, float]:
    definition = parse_definition(DEFINITION.format(turns=turns), ref="bench", label="bench.toml")
    store = RunStore.create(home, definition, {"task": "Write a plan"}, model="test-model")
    timer, timed = Timer(), TimedProvider(provider)
    engine = Engine(store, timed, timer, model="test-model", temperature=0.0)
    saving = 0.0
    save = store.save

    def timed_save() -> None:
        nonlocal saving
        t = time.perf_counter()
        save()
        saving += time.perf_counter() - t

    store.save = timed_save  # type: ignore[method-assign]
    t0 = time.perf_counter()
    await engine.run()
    total = time.perf_counter() - t0
    before_request = [call - mark for call, mark in zip(timed.calls, timer.marks, strict=False)]
    return {
        "turn": total / turns,
        "own": (total - timed.spent) / turns,
        "save": saving / turns,
        "first": statistics.median(timer.first),
        "before_request": statistics.median(before_request),
    }


async def bare_round(client: Any, requests: list[dict[str, Any]]) -> dict[str, float]:
    first: list[float] = []
    t0 = time.perf_counter()
    for body in requests:
        start = time.perf_counter()
        stream = await client.chat.completions.create(
            model=body["model"],
            messages=body["messages"],
            temperature=body["temperature"],
            stream=True,
            stream_options={"include_usage": True},
        )
        got_first = False
        async for chunk in stream:
            if not got_first and chunk.choices and chunk.choices[0].delta.content:
                first.append(time.perf_counter() - start)
                got_first = True
    return {"turn": (time.perf_counter() - t0) / len(requests), "first": statistics.median(first)}


class Recording(OpenAIProvider):
    """Keeps the messages of every request, so the bare SDK can replay exactly the engine's requests."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.requests: list[dict[str, Any]] = []

    def stream(
        self,
        messages: list[dict[str, str]],
        *,
        model: str | None = None,  # type: ignore[override]
        temperature: float | None = None,
    ) -> AsyncIterator[str]:
        self.requests.append({"model": model, "messages": messages, "temperature": temperature})
        return super().stream(messages, model=model, temperature=temperature)


async def measure(base_url: str, turns: int, rounds: int, runs_dir: str | None) -> dict[str, list[float]]:
    import openai

    provider = Recording(base_url=base_url, api_key="test-key", model="test-model")
    client = openai.AsyncOpenAI(base_url=base_url, api_key="test-key")
    out: dict[str, list[float]] = {
        k: [] for k in ("bare", "bare_first", "engine", "engine_first", "own", "save", "before_request", "diff")
    }
    with tempfile.TemporaryDirectory(dir=runs_dir) as tmp:
        home = Path(tmp)
        await engine_round(provider, turns, home)  # warm up, and record the requests
        requests = provider.requests[-turns:]
        await bare_round(client, requests)
        for i in range(rounds):
            if i % 2:
                bare = await bare_round(client, requests)
                eng = await engine_round(provider, turns, home)
            else:
                eng = await engine_round(provider, turns, home)
                bare = await bare_round(client, requests)
            out["bare"].append(bare["turn"])
            out["bare_first"].append(bare["first"])
            out["engine"].append(eng["turn"])
            out["engine_first"].append(eng["first"])
            out["own"].append(eng["own"])
            out["save"].append(eng["save"])
            out["before_request"].append(eng["before_request"])
            out["diff"].append(eng["turn"] - bare["turn"])
    await provider.aclose()
    await client.close()
    return out


# ------------------------------------------------------------------------------- prompts: prefix, tokens

SCENARIOS = {"ends": 6, "cut": 10}  # messages per conversation: the 6th says END CONVERSATION; 10 = turn limit


def _script(messages: int, words: int) -> list[str]:
    """The model's replies for a whole software-company run, in order, whatever the prompts: the same replies
    before and after a change to how prompts are built (so the outputs must be the same too)."""
    replies = []
    for conv in range(8):
        for turn in range(1, messages + 1):
            body = " ".join(f"c{conv}t{turn}w{i}" for i in range(words))
            if turn == messages and messages < 10:
                code = "\n".join(f"    step_{i} = {i}  # c{conv}" for i in range(words // 6))
                replies.append(f"Here is the result.\n\n{body}\n\n```python\ndef run():\n{code}\n```\n\n"
                               "END CONVERSATION")
            else:
                replies.append(body)
    return replies


def _rendered(body: dict[str, Any]) -> str:
    """A request as a model server's prompt cache sees it: each message's role marker, then its text, in order."""
    return "".join(f"<|{m['role']}|>{m['content']}" for m in body["messages"])


def _shared(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    step = 4096
    while i < n and a[i : i + step] == b[i : i + step]:
        i += step
    i = min(i, n)
    while i > 0 and a[:i] != b[:i]:
        i -= 1
    while i < n and a[i] == b[i]:
        i += 1
    return i


async def prompt_round(messages: int, words: int, home: Path) -> dict[str, Any]:
    from mojodex_engine.definitions import get_definition

    definition = get_definition(home, "software-company")
    async with FakeOpenAIServer(_script(messages, words)) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="test-model")
        store = RunStore.create(home, definition, {"task": "I want to create users in my application"},
                                model="test-model")
        result = await Engine(store, provider, Observer(), model="test-model", temperature=0.0).run()
        await provider.aclose()
        prompts = [_rendered(body) for body in server.requests]
    shared = [_shared(prev, cur) for prev, cur in itertools.pairwise(prompts)]
    shares = [n / len(cur) for n, cur in zip(shared, prompts[1:], strict=True)]
    # What a prefix cache cannot serve: the first prompt whole, then what each prompt adds to the previous one's
    # shared start (in tokens, in proportion to the characters).
    new_chars = len(prompts[0]) + sum(len(cur) - n for n, cur in zip(shared, prompts[1:], strict=True))
    import hashlib

    digest = hashlib.sha256(json.dumps(result.outputs, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "calls": len(prompts),
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "shared_mean": statistics.mean(shares),
        "shared_median": statistics.median(shares),
        "shared_min": min(shares),
        # Within a conversation (each call after its first): the previous prompt whole is the next one's start.
        "within": [x for x, n, prev in zip(shares, shared, prompts, strict=False) if n == len(prev)],
        "new_tokens": round(result.usage.prompt_tokens * new_chars / sum(len(p) for p in prompts)),
        "outputs": digest,
    }


def report_prompts(words: int) -> None:
    print(f"software company, test model server, {words}-word messages: prompts of each call")
    print(f"{'scenario':28}{'calls':>6}{'prompt tok':>12}{'not shared':>12}{'compl. tok':>12}"
          f"{'shared start (mean/median/min)':>34}{'in a conversation':>20}{'outputs':>14}")
    for name, messages in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as tmp:
            r = asyncio.run(prompt_round(messages, words, Path(tmp)))
        label = f"{name} ({messages} messages/conv.)"
        shared = f"{r['shared_mean']:.0%} / {r['shared_median']:.0%} / {r['shared_min']:.0%}"
        within = r["within"]
        inside = f"{statistics.mean(within):.0%} / {statistics.median(within):.0%} / {min(within):.0%}"
        print(f"{label:28}{r['calls']:>6}{r['prompt_tokens']:>12}{r['new_tokens']:>12}{r['completion_tokens']:>12}"
              f"{shared:>34}{inside:>20}{r['outputs']:>14}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--words", type=int, default=60)
    parser.add_argument(
        "--runs-dir",
        help="where runs are written (default: the system temp dir); /dev/shm shows the engine without the disk",
    )
    parser.add_argument("--prompt-words", type=int, default=300, help="words per message in the prompts' run")
    parser.add_argument("--prompts-only", action="store_true", help="only the prompts' figures")
    args = parser.parse_args()
    if args.prompts_only:
        report_prompts(args.prompt_words)
        return

    ctx = multiprocessing.get_context("spawn")
    ports, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=serve, args=(args.words, ports, stop), daemon=True)
    proc.start()
    try:
        port = ports.get(timeout=30)
        r = asyncio.run(measure(f"http://127.0.0.1:{port}/v1", args.turns, args.rounds, args.runs_dir))
    finally:
        stop.set()
        proc.join(5)

    def ms(key: str) -> float:
        return statistics.median(r[key]) * 1000

    print(
        f"loopback server (own process), {args.turns} turns x {args.rounds} rounds, "
        f"{args.words + 1} content chunks per reply; runs in {args.runs_dir or tempfile.gettempdir()}; medians"
    )
    print(f"{'':34}{'per turn (ms)':>14}{'first char (ms)':>17}")
    print(f"{'bare SDK stream':34}{ms('bare'):>14.2f}{ms('bare_first'):>17.2f}")
    print(f"{'engine turn (persisted)':34}{ms('engine'):>14.2f}{ms('engine_first'):>17.2f}")
    print(f"{'engine overhead, measured':34}{ms('own'):>14.2f}{ms('before_request'):>17.2f}")
    print(f"{'  of which saving (snapshot)':34}{ms('save'):>14.2f}")
    print(f"{'engine overhead, engine - bare':34}{ms('diff'):>14.2f}{ms('engine_first') - ms('bare_first'):>17.2f}")
    print(f"target <= 2 ms per turn (measured): {'met' if ms('own') <= 2 else 'NOT met'}")
    print()
    report_prompts(args.prompt_words)


if __name__ == "__main__":
    main()
