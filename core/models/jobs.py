"""Publish jobs: a publish waiting in the queue, running on a worker, or ended, with its live progress.

A job holds everything a worker needs to run the publish again (the request,
who asked and with which role), so it survives a closed tab, an app restart
and a worker that died. At most one job per lock key (module and scope) is
running at a time: a unique index over running rows is the lock.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, String, text
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


class JobState(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # its worker stopped answering; queued once more


class JobTrigger(StrEnum):
    """What started a job."""

    MANUAL = "manual"  # a day action on a dashboard or the payroll board
    RANGE = "range"  # "Publish week" / "Publish selected job sites"
    SCHEDULED = "scheduled"
    CLI = "cli"


RUNNING_ONLY = text("state = 'running'")


class PublishJob(SQLModel, table=True):
    """One publish as a job of the queue."""

    __tablename__ = "publish_job"
    __table_args__ = (
        Index("ix_publish_job_state", "state", "created_at"),
        Index("uq_publish_job_running_scope", "lock_key", unique=True,
              sqlite_where=RUNNING_ONLY, postgresql_where=RUNNING_ONLY),
    )

    id: int | None = Field(default=None, primary_key=True)
    trigger: JobTrigger = Field(sa_type=String(20))
    requested_by: str = Field(max_length=254)
    requested_role: str = Field(max_length=100, description="The role whose permissions the run has.")
    module: str = Field(max_length=20)
    action: str = Field(max_length=30)
    start_date: date
    end_date: date
    job_site_ids: list[int] | None = Field(default=None, sa_column=Column(JSON(), nullable=True))
    entry_ids: list[int] | None = Field(default=None, sa_column=Column(JSON(), nullable=True))
    lock_key: str = Field(max_length=400, description="Module and scope: two running jobs never share one.")
    state: JobState = Field(default=JobState.QUEUED, sa_type=String(20))
    done: int = 0
    total: int = 0
    summary: str = Field(default="", max_length=2000)
    error: str | None = Field(default=None, max_length=2000)
    drift: list[str] | None = Field(default=None, sa_column=Column(JSON(), nullable=True),
                                    description="After a scheduled publish: each job-site day Procore differs on.")
    run_id: int | None = Field(default=None, foreign_key="publish_run.id", ondelete="SET NULL")
    task_id: str | None = Field(default=None, max_length=64)
    claim_token: str | None = Field(default=None, max_length=64, description="The running attempt's entry claims.")
    attempts: int = 0
    cancel_requested_by: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class PublishSchedule(SQLModel, table=True):
    """A module's scheduled publish: when it runs, how far back it catches up, and which time it publishes.

    The row stays when the schedule is turned off, so turning it on again keeps its settings.
    """

    __tablename__ = "publish_schedule"

    module: str = Field(max_length=20, primary_key=True)
    active: bool = False
    every_hours: int | None = Field(default=None, description="Every N hours; None for a daily schedule.")
    daily_at: str | None = Field(default=None, max_length=5, description="HH:MM in the company's time zone.")
    days_back: int = 7
    approved_only: bool = Field(default=False, description="Only job-site weeks Approved or in Publish on payroll.")
    last_run_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_outcome: str = Field(default="", max_length=2000, description="What the last run queued, or why not.")
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
