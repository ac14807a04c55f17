"""Publish entries name their records without foreign keys of their own (migration 0018): each record they name
is held by the key of a time log or production quantity the entry was computed from."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.db import alembic_config
from core.models import JobSite, PublishModule
from core.publishing import refresh_entries
from tests.conftest import DEMO_END

_NAMED = {"job_site_id": "job_site", "company_id": "company", "crew_id": "crew", "employee_id": "employee",
          "pay_id_id": "pay_id", "cost_code_id": "cost_code"}
_TRIGGERS = {"publish_entry_calendar_insert", "publish_entry_calendar_update", "publish_entry_calendar_delete"}


def test_no_record_an_entry_names_can_be_deleted(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        for module in (PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY):
            refresh_entries(session, module=module, start=DEMO_END - timedelta(days=13), end=DEMO_END)
        session.commit()
    for column, parent in _NAMED.items():
        with demo_engine.connect() as connection:
            named = [int(found) for found in connection.exec_driver_sql(
                f"SELECT DISTINCT {column} FROM publish_entry WHERE {column} IS NOT NULL").scalars()]  # noqa: S608
        assert named, f"no entry names a {parent}"
        for record in named:
            with demo_engine.connect() as connection, pytest.raises(IntegrityError):
                connection.exec_driver_sql(f"DELETE FROM {parent} WHERE id = {record}")  # noqa: S608 - ours
    with demo_engine.connect() as connection:
        orphans = {column: connection.exec_driver_sql(
            f"SELECT count(*) FROM publish_entry AS e WHERE e.{column} IS NOT NULL "  # noqa: S608 - ours
            f"AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE p.id = e.{column})").scalar_one()
            for column, parent in _NAMED.items()}
    assert orphans == dict.fromkeys(_NAMED, 0)


def test_the_entries_table_loses_its_keys_and_keeps_its_rows_indexes_and_triggers(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0017")
    with engine.begin() as connection:
        sites = JobSite.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
        connection.execute(sa.insert(sites).values(name="Bayfront Hotel", number="1007", time_zone="America/Chicago"))
        connection.exec_driver_sql(
            "INSERT INTO publish_entry (module, natural_key, job_site_id, work_date, \"values\", fingerprint, status, "
            "reasons, version, created_at, updated_at, claim_token) SELECT 'manpower', '1|2026-11-16|1', id, "
            "'2026-11-16', '{}', 'f', 'publishing', '[]', 3, '2026-11-16 07:00:00', '2026-11-16 07:00:00', 'held' "
            "FROM job_site")
        before = _shape(connection)
    assert before["keys"] == sorted(_NAMED)

    command.upgrade(config, "head")

    with engine.connect() as connection:
        after = _shape(connection)
        rows = connection.exec_driver_sql(
            "SELECT natural_key, status, version, claim_token FROM publish_entry").all()
    assert after == before | {"keys": []}
    for shape in (before, after):  # the calendar's triggers and the claims' condition, through both migrations
        definitions = shape["definitions"]
        assert isinstance(definitions, list)
        assert {name for kind, name, _ in definitions if kind == "trigger"} >= _TRIGGERS
        assert any(name == "ix_publish_entry_claim" and "claim_token IS NOT NULL" in sql
                   for kind, name, sql in definitions), definitions
    assert [tuple(row) for row in rows] == [("1|2026-11-16|1", "publishing", 3, "held")]


def _shape(connection: Connection) -> dict[str, object]:
    """The entries table's foreign keys (their columns), indexes (name, columns, condition) and triggers."""
    inspector = sa.inspect(connection)
    keys = sorted(column for key in inspector.get_foreign_keys("publish_entry")
                  for column in key["constrained_columns"])
    if connection.dialect.name == "sqlite":
        definitions = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'publish_entry' AND sql IS NOT NULL "
            "AND type IN ('index', 'trigger') ORDER BY type, name").all()
    else:
        definitions = connection.exec_driver_sql(
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = 'publish_entry' UNION ALL "
            "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'publish_entry'::regclass AND NOT tgisinternal ORDER BY 1, 2").all()
    unique = sorted(tuple(constraint["column_names"])
                    for constraint in inspector.get_unique_constraints("publish_entry"))
    return {"keys": keys, "definitions": [tuple(row) for row in definitions], "unique": unique}
