"""Who owns each field group the two-way import could overwrite (names, time zones): one row per group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


class ImportFieldOwner(SQLModel, table=True):
    """A field group and its owner (`core.sync.import_changes.Owner`); a group without a row is asked about."""

    __tablename__ = "import_field_owner"

    field_group: str = Field(sa_column=Column(String(30), primary_key=True))
    owner: str = Field(sa_column=Column(String(20), nullable=False))
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
