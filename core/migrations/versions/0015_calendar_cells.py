"""calendar cells (PostgreSQL): each job-site day's entries counted by status, with their figures, kept at hand

A month's calendar grouped some 590,000 timecard entries on every open: 0.26–0.35 s
of PostgreSQL's own time on 2 cores, parallel or not. `calendar_cell` holds that
grouping per module, day, job site and status for the days someone has opened
(`calendar_day`); statement triggers on `publish_entry` note each job-site day a
statement changes in `calendar_mark`, one row per day and statement, never an update,
so writers never wait on each other or on a reader there. The dashboards bring the
cells of the marked days up to date before reading them
(`core.dashboards.held_cells`). SQLite groups a month fast enough without them and
has no statement triggers: the tables are made there too, one schema for both, and
stay empty.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = [
    """CREATE FUNCTION calendar_mark_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendar_mark (module, work_date, job_site_id)
    SELECT DISTINCT module, work_date, job_site_id FROM inserted_rows;
    RETURN NULL;
END $$""",
    """CREATE FUNCTION calendar_mark_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendar_mark (module, work_date, job_site_id)
    SELECT DISTINCT module, work_date, job_site_id FROM deleted_rows;
    RETURN NULL;
END $$""",
    # A change to columns a cell does not show (a claim, a Procore id, the values sent) marks nothing.
    """CREATE FUNCTION calendar_mark_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendar_mark (module, work_date, job_site_id)
    SELECT side.module, side.work_date, side.job_site_id
    FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.module, o.work_date, o.job_site_id), (n.module, n.work_date, n.job_site_id))
        AS side (module, work_date, job_site_id)
    WHERE (o.module, o.work_date, o.job_site_id, o.status, o.figure_count, o.figure_amount)
        IS DISTINCT FROM (n.module, n.work_date, n.job_site_id, n.status, n.figure_count, n.figure_amount)
    GROUP BY side.module, side.work_date, side.job_site_id;
    RETURN NULL;
END $$""",
    """CREATE FUNCTION calendar_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM calendar_day;
    DELETE FROM calendar_cell;
    DELETE FROM calendar_mark;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER publish_entry_calendar_insert AFTER INSERT ON publish_entry
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_mark_inserted()""",
    """CREATE TRIGGER publish_entry_calendar_update AFTER UPDATE ON publish_entry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_mark_updated()""",
    """CREATE TRIGGER publish_entry_calendar_delete AFTER DELETE ON publish_entry
    REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_mark_deleted()""",
    """CREATE TRIGGER publish_entry_calendar_truncate AFTER TRUNCATE ON publish_entry
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_forget()""",
]

NO_TRIGGERS = [
    "DROP TRIGGER publish_entry_calendar_truncate ON publish_entry",
    "DROP TRIGGER publish_entry_calendar_delete ON publish_entry",
    "DROP TRIGGER publish_entry_calendar_update ON publish_entry",
    "DROP TRIGGER publish_entry_calendar_insert ON publish_entry",
    "DROP FUNCTION calendar_forget()",
    "DROP FUNCTION calendar_mark_updated()",
    "DROP FUNCTION calendar_mark_deleted()",
    "DROP FUNCTION calendar_mark_inserted()",
]


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("module", "work_date"),
    )
    op.create_table(
        "calendar_cell",
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("job_site_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("figure_count", sa.Integer(), nullable=True),
        sa.Column("figure_amount", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("module", "work_date", "job_site_id", "status"),
    )
    op.create_table(
        "calendar_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("job_site_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_calendar_mark_module", "calendar_mark", ["module", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in NO_TRIGGERS:
            op.execute(statement)
    op.drop_index("ix_calendar_mark_module", table_name="calendar_mark")
    op.drop_table("calendar_mark")
    op.drop_table("calendar_cell")
    op.drop_table("calendar_day")
