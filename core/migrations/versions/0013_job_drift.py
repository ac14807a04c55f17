"""job drift: what the reconciliation after a scheduled publish found, one line per drifting job-site day

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 03:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publish_job") as batch:
        batch.add_column(sa.Column("drift", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publish_job") as batch:
        batch.drop_column("drift")
