"""The check every figures test makes: each stored entry's figure columns say what its values say."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import col, select

from core.models.publishing import PublishEntry, PublishModule
from core.publishing.figures import FIGURE_COLUMNS


def expected_figures(module: PublishModule, values: dict[str, Any]) -> tuple[Any, ...]:
    """The figure columns an entry of `module` with `values` should hold, spelled out by hand per module."""
    if module is PublishModule.MANPOWER:
        return values["manpower"], values["total_hours"], None
    if module is PublishModule.QUANTITY:
        return 1, values["units"], values["unit_of_measure"]
    return 1, values["hours"], None  # timecard, timesheet: each entry is one timecard


def disagreeing(connection: Connection) -> list[tuple[Any, ...]]:
    """Every entry whose figure columns differ from its values: (id, module, status, columns, values)."""
    query = select(col(PublishEntry.id), col(PublishEntry.module), col(PublishEntry.status),
                   col(PublishEntry.values), *(col(getattr(PublishEntry, name)) for name in FIGURE_COLUMNS))
    wrong = []
    for entry_id, module, status, values, *figures in connection.execute(query):
        if tuple(figures) != expected_figures(PublishModule(module), values):
            wrong.append((entry_id, module, status, tuple(figures), values))
    return wrong
