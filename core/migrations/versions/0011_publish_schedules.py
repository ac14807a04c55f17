"""publish schedules: per module, every N hours or daily at HH:MM, a catch-up window and a policy

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 02:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "publish_schedule",
        sa.Column("module", _TEXT(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("every_hours", sa.Integer(), nullable=True),
        sa.Column("daily_at", _TEXT(length=5), nullable=True),
        sa.Column("days_back", sa.Integer(), nullable=False),
        sa.Column("approved_only", sa.Boolean(), nullable=False),
        sa.Column("last_run_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", _TEXT(length=2000), nullable=False),
        sa.Column("updated_by", _TEXT(length=254), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("module"),
    )


def downgrade() -> None:
    op.drop_table("publish_schedule")
