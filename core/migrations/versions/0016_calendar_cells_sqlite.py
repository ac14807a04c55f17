"""calendar cells on SQLite too: row triggers on `publish_entry` note each job-site day a write changes

Grouping a month's 590,000 timecard entries costs SQLite 0.19–0.23 s on every
open of the calendar. PostgreSQL holds the grouping (`calendar_cell`, migration
0015), marked by statement triggers. SQLite has row triggers only: each notes the
job-site day of an entry it sees change in `calendar_mark` when the day is held
and not marked already (`ix_calendar_mark_day`, made on both databases: one
schema for both); a day never opened is grouped whole when it first is. Run by one statement per row (`executemany`), a trigger cost 25–35 µs per
entry; rows staged and written by one `INSERT … SELECT` (`core.db.bulk_insert`
does so for a table with triggers) fire it at no measurable cost.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def _mark(row: str) -> str:
    """Mark the job-site day of `row` (NEW or OLD) when the day is held (opened before) and not marked already: a
    day no one opened is grouped whole when it first is, and a week's 111,000 new entries make no marks at all."""
    return (f"INSERT INTO calendar_mark (module, work_date, job_site_id) SELECT {row}.module, {row}.work_date, "
            f"{row}.job_site_id WHERE EXISTS (SELECT 1 FROM calendar_day WHERE module = {row}.module "
            f"AND work_date = {row}.work_date) AND NOT EXISTS (SELECT 1 FROM calendar_mark WHERE "
            f"module = {row}.module AND work_date = {row}.work_date AND job_site_id = {row}.job_site_id);")


TRIGGERS = [
    f"""CREATE TRIGGER publish_entry_calendar_insert AFTER INSERT ON publish_entry
BEGIN {_mark("NEW")} END""",
    f"""CREATE TRIGGER publish_entry_calendar_delete AFTER DELETE ON publish_entry
BEGIN {_mark("OLD")} END""",
    # A change to columns a cell does not show (a claim, a Procore id, the values sent) marks nothing.
    f"""CREATE TRIGGER publish_entry_calendar_update AFTER UPDATE ON publish_entry
WHEN OLD.module IS NOT NEW.module OR OLD.work_date IS NOT NEW.work_date OR OLD.job_site_id IS NOT NEW.job_site_id
    OR OLD.status IS NOT NEW.status OR OLD.figure_count IS NOT NEW.figure_count
    OR OLD.figure_amount IS NOT NEW.figure_amount
BEGIN {_mark("OLD")} {_mark("NEW")} END""",
]
NAMES = ["publish_entry_calendar_insert", "publish_entry_calendar_delete", "publish_entry_calendar_update"]


def upgrade() -> None:
    op.create_index("ix_calendar_mark_day", "calendar_mark", ["module", "work_date", "job_site_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in NAMES:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DELETE FROM calendar_mark")
        op.execute("DELETE FROM calendar_cell")
        op.execute("DELETE FROM calendar_day")
    op.drop_index("ix_calendar_mark_day", table_name="calendar_mark")
