"""publish jobs: the job queue's publishes, their progress, and a lock per module and scope

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 22:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    op.create_table(
        "publish_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("requested_by", _TEXT(length=254), nullable=False),
        sa.Column("requested_role", _TEXT(length=100), nullable=False),
        sa.Column("module", _TEXT(length=20), nullable=False),
        sa.Column("action", _TEXT(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("job_site_ids", sa.JSON(), nullable=True),
        sa.Column("entry_ids", sa.JSON(), nullable=True),
        sa.Column("lock_key", _TEXT(length=400), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("summary", _TEXT(length=2000), nullable=False),
        sa.Column("error", _TEXT(length=2000), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("task_id", _TEXT(length=64), nullable=True),
        sa.Column("claim_token", _TEXT(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested_by", _TEXT(length=254), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["publish_run.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_publish_job_state", "publish_job", ["state", "created_at"])
    op.create_index("uq_publish_job_running_scope", "publish_job", ["lock_key"], unique=True,
                    sqlite_where=_RUNNING, postgresql_where=_RUNNING)


def downgrade() -> None:
    op.drop_index("uq_publish_job_running_scope", table_name="publish_job")
    op.drop_index("ix_publish_job_state", table_name="publish_job")
    op.drop_table("publish_job")
