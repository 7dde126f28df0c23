"""The reference server's in-memory table: rows by primary key, keys counting up from ``first_pk``."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")
T = TypeVar("T")


def snapshot(row: R) -> R:
    """``row`` with copies of its dicts and lists (the JSON it holds): as a SELECT's row was, its own."""
    own = {f.name: copy.deepcopy(v) for f in dataclasses.fields(row)
           if isinstance(v := getattr(row, f.name), dict | list)}
    return dataclasses.replace(row, **own) if own else row


class Table(Generic[R]):
    """Frozen dataclass rows in the order of their keys (insertion order). Rows go in and come out as
    snapshots: changing what a reader got (its ``parameter`` dict, say) leaves the table as it was."""

    def __init__(self, first_pk: int) -> None:
        self._rows: dict[int, R] = {}
        self._next = first_pk  # so that clients cannot get away with assuming 1

    def add(self, make: Callable[..., R], *fields: Any) -> R:
        """The row ``make(pk, *fields)``, stored under the next key."""
        pk, self._next = self._next, self._next + 1
        self._rows[pk] = snapshot(make(pk, *fields))
        return snapshot(self._rows[pk])

    def get(self, pk: int) -> R | None:
        row = self._rows.get(pk)
        return None if row is None else snapshot(row)

    def where(self, keep: Callable[[R], bool] = lambda _: True) -> list[R]:
        """The rows ``keep`` accepts, by key (ORDER BY pk)."""
        return [snapshot(r) for r in self._rows.values() if keep(r)]

    def update(self, pk: int, **changes: Any) -> None:
        """UPDATE ... WHERE pk = ``pk`` (nothing when there is no such row)."""
        if pk in self._rows:
            self._rows[pk] = snapshot(dataclasses.replace(self._rows[pk], **changes))

    def __iter__(self) -> Iterator[R]:
        """The stored rows themselves, by key: for the store's own lookups, never to hand out."""
        return iter(self._rows.values())


def page(rows: list[T], limit: int, offset: int) -> list[T]:
    """LIMIT ``limit`` OFFSET ``offset`` as SQLite reads them: a negative limit is none, a negative offset 0."""
    offset = max(offset, 0)
    return rows[offset:] if limit < 0 else rows[offset:offset + limit]
