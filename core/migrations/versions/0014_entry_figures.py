"""entry figures: each publish entry's calendar figures in plain columns, covered by the calendar's index

The dashboards summed a month's figures out of every entry's JSON `values`; the
count, the hours (a quantity's units) and a quantity's unit are now copied into
columns when `values` is written, and ix_publish_entry_calendar (module, date,
job site, status, figures) holds everything the calendar reads. Existing entries
are filled in from their values.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_INDEX = ("ix_publish_entry_dashboard", ["module", "work_date", "job_site_id"])
NEW_INDEX = ("ix_publish_entry_calendar", [
    "module", "work_date", "job_site_id", "status", "figure_count", "figure_amount", "cost_code_id", "figure_unit",
])
# Per module as it stood at this revision: the value counted (None: each entry counts 1), the amount, the unit.
SOURCES = {
    "manpower": ("manpower", "total_hours", None),
    "timecard": (None, "hours", None),
    "timesheet": (None, "hours", None),
    "quantity": (None, "units", "unit_of_measure"),
}


def upgrade() -> None:
    with op.batch_alter_table("publish_entry") as batch:
        batch.add_column(sa.Column("figure_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("figure_amount", sa.Float(), nullable=True))
        batch.add_column(sa.Column("figure_unit", sa.String(), nullable=True))
    entry = sa.table("publish_entry", sa.column("module", sa.String()), sa.column("values", sa.JSON()),
                     sa.column("figure_count", sa.Integer()), sa.column("figure_amount", sa.Float()),
                     sa.column("figure_unit", sa.String()))
    values = entry.c["values"]
    for module, (count, amount, unit) in SOURCES.items():
        op.execute(sa.update(entry).where(entry.c.module == module).values(
            figure_count=sa.literal(1) if count is None else values[count].as_integer(),
            figure_amount=values[amount].as_float(),
            figure_unit=sa.null() if unit is None else values[unit].as_string(),
        ))
    op.drop_index(OLD_INDEX[0], table_name="publish_entry")
    op.create_index(NEW_INDEX[0], "publish_entry", NEW_INDEX[1])


def downgrade() -> None:
    op.drop_index(NEW_INDEX[0], table_name="publish_entry")
    op.create_index(OLD_INDEX[0], "publish_entry", OLD_INDEX[1])
    with op.batch_alter_table("publish_entry") as batch:
        batch.drop_column("figure_unit")
        batch.drop_column("figure_amount")
        batch.drop_column("figure_count")
