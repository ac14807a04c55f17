"""publish entries name their job site, company, crew, employee, pay ID and cost code without foreign keys

An entry's ids are copied, inside the refresh's transaction, from the time logs and production quantities it is
computed from, and those keep foreign keys of their own to the very same records, with ON DELETE RESTRICT. They
are never deleted (a deleted time log keeps its row, `deleted_at` set), and this product deletes none of the
records they name: every record an entry names is held by a source row's key already. The entries' own six keys
checked each inserted row again: PostgreSQL runs one lookup per key and row (a trigger's query), and a week's
first open writes 111,125 timecard entries. PostgreSQL alone inserting those rows took 7.0–7.3 s with the six
keys and 2.1–2.2 s without; the timecards' week first open, 3 rounds each alternated on copies of one database,
3.4–3.6 s against 5.8–8.0 s. SQLite's checks are lookups in its own process: 705,854 entries inserted by SQLite
alone took 5.2–5.9 s without them against 7.4–7.5 s, and the whole refresh of a million time logs did not move
beyond its noise (21.7–26.2 s against 21.0–27.5 s, 4 rounds each).

The migration takes 0.5 s on PostgreSQL and 9.2 s on SQLite with 705,854 entries.

SQLite cannot drop a constraint: the table is built again (Alembic's batch mode) and its indexes and triggers,
read before, are made again as they were.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 22:30:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "publish_entry"
_KEYS = {"job_site_id": "job_site", "company_id": "company", "crew_id": "crew", "employee_id": "employee",
         "pay_id_id": "pay_id", "cost_code_id": "cost_code"}
# SQLite keeps the keys unnamed: batch mode names what it reflects by this convention.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _name(column: str) -> str:
    return f"fk_{_TABLE}_{column}_{_KEYS[column]}"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for key in sa.inspect(bind).get_foreign_keys(_TABLE):  # PostgreSQL names every key
            op.drop_constraint(str(key["name"]), _TABLE, type_="foreignkey")
        return
    with _sqlite_indexes_and_triggers_kept(bind), \
            op.batch_alter_table(_TABLE, recreate="always", naming_convention=_NAMING) as batch:
        for column in _KEYS:
            batch.drop_constraint(_name(column), type_="foreignkey")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for column, parent in _KEYS.items():
            op.create_foreign_key(f"{_TABLE}_{column}_fkey", _TABLE, parent, [column], ["id"], ondelete="RESTRICT")
        return
    with _sqlite_indexes_and_triggers_kept(bind), \
            op.batch_alter_table(_TABLE, recreate="always", naming_convention=_NAMING) as batch:
        for column, parent in _KEYS.items():
            batch.create_foreign_key(_name(column), parent, [column], ["id"], ondelete="RESTRICT")


@contextmanager
def _sqlite_indexes_and_triggers_kept(bind: sa.Connection) -> Iterator[None]:
    """Around a rebuild of the table: its indexes and triggers read first and made again after it exactly as they
    were written (batch mode makes indexes again from what it reflects, and the triggers go with the old table)."""
    kept = [(str(kind), str(name), str(sql)) for kind, name, sql in bind.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name", (_TABLE,))]
    yield
    for kind, name, sql in kept:
        bind.exec_driver_sql(f'DROP {kind.upper()} IF EXISTS "{name}"')
        bind.exec_driver_sql(sql)
