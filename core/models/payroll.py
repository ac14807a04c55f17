"""The payroll board: where each job site's pay week stands in review, and the board's settings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


class BoardColumn(StrEnum):
    """The board's columns, left to right; Publish exists only while the Timesheet module is enabled."""

    TO_DO = "to_do"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISH = "publish"


class PayrollCard(SQLModel, table=True):
    """One job site's pay week on the board (no row yet means To do)."""

    __tablename__ = "payroll_card"
    __table_args__ = (UniqueConstraint("job_site_id", "week_start", name="uq_payroll_card_week"),)

    id: int | None = Field(default=None, primary_key=True)
    job_site_id: int = Field(foreign_key="job_site.id", ondelete="CASCADE")
    week_start: date
    column: BoardColumn = Field(default=BoardColumn.TO_DO, sa_type=String(20))
    moved_by: str = Field(max_length=254)
    moved_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_run_id: int | None = Field(default=None, foreign_key="publish_run.id", ondelete="SET NULL")


class PayrollSettings(SQLModel, table=True):
    """The one row of board settings."""

    __tablename__ = "payroll_settings"

    id: int | None = Field(default=None, primary_key=True)
    week_starts_on: int = Field(default=0, ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
