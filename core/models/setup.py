"""How Procore is set up here: activated or not, two-way or one-way, which modules publish."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


class SyncMode(StrEnum):
    """Two-way imports Procore's lists and publishes; one-way only publishes (lists are mapped by hand)."""

    TWO_WAY = "two_way"
    ONE_WAY = "one_way"


class ProcoreSetup(SQLModel, table=True):
    """The one row of integration settings (connection details live in `procore_connection`)."""

    __tablename__ = "procore_setup"

    id: int | None = Field(default=None, primary_key=True)
    active: bool = Field(default=False, description="Procore was activated on Integrations > Overview.")
    mode: SyncMode | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    manpower: bool = False
    timecard: bool = False
    timesheet: bool = False
    quantity: bool = False
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
