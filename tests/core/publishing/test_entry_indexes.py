"""Claims are found through the claims' own index, which holds claimed entries only (migration 0017): by token
when a publish renews or ends them, by age when stale ones are released."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event

from core.models import PublishModule
from core.publishing.claims import claim_entries, release_stale_claims, touch_claims
from tests.core.publishing.conftest import World

_Run = tuple[str, Any]  # a statement and its parameters, as the driver was handed them


@contextmanager
def _claim_reads(engine: Engine) -> Iterator[list[_Run]]:
    """The statements naming `claim_token` in their conditions that `engine` runs inside the block."""
    seen: list[_Run] = []

    def note(_conn: object, _cursor: object, statement: str, parameters: Any, *_args: object) -> None:
        if "publish_entry" in statement and "WHERE" in statement and "claim_token" in statement.split("WHERE", 1)[1]:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _plan(engine: Engine, run: _Run) -> str:
    """How the database finds the rows of `run`; PostgreSQL is told to avoid reading the whole table where an index
    can answer (its few test rows would otherwise be read whole)."""
    statement, parameters = run
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            return "\n".join(str(row[0]) for row in rows)
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(row[-1]) for row in rows)


def test_claims_are_found_by_token_and_by_age_through_their_index(world: World) -> None:
    world.log("ann")
    world.log("bob")
    world.refresh(PublishModule.TIMECARD)
    session = world.session
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    claimed = claim_entries(session, entry_ids=[entry.id for entry in world.entries(PublishModule.TIMECARD)],  # type: ignore[misc]
                            token="publish-1")
    session.commit()
    assert len(claimed) == 2

    with _claim_reads(engine) as runs:
        assert touch_claims(session, token="publish-1") == 2
        session.commit()
        assert release_stale_claims(session, older_than=timedelta(0)) == 2  # both claims, gone stale at once
        session.commit()

    assert len(runs) >= 3  # the renewal, the search for stale claims, and the release by token
    plans = [_plan(engine, run) for run in runs]
    for (statement, _), plan in zip(runs, plans, strict=True):
        assert "ix_publish_entry_claim" in plan or "PRIMARY KEY" in plan or "pkey" in plan, (statement, plan)
        assert "Seq Scan on publish_entry" not in plan, (statement, plan)
        assert not any(step.strip() == "SCAN publish_entry" for step in plan.splitlines()), (statement, plan)
    assert sum("ix_publish_entry_claim" in plan for plan in plans) >= 2, plans
