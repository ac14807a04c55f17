"""The primary key of a stored row, as the int it is once the database has given it."""

from __future__ import annotations

from typing import Protocol


class HasId(Protocol):
    id: int | None


def saved_id(row: HasId) -> int:
    """`row.id`, which SQLModel types as optional because a new row has none until it is flushed."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add it to a session and flush first")
    return row.id
