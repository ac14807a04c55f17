"""import field owners: who owns names and time zones when the two-way import finds Procore's differ

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_field_owner",
        sa.Column("field_group", sa.String(length=30), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("field_group"),
    )


def downgrade() -> None:
    op.drop_table("import_field_owner")
