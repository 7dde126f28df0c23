"""The reference server's in-memory storage keeps the orderings and the update rules its SQL had."""

from __future__ import annotations

from mojodex_server.store import Store
from mojodex_server.task_store import Upload

STEP = {"step_name": "s", "name_for_user": "S", "definition_for_user": "d"}


def test_each_table_counts_from_first_pk_and_reads_are_snapshots() -> None:
    store = Store(first_pk=7)
    user = store.add_user("a@example.com", "pw", "A")
    tasks = store.tasks
    task_pk = tasks.add_task("W", "i", "d", "workflow", [{"input_name": "x"}], [STEP, {**STEP, "step_name": "t"}])
    user_task_pk = tasks.add_user_task(user.user_pk, task_pk)
    run = tasks.add_execution(user_task_pk, user.user_pk, None)  # a spec execution: inputs not submitted yet
    step = tasks.task_steps(task_pk)[1]
    se_pk = tasks.add_step_execution(run, step.workflow_step_pk, {"k": 1})
    assert (user.user_pk, task_pk, user_task_pk, run, step.workflow_step_pk, se_pk) == (7, 7, 7, 7, 8, 7)
    tasks.step_executions(run)[0].parameter["k"] = 2
    found = tasks.user_task(user_task_pk)
    assert found is not None
    found.json_input.clear()
    assert tasks.known_step_execution(se_pk).parameter == {"k": 1}
    assert tasks.user_task(user_task_pk).json_input == [{"input_name": "x"}]  # type: ignore[union-attr]
    tasks.set_finished(run)
    tasks.set_error(run, "boom")
    stored = tasks.known_execution(run)
    assert (stored.json_input_values, stored.finished, stored.error) == (None, True, "boom")
    assert store.check_password("a@example.com", "pw") == user and store.check_password("a@example.com", "x") is None


def test_tasks_runs_and_texts_keep_their_sql_rules() -> None:
    tasks = Store(first_pk=3).tasks
    poem, teaser, off = (tasks.add_task(n, "i", "d", "workflow", [], [STEP], visible_for_teasing=n == "teaser")
                         for n in ("poem", "teaser", "off"))
    tasks.add_task("hidden", "i", "d", "instruct", [], [])
    mine = tasks.add_user_task(9, poem)
    disabled = tasks.add_user_task(9, off, enabled=False)
    assert [t.user_task_pk for t in tasks.enabled_user_tasks(9, -1, 0)] == [mine]
    assert [(t.user_task_pk, t.task_pk) for t in tasks.unavailable_tasks(9, 10, 0)] == [(None, teaser),
                                                                                         (disabled, off)]
    run = tasks.add_execution(mine, 9, [])
    tasks.set_title(run, "t", "sum")
    tasks.set_title(run, "t2")
    tasks.set_started(run)
    started = tasks.execution(run).start_date  # type: ignore[union-attr]
    tasks._executions.update(run, start_date="earlier")  # a start of another second
    tasks.set_started(run)
    assert (tasks.execution(run).title, tasks.execution(run).summary) == ("t2", "sum")  # type: ignore[union-attr]
    assert started is not None and tasks.execution(run).start_date == "earlier"  # type: ignore[union-attr]
    first = tasks.add_produced_text_version(run, 9, "a", "A")
    by_hand = tasks.add_produced_text(run, 9)
    tasks.add_version(by_hand, None, "B")
    third = tasks.add_produced_text_version(run, 9, "c", "C")  # the hand-made text took over
    assert (first.index, third.index, third.produced_text_pk) == (1, 3, by_hand)
    for text in ("1", "2", "3"):
        tasks.add_message("s", "user", {"text": text})
    assert [m.message["text"] for m in tasks.messages("s", 1, 1)] == ["2"]
    tasks.add_upload(run, Upload("file", "a.txt", "text/plain", b"abc"))
    assert [(u.input_name, u.filename, u.size) for u in tasks.uploads(run)] == [("file", "a.txt", 3)]


def test_chats_with_messages_come_spoken_in_last_first() -> None:
    store = Store()
    quiet, early, late = (store.chats.add(5) for _ in range(3))
    store.tasks.add_message(late, "user", {})
    store.tasks.add_message(early, "user", {})
    assert store.chats.with_messages(5, 10, 0) == [early, late]
    store.chats.delete(early)
    assert store.chats.with_messages(5, 10, 0) == [late] and store.session_owner(early) is None
    assert store.session_owner(quiet) == 5
