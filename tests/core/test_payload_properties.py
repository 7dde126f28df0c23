"""Property tests: arbitrary JSON-like values, bytes, lone surrogates and deep nesting, fed to every payload parser
of the dialects and to every writer of the shell. A parser returns something usable or None, or raises a
``MojodexError``; a writer leaves valid UTF-8 JSON or TOML. Nothing else may come out."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from property_budget import examples

from mojodex_core import MojodexError, RunInfo, StepEvent, atomic_write
from mojodex_core._decode import MAX_DEPTH, clean, loads
from mojodex_core._dialects import NAMES
from mojodex_core._dialects import _payloads as p
from mojodex_core._dialects import make as make_dialect

SURROGATES = st.sampled_from(["\udcff", "a\ud800b", "\udfff\udfff", "ok \ud83d"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), SURROGATES,
                    st.binary(max_size=16))
keys = st.one_of(st.text(max_size=12), SURROGATES, st.sampled_from([
    "session_id", "user_workflow_step_execution_pk", "step_name", "step_name_for_user", "result", "parameter",
    "validated", "error_status", "produced_text", "produced_text_title", "produced_text_pk",
    "produced_text_version_pk", "message_pk", "text", "title", "input_name", "json_input", "possible_values",
    "user_task_pk", "task_type", "enabled", "steps", "inputs", "inputs_spec", "user_task_execution_pk",
]))
values = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                          st.dictionaries(keys, children, max_size=5)),
                      max_leaves=25)
DIALECTS = [make_dialect(name, None, "0.0.0") for name in NAMES]  # type: ignore[arg-type]  # parsing needs no HTTP
EVENTS = ["workflow_step_execution_started", "workflow_step_execution_ended", "workflow_step_execution_invalidated",
          "workflow_execution_produced_text", "user_task_execution_title", "mojo_token", "mojo_message",
          "draft_token", "draft_message", "user_message_reception", "error", "anything"]


def deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def usable(value: Any) -> None:
    """Plain JSON data that encodes to strict UTF-8."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")


@settings(max_examples=examples(300), deadline=None)
@given(value=values)
def test_clean_turns_anything_into_plain_utf8_json(value):
    usable(clean(value))


def test_clean_and_loads_refuse_deep_nesting_with_one_error():
    for make in (lambda: clean(deep(100_000)), lambda: loads("[" * 100_000 + "]" * 100_000)):
        try:
            make()
        except MojodexError as exc:
            assert str(MAX_DEPTH) in str(exc)
        else:
            raise AssertionError("a value 100,000 levels deep was accepted")
    usable(clean(deep(MAX_DEPTH - 2)))


@settings(max_examples=examples(300), deadline=None)
@given(name=st.sampled_from(EVENTS), data=values, session=st.one_of(st.text(max_size=8), SURROGATES))
@example(name="mojo_message", data={"message_pk": b""}, session="")  # a raw ack holds bytes: only decoded is JSON
def test_every_event_parser_returns_an_event_or_none(name, data, session):
    if isinstance(data, dict):
        data = {**data, "session_id": session}
    # The shell only ever parses decoded payloads (the socket plugin runs ``clean`` first); the raw value, bytes
    # included, checks that a parser handed something else still does not raise.
    for payload, decoded in ((data, False), (clean(data), True)):
        try:
            event = p.event(name, payload)
            ack = p.ack(name, payload)
        except MojodexError:
            continue
        if event is not None:
            usable(clean(event.data))
            assert isinstance(event.text, str)
            if event.step is not None:
                assert isinstance(event.step, StepEvent)
        if ack is not None:
            assert set(ack) <= {"session_id", "message_pk", "produced_text_version_pk"}
            if decoded:  # echoed to the server as it sent it (its ids must match): JSON, escaped on the wire
                json.dumps(ack)


@settings(max_examples=examples(300), deadline=None)
@given(data=values)
def test_the_run_and_list_parsers_return_data_or_raise_one_error(data):
    payload = clean(data)
    for parse in (lambda: p.step(payload, "s"), lambda: p.inputs(payload), lambda: p.step_names(payload),
                  lambda: p.steps(payload if isinstance(payload, dict) else {}, "s", 1),
                  lambda: p.produced(payload if isinstance(payload, dict) else {}),
                  lambda: p.workflow(payload, pk_key="user_task_pk", name_key="task_name", icon_key="task_icon",
                                     description_key="task_description"),
                  *(lambda d=d: d.run(payload, 1) for d in DIALECTS)):
        try:
            out = parse()
        except MojodexError:
            continue
        except TypeError as exc:  # only a wrong signature of this test, never a payload, may raise this
            raise AssertionError(exc) from exc
        if isinstance(out, RunInfo):
            usable(clean(out.values))


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_atomic_write_of_any_text_leaves_valid_utf8(tmp_path: Path, value):
    target = tmp_path / "out.json"
    text = json.dumps(value if not isinstance(value, bytes) else repr(value), default=repr)
    atomic_write(target, text)  # json.dumps escapes surrogates: the file is ASCII
    written = target.read_bytes().decode("utf-8")
    assert written == text and written.isascii()
    json.loads(written)  # NaN != NaN: the text is compared, the parse only has to succeed
    atomic_write(target, "raw \udcff text")  # a lone surrogate written as is is replaced, not a crash
    target.read_bytes().decode("utf-8")
    assert not list(tmp_path.glob(".*.tmp"))


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(result=values)
def test_the_waiting_runs_file_stays_valid_utf8_json_whatever_a_step_held(tmp_path: Path, result):
    from mojodex_core._config import Config
    from mojodex_core._context import ShellContext
    from mojodex_workflow.waiting import WaitingRuns

    ctx = ShellContext(Config(tmp_path / "config.toml"), tmp_path, interactive=False)
    kept = WaitingRuns.of_server(ctx).handle(1)
    step = StepEvent(session_id="s\udcff", step_name="n\ud800", step_execution_pk=1,
                     result=result if isinstance(result, list) else [result], source="server",
                     data={"raw": result, "bytes": b"\x00\xff"})
    kept.waiting(step, step.result)
    kept.validated(step, step.result)
    data = json.loads((tmp_path / "waiting-runs.json").read_bytes().decode("utf-8"))
    assert data


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=30), SURROGATES))
def test_config_and_credentials_files_stay_valid_whatever_text_they_keep(tmp_path: Path, text):
    from mojodex_core._config import Config
    from mojodex_core._credentials import CredentialStore, User

    config = Config(tmp_path / "config.toml", {"shell": {"prompt": "mojodex> "}})
    try:
        config.set("shell.prompt", text)
    except MojodexError:
        pass
    if (tmp_path / "config.toml").exists():
        tomllib.loads((tmp_path / "config.toml").read_bytes().decode("utf-8"))
    CredentialStore(tmp_path / "credentials").save(User(server="http://127.0.0.1:1", token="t", name=text,
                                                         email=text))
    json.loads((tmp_path / "credentials").read_bytes().decode("utf-8"))
