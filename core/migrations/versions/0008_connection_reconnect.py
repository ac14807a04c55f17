"""procore connection: the access token's lifetime, and a stored 'needs a reconnect' mark

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procore_connection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_lifetime", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reconnect_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("reconnect_needed_at", core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procore_connection", schema=None) as batch_op:
        batch_op.drop_column("reconnect_needed_at")
        batch_op.drop_column("reconnect_reason")
        batch_op.drop_column("token_lifetime")
