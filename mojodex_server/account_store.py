"""Mojodex 0.4 around the runs, account by account: todos, the timezone offset, the plan (purchases), the French
names of tasks. Held in memory; the language itself is the user's column in ``store``.

Todos come from somewhere: as Mojodex's background service extracts follow-ups when a run ends, ``run_ended``
writes one or two scripted todos for a run the first time it ends (an instruct run at its first draft: two; a
workflow run at its produced text: one); an instruct run also uses a task of the plan then (0.4 counts a workflow
run only through its result chat). ``add_todo`` seeds others (tests, the demo). ``give_plan`` gives an account a
plan of N tasks (tests only): once they are used, the plan expires, its tasks vanish from ``GET /user_task`` and
creating a run answers 402 (protocol-0.4-more.md, section 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import ReferenceServer

DEFAULT_PLAN = "Pro Digital Assistant"
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
# The tasks with French data (the others stay English, as Write poem does on the real server).
FRENCH_NAMES = {"General Assistance": "Question générale", "Meeting minutes": "Compte rendu de réunion"}
FRENCH_INPUTS = {"request": {"description_for_user": "Comment puis-je vous aider?",
                             "placeholder": "Je suis là pour vous!"}}
UI_STRINGS = {
    "en": {"appDrawer": {"newTaskButton": "New task", "todosButton": "To-do list"},
           "account": {"title": "Account", "languageLabel": "Language"},
           "errorMessages": {"noPurchase": "You have no task left in your plan."}},
    "es": {"appDrawer": {"newTaskButton": "Nueva tarea", "todosButton": "Lista de tareas"},
           "account": {"title": "Cuenta", "languageLabel": "Idioma"},
           "errorMessages": {"noPurchase": "No te quedan tareas en tu plan."}},
    "fr": {"appDrawer": {"newTaskButton": "Nouvelle tâche", "todosButton": "Liste de tâches"},
           "account": {"title": "Compte", "languageLabel": "Langue"},
           "errorMessages": {"noPurchase": "Votre offre n'a plus de tâche."}},
}


def utc_today() -> date:
    return datetime.now(UTC).date()


def naive_now() -> str:
    """A timestamp as the backend writes ``completed`` and ``read_by_user`` (``datetime.now()``, naive)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


def task_name(name: str, language: str | None) -> str:
    return FRENCH_NAMES.get(name, name) if language == "fr" else name


def task_inputs(json_input: list[dict[str, Any]], language: str | None) -> list[dict[str, Any]]:
    if language != "fr":
        return json_input
    return [{**entry, **FRENCH_INPUTS.get(str(entry.get("input_name")), {})} for entry in json_input]


@dataclass
class Todo:
    pk: int
    run_pk: int
    user_pk: int
    description: str
    schedulings: list[date] = field(default_factory=list)
    creation_date: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    completed: str | None = None
    read_by_user: str | None = None
    deleted: str | None = None

    @property
    def scheduled(self) -> date | None:
        """The todo's date: the latest of its schedulings (a todo rescheduled earlier keeps the later date)."""
        return max(self.schedulings) if self.schedulings else None

    def json(self) -> dict[str, Any]:
        scheduled = self.scheduled
        return {"todo_pk": self.pk, "user_task_execution_fk": self.run_pk, "description": self.description,
                "scheduled_date": scheduled.isoformat() if scheduled else None, "completed": self.completed,
                "creation_date": self.creation_date, "read_by_user": self.read_by_user}


@dataclass
class Plan:
    name: str
    n_tasks_limit: int | None = None
    n_validity_days: int | None = 999
    consumed: int = 0
    active: bool = True

    def json(self, tasks: list[str], expired: bool = False) -> dict[str, Any]:
        days = "n_days_validity" if expired else "n_validity_days"  # each list names it its own way
        return {"product_name": self.name, "remaining_days": self.n_validity_days, days: self.n_validity_days,
                "n_tasks_limit": self.n_tasks_limit, "n_tasks_consumed": self.consumed, "tasks": tasks,
                "is_free_product": True}


@dataclass
class ProductCategory:
    """A product category a new account chooses (``PUT /associate_free_product``): ``free_plan`` names its
    limited free product, None when it has none."""

    pk: int
    emoji: str
    name: str
    description: str
    free_plan: str | None = DEFAULT_PLAN
    visible: bool = True


STOCK_CATEGORY = ("🪄", "Digital Assistant Demo", "Your digital assistant excels at meeting recaps, follow-up emails "
                  "and first drafts of anything you need written")


class AccountStore:
    def __init__(self, server: ReferenceServer, first_pk: int = 1) -> None:
        self.server = server
        self.todos: dict[int, Todo] = {}
        self.offsets: dict[int, int | None] = {}  # user pk -> timezone offset in minutes (None: never sent)
        self.plans: dict[int, list[Plan]] = {}
        self.extracted: set[int] = set()  # runs whose todos were written
        self.counted: set[int] = set()  # runs that used a task of their user's plan
        self._next_pk = first_pk
        self.categories: dict[int, ProductCategory] = {}
        self.add_category(*STOCK_CATEGORY)

    # ---- todos -----------------------------------------------------------------------------------------
    def add_todo(self, run_pk: int, description: str, *days: int, completed: bool = False,
                 deleted: bool = False, read: bool = False) -> Todo:
        """A todo of run ``run_pk`` scheduled ``days`` from today (UTC), one scheduling each (none: unscheduled).
        Its pk and its schedulings' share one sequence, as on the backend: pks go 2 by 2."""
        run = self.server.store.tasks.execution(run_pk)
        if run is None:
            raise KeyError(run_pk)
        today = utc_today()
        todo = Todo(self._next_pk, run_pk, run.user_fk, description, [today + timedelta(days=d) for d in days])
        self._next_pk += 1 + max(1, len(days))
        if completed:
            todo.completed = naive_now()
        if deleted:
            todo.deleted = naive_now()
        if read:
            todo.read_by_user = naive_now()
        self.todos[todo.pk] = todo
        return todo

    def user_todos(self, user_pk: int) -> list[Todo]:
        return [t for t in self.todos.values() if t.user_pk == user_pk]

    def listed(self, todo: Todo, offset: int | None, today: date) -> bool:
        """The to-do list's rule: open, scheduled, and ``date - offset minutes >= today 00:00 UTC``."""
        scheduled = todo.scheduled
        if offset is None or scheduled is None or todo.completed or todo.deleted:
            return False
        return datetime.combine(scheduled, datetime.min.time()) - timedelta(minutes=offset) >= \
            datetime.combine(today, datetime.min.time())

    def todo_list(self, user_pk: int) -> list[Todo]:
        offset, today = self.offsets.get(user_pk), utc_today()
        found = [t for t in self.user_todos(user_pk) if self.listed(t, offset, today)]
        return sorted(found, key=lambda t: (t.scheduled or today, t.pk))

    def run_todos(self, run_pk: int) -> list[Todo]:
        found = [t for t in self.todos.values() if t.run_pk == run_pk and not t.deleted and t.schedulings]
        return sorted(found, key=lambda t: (t.scheduled or utc_today(), t.pk))

    def unread(self, user_pk: int) -> int:
        return sum(1 for t in self.todo_list(user_pk) if t.read_by_user is None)

    def run_counts(self, run_pk: int) -> tuple[int, int]:
        """(n_todos, n_not_read_todos) of a run's JSON: non-deleted todos; of those, open and unread."""
        todos = [t for t in self.todos.values() if t.run_pk == run_pk and not t.deleted]
        return len(todos), sum(1 for t in todos if not t.completed and t.read_by_user is None)

    # ---- the end of a run ------------------------------------------------------------------------------
    def run_ended(self, run_pk: int, consume: bool = True) -> None:
        """A run ended (an instruct run's draft, a workflow run's produced text): the first time, write its
        scripted todos and (``consume``) count a task of the user's plan."""
        if run_pk in self.extracted:
            return
        run = self.server.store.tasks.execution(run_pk)
        if run is None:
            return
        self.extracted.add(run_pk)
        task = self.server.store.tasks.user_task(run.user_task_fk)
        subject = run.title or (task.name if task else "the run")
        if task is not None and task.task_type == "instruct":
            self.add_todo(run_pk, f"Send \"{subject}\" to the people it is for", 1)
            self.add_todo(run_pk, f"Ask for feedback on \"{subject}\"", 3)
        else:
            self.add_todo(run_pk, f"Share \"{subject}\"", 1)
        if consume:
            self.count(run_pk, run.user_fk)

    def count(self, run_pk: int, user_pk: int) -> None:
        """The run uses a task of the user's plan, once: an instruct run at its first draft, a workflow run at
        its first result-chat draft (protocol-0.4-more.md, sections 4 and 6)."""
        if run_pk not in self.counted:
            self.counted.add(run_pk)
            self.consume(user_pk)

    # ---- plans -----------------------------------------------------------------------------------------
    def give_default_plan(self, user_pk: int) -> None:
        self.plans[user_pk] = [Plan(DEFAULT_PLAN)]

    def give_plan(self, email: str, n_tasks: int, name: str = "Probe: one task") -> Plan:
        """Tests: ``email``'s plan becomes one of ``n_tasks`` tasks, none used yet (0: already used up)."""
        user = self.server.store.user_by_email(email)
        if user is None:
            raise KeyError(email)
        plan = Plan(name, n_tasks_limit=n_tasks, n_validity_days=None, active=n_tasks > 0)
        self.plans[user.user_pk] = [plan]
        return plan

    def add_category(self, emoji: str, name: str, description: str, free_plan: str | None = DEFAULT_PLAN,
                     visible: bool = True) -> ProductCategory:
        """A product category (tests: ``free_plan=None`` makes one without a free plan, as a back office can)."""
        category = ProductCategory(len(self.categories) + 1, emoji, name, description, free_plan, visible)
        self.categories[category.pk] = category
        return category

    def current(self, user_pk: int) -> list[Plan]:
        return [p for p in self.plans.get(user_pk, []) if p.active]

    def has_purchase(self, user_pk: int) -> bool:
        return bool(self.current(user_pk))

    def consume(self, user_pk: int) -> None:
        for plan in self.current(user_pk)[:1]:
            plan.consumed += 1
            if plan.n_tasks_limit is not None and plan.consumed >= plan.n_tasks_limit:
                plan.active = False

    def purchase_json(self, user_pk: int) -> dict[str, Any]:
        language = self.language(user_pk)
        tasks = [task_name(t.name, language) for t in self.server.store.tasks.enabled_user_tasks(user_pk, 1000, 0)]
        plans = self.plans.get(user_pk, [])
        expired = [p for p in plans if not p.active]
        return {"purchasable_products": [], "current_purchases": [p.json(tasks) for p in plans if p.active],
                "last_expired_purchase": [p.json(tasks, expired=True) for p in expired[-1:]]}

    # ---- language -------------------------------------------------------------------------------------
    def language(self, user_pk: int | None) -> str | None:
        user = self.server.store.user_by_pk(user_pk) if user_pk is not None else None
        return user.language_code if user else None

    def task_name(self, user_pk: int | None, name: str) -> str:
        """A task's name in the user's language (the tasks with French data change, the others stay)."""
        return task_name(name, self.language(user_pk))

    # ---- timezone --------------------------------------------------------------------------------------
    def offset(self, user_pk: int) -> int | None:
        return self.offsets.get(user_pk)

    def run_date(self, user_pk: int, value: str | None) -> str | None:
        """A run's date as the backend answers it: naive ISO while the user's offset is NULL, ``+00:00`` once it
        is set, never shifted."""
        if value is None:
            return None
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
        when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
        return when.replace(tzinfo=None).isoformat() if self.offsets.get(user_pk) is None else when.isoformat()


DEMO_MINUTES = ("Weekly sync with Paul", "## Decisions\n- The launch moves to next month.\n\n## Next steps\n"
                "- Send these minutes to Paul.\n- Book the room for the launch review.\n")


def seed_demo_todos(server: ReferenceServer, email: str) -> int:
    """What the demo shows at once in ``todo list``: a past run of Meeting minutes (0.4), with its text and two
    todos, due tomorrow and in four days (a date every timezone lists). Returns the run's pk."""
    tasks = server.store.tasks
    user = server.store.user_by_email(email)
    if user is None:
        raise KeyError(email)
    minutes = next((t for t in tasks.enabled_user_tasks(user.user_pk, 1000, 0) if t.name == "Meeting minutes"), None)
    if minutes is None or minutes.user_task_pk is None:
        raise KeyError("Meeting minutes")
    title, text = DEMO_MINUTES
    run_pk = tasks.add_execution(minutes.user_task_pk, user.user_pk, [
        {**entry, "value": value} for entry, value in zip(minutes.json_input, ("Weekly sync", "Paul, Demo User",
                                                                                "launch next month"), strict=False)])
    tasks.set_started(run_pk)
    tasks.set_title(run_pk, title)
    tasks.add_produced_text_version(run_pk, user.user_pk, title, text)
    server.accounts.extracted.add(run_pk)
    server.accounts.add_todo(run_pk, "Send the minutes of the weekly sync to Paul", 1)
    server.accounts.add_todo(run_pk, "Book the room for the launch review", 4)
    return run_pk
