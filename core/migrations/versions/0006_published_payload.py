"""publish entry: the Procore fields last written

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publish_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publish_entry", schema=None) as batch_op:
        batch_op.drop_column("published_payload")
