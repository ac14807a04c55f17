"""dirty days: job-site days changed since each module's last refresh, and the days each module computed whole

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 22:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dirty_day",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("job_site_id", sa.Integer(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_dirty_day_module_date", "dirty_day", ["module", "work_date"])
    op.create_table(
        "refreshed_day",
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("module", "work_date"),
    )


def downgrade() -> None:
    op.drop_table("refreshed_day")
    op.drop_index("ix_dirty_day_module_date", table_name="dirty_day")
    op.drop_table("dirty_day")
