"""The SQL a test's code runs: for tests that hold a read to one query, or to none, or that ask the database how
it runs each one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

StatementRun = tuple[str, Any]  # a statement and its parameters, as the driver was handed them


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block, in order."""
    seen: list[str] = []
    with _noting(engine, lambda statement, _parameters: seen.append(statement)):
        yield seen


@contextmanager
def statement_runs(engine: Engine) -> Iterator[list[StatementRun]]:
    """The SQL statements `engine` runs inside the block, in order, each with its parameters."""
    seen: list[StatementRun] = []
    with _noting(engine, lambda statement, parameters: seen.append((statement, parameters))):
        yield seen


@contextmanager
def _noting(engine: Engine, note: Callable[[str, Any], None]) -> Iterator[None]:
    def listener(_conn: object, _cursor: object, statement: str, parameters: Any, *_args: object) -> None:
        note(statement, parameters)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listener)
