"""Stored publish entries (one aggregate each, with its Procore state), publish runs and their audit trail.

Enums are stored as their values in plain strings, so adding a status or a
module never needs a database enum migration.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


class PublishModule(StrEnum):
    """What is published: each module has its own aggregation, key and Procore target."""

    MANPOWER = "manpower"  # → daily log manpower logs
    TIMECARD = "timecard"  # → timecard entries
    QUANTITY = "quantity"  # → daily log quantity logs
    TIMESHEET = "timesheet"  # → project timesheets


class PublishStatus(StrEnum):
    """Where an entry stands; the legal moves are `core.publishing.status.ALLOWED`."""

    TO_DO = "to_do"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    UPDATED = "updated"
    FAILED = "failed"
    DELETED = "deleted"
    NON_PUBLISHABLE = "non_publishable"


class AttemptAction(StrEnum):
    """What one attempt did (or meant to do) in Procore."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SKIP = "skip"
    RECONCILE = "reconcile"


def _instant(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _big_id() -> Column[int]:
    return Column(BigInteger(), nullable=True)


def _json(*, nullable: bool = False) -> Column[Any]:
    return Column(JSON(), nullable=nullable)


class PublishEntryBase(SQLModel):
    """An entry's key. Its ids are copied from the time logs or production quantities it is computed from, whose
    own foreign keys hold the records they name: the entries' table checks none again (migration 0018)."""

    module: PublishModule = Field(sa_type=String(20))
    natural_key: str = Field(
        max_length=200, description="The key columns joined by '|' (empty for none); unique per module."
    )
    job_site_id: int
    work_date: date
    company_id: int | None = None
    crew_id: int | None = None
    employee_id: int | None = None
    pay_id_id: int | None = None
    cost_code_id: int | None = None


CALENDAR_INDEX_COLUMNS = (
    "module", "work_date", "job_site_id", "status", "figure_count", "figure_amount", "cost_code_id", "figure_unit",
)
_HELD = "claim_token IS NOT NULL"  # an entry a publish holds


class PublishEntry(PublishEntryBase, table=True):
    """One aggregate of one module (a manpower row, a timecard, a quantity) and its Procore state.

    `status` is written only by `core.publishing.status.transition` (and the
    claim UPDATE, whose WHERE clause comes from the same table).
    """

    __tablename__ = "publish_entry"
    __table_args__ = (
        UniqueConstraint("module", "natural_key", name="uq_publish_entry_key"),
        # The calendar's counts and figures come from this index alone (it covers every column they read).
        Index("ix_publish_entry_calendar", *CALENDAR_INDEX_COLUMNS),
        # Only claimed entries are held here (migration 0017): a lookup by token or by a stale claim's age.
        Index("ix_publish_entry_claim", "claim_token", sqlite_where=text(_HELD), postgresql_where=text(_HELD)),
    )

    id: int | None = Field(default=None, primary_key=True)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=_json())
    fingerprint: str = Field(max_length=64, description="SHA-256 of the canonical JSON of `values`.")
    status: PublishStatus = Field(default=PublishStatus.TO_DO, sa_type=String(20))
    reasons: list[str] = Field(
        default_factory=list, sa_column=_json(), description="Why it cannot be published, or Procore's failure."
    )
    source_removed_at: datetime | None = Field(
        default=None, sa_column=_instant(nullable=True), description="When a refresh found no source rows left."
    )
    procore_id: int | None = Field(default=None, sa_column=_big_id())
    procore_project_id: int | None = Field(default=None, sa_column=_big_id())
    published_fingerprint: str | None = Field(default=None, max_length=64)
    published_values: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
    published_payload: dict[str, Any] | None = Field(
        default=None, sa_column=_json(nullable=True), description="The Procore fields our last write set."
    )
    published_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    remote_updated_at: datetime | None = Field(
        default=None, sa_column=_instant(nullable=True), description="Procore's updated_at after our last write."
    )
    claim_token: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    release_status: PublishStatus | None = Field(
        default=None, sa_type=String(20), description="While claimed: the status a release without a write returns to."
    )
    version: int = Field(default=1, description="Bumped on every write; guards bulk updates.")
    figure_count: int | None = Field(
        default=None, description="What the entry adds to its day's count on the calendar (`core.publishing.figures`)."
    )
    figure_amount: float | None = Field(
        default=None, description="What it adds to its day's hours (a quantity: its units), a copy from `values`."
    )
    figure_unit: str | None = Field(default=None, sa_type=String(), description="A quantity's unit of measure.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_instant())


class PublishRun(SQLModel, table=True):
    """One press of Publish, Republish or Force publish (or one scheduled run)."""

    __tablename__ = "publish_run"
    __table_args__ = (Index("ix_publish_run_module_started", "module", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    module: PublishModule = Field(sa_type=String(20))
    action: str = Field(max_length=30, description="publish, republish or force_publish.")
    requested_by: str = Field(max_length=254)
    start_date: date | None = None
    end_date: date | None = None
    started_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    finished_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    entries: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0


class PublishAttempt(SQLModel, table=True):
    """The audit trail: one row per write (or deliberate skip) for one entry.

    Kept when the entry is removed (after a Procore record is deleted), so
    `entry_id` is a plain column, and the key is copied.
    """

    __tablename__ = "publish_attempt"
    __table_args__ = (Index("ix_publish_attempt_entry", "entry_id", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int | None = None
    module: PublishModule = Field(sa_type=String(20))
    natural_key: str = Field(max_length=200)
    job_site_id: int
    work_date: date
    run_id: int | None = Field(default=None, foreign_key="publish_run.id", index=True, ondelete="SET NULL")
    requested_by: str = Field(max_length=254)
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    action: AttemptAction = Field(sa_type=String(20))
    request_body: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
    procore_id: int | None = Field(default=None, sa_column=_big_id())
    status_code: int | None = None
    message: str | None = Field(default=None, max_length=2000)
    resulting_status: PublishStatus = Field(sa_type=String(20))


class DirtyDay(SQLModel, table=True):
    """A job-site day whose time logs or quantities changed, not yet recomputed by `module`'s refresh.

    Written in the same transaction as the change (`core.timeclock.dirty`); a
    refresh deletes the rows it read once it has recomputed their days. `seq`
    grows with every mark, so a mark written during a refresh outlives it.
    """

    __tablename__ = "dirty_day"
    __table_args__ = (Index("ix_dirty_day_module_date", "module", "work_date"),)

    seq: int | None = Field(default=None, primary_key=True)
    module: PublishModule = Field(sa_type=String(20))
    job_site_id: int
    work_date: date


class RefreshedDay(SQLModel, table=True):
    """A day `module` has computed whole (every job site) at least once since the last mapping change."""

    __tablename__ = "refreshed_day"

    module: PublishModule = Field(sa_type=String(20), primary_key=True)
    work_date: date = Field(primary_key=True)


class CalendarDay(SQLModel, table=True):
    """A day whose calendar cells of `module` are held in `calendar_cell` (PostgreSQL: `core.dashboards.held_cells`)."""

    __tablename__ = "calendar_day"

    module: PublishModule = Field(sa_type=String(20), primary_key=True)
    work_date: date = Field(primary_key=True)


class CalendarCell(SQLModel, table=True):
    """A job-site day's entries of `module` with one status: how many, and their figure columns summed.

    Kept by `core.dashboards.held_cells` from the marks triggers leave.
    """

    __tablename__ = "calendar_cell"

    module: PublishModule = Field(sa_type=String(20), primary_key=True)
    work_date: date = Field(primary_key=True)
    job_site_id: int = Field(primary_key=True)
    status: PublishStatus = Field(sa_type=String(20), primary_key=True)
    entries: int
    figure_count: int | None = None
    figure_amount: float | None = None


class CalendarMark(SQLModel, table=True):
    """A job-site day of `module` whose entries a statement changed: written by triggers on `publish_entry`,
    only ever inserted, and deleted by the reader that grouped the day's cells again."""

    __tablename__ = "calendar_mark"
    __table_args__ = (
        Index("ix_calendar_mark_module", "module", "id"),
        Index("ix_calendar_mark_day", "module", "work_date", "job_site_id"),  # SQLite's triggers mark a day once
    )

    id: int | None = Field(default=None, primary_key=True)
    module: PublishModule = Field(sa_type=String(20))
    work_date: date
    job_site_id: int
