"""Claims are found through the claims' own index, which holds claimed entries only (migration 0017): by token
when a publish renews or ends them, by age when stale ones are released."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from core.models import PublishModule
from core.publishing.claims import claim_entries, release_stale_claims, touch_claims
from tests.core.publishing.conftest import World
from tests.statements import StatementRun, statement_runs


def _claim_reads(runs: list[StatementRun]) -> list[StatementRun]:
    """The statements among `runs` naming `claim_token` in their conditions."""
    return [(statement, parameters) for statement, parameters in runs
            if "publish_entry" in statement and "claim_token" in statement.partition("WHERE")[2]]


def _plan(engine: Engine, run: StatementRun) -> str:
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

    with statement_runs(engine) as seen:
        assert touch_claims(session, token="publish-1") == 2
        session.commit()
        assert release_stale_claims(session, older_than=timedelta(0)) == 2  # both claims, gone stale at once
        session.commit()

    runs = _claim_reads(seen)
    assert len(runs) >= 3  # the renewal, the search for stale claims, and the release by token
    plans = [_plan(engine, run) for run in runs]
    for (statement, _), plan in zip(runs, plans, strict=True):
        assert "ix_publish_entry_claim" in plan or "PRIMARY KEY" in plan or "pkey" in plan, (statement, plan)
        assert "Seq Scan on publish_entry" not in plan, (statement, plan)
        assert not any(step.strip() == "SCAN publish_entry" for step in plan.splitlines()), (statement, plan)
    assert sum("ix_publish_entry_claim" in plan for plan in plans) >= 2, plans
