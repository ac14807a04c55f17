"""Migration 0014: entries stored before the figure columns get them from their values, and the schema the
migrations build is the one the models describe."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.db import alembic_config
from core.models import JobSite, PublishEntry
from core.publishing.figures import FIGURE_COLUMNS

_OLD_ENTRIES: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [  # module, values, figures expected
    ("manpower", {"manpower": 3, "total_hours": 24.5, "average_hours": 8.17}, (3, 24.5, None)),
    ("timecard", {"hours": 7.25, "pay_class_id": None}, (1, 7.25, None)),
    ("timesheet", {"hours": 8.0, "pay_class_id": 4}, (1, 8.0, None)),
    ("quantity", {"unit_of_measure": "CY", "units": 12.5}, (1, 12.5, "CY")),
]


def test_entries_stored_before_the_figure_columns_get_them_from_their_values(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0013")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        sites = JobSite.__table__  # type: ignore[attr-defined]
        connection.execute(insert(sites).values(name="Bayfront Hotel", number="1007", time_zone="America/Chicago"))
        site = connection.execute(select(sites.c.id)).scalar_one()
        for number, (module, values, _) in enumerate(_OLD_ENTRIES):
            connection.execute(text(
                'INSERT INTO publish_entry (module, natural_key, job_site_id, work_date, "values", fingerprint, '
                "status, reasons, version, created_at, updated_at) VALUES (:module, :key, :site, :day, :values, "
                "'f', 'to_do', '[]', 1, :now, :now)"
            ), {"module": module, "key": str(number), "site": site, "day": date(2026, 11, 16),
                "values": json.dumps(values), "now": now})

    command.upgrade(config, "head")

    table = PublishEntry.__table__  # type: ignore[attr-defined]
    query = select(table.c.module, *(table.c[name] for name in FIGURE_COLUMNS)).order_by(table.c.natural_key)
    with engine.connect() as connection:
        stored = [(module, tuple(figures)) for module, *figures in connection.execute(query)]
    assert stored == [(module, figures) for module, _, figures in _OLD_ENTRIES]


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
