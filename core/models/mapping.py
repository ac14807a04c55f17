"""Links between our records and Procore's, and the local copy of Procore's lists.

A link says "this job site is that Procore project". Import (two-way) creates
links as it creates or updates records; in one-way mode an admin makes them on
Data mapping, from the synced copy of Procore's lists.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow

COMPANY_WIDE = 0  # scope of records that do not belong to one Procore project


class Entity(StrEnum):
    """Kinds of linked records: our side ↔ Procore's side."""

    JOB_SITE = "job_site"  # ↔ project
    EMPLOYEE = "employee"  # ↔ person (employee)
    COMPANY = "company"  # ↔ vendor
    PAY_CLASS = "pay_class"  # ↔ work classification
    COST_CODE = "cost_code"  # ↔ cost code of one project (scope = that project)
    STANDARD_COST_CODE = "standard_cost_code"  # ↔ standard cost code (two-way import only)
    PAY_ID = "pay_id"  # ↔ timecard time type ("payroll type")


class LinkOrigin(StrEnum):
    IMPORT = "import"
    AUTO = "auto"
    MANUAL = "manual"


class ProcoreLink(SQLModel, table=True):
    """One of our records linked to one Procore record (within a Procore project for cost codes)."""

    __tablename__ = "procore_link"
    __table_args__ = (
        UniqueConstraint("entity", "local_id", "scope_id", name="uq_procore_link_local"),
        # One Procore record is linked to at most one of ours, except time types: several
        # pay IDs (e.g. REG and TRV) may be published as the same Procore payroll type.
        Index(
            "uq_procore_link_remote", "entity", "procore_id", "scope_id", unique=True,
            sqlite_where=text("entity != 'pay_id'"), postgresql_where=text("entity != 'pay_id'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: Entity = Field(sa_column=Column(String(30), nullable=False))
    local_id: int = Field(index=True)
    procore_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    scope_id: int = Field(default=COMPANY_WIDE, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    procore_company_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    origin: LinkOrigin = Field(sa_column=Column(String(20), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ProcoreRecord(SQLModel, table=True):
    """Our copy of one record of a Procore list (projects, people, vendors, codes, …)."""

    __tablename__ = "procore_record"
    __table_args__ = (
        UniqueConstraint("procore_company_id", "entity", "scope_id", "procore_id", name="uq_procore_record"),
        Index("ix_procore_record_lookup", "procore_company_id", "entity", "scope_id", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    procore_company_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    entity: Entity = Field(sa_column=Column(String(30), nullable=False))
    scope_id: int = Field(default=COMPANY_WIDE, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    procore_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    number: str | None = Field(default=None, max_length=100, description="The number auto-map compares.")
    name: str = Field(max_length=300)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    synced_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    missing_since: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True),
        description="Set when a sync no longer found it in Procore: links to it are broken.",
    )


class ListSync(SQLModel, table=True):
    """When a Procore list was last synced (per entity and scope), and how it went."""

    __tablename__ = "procore_list_sync"
    __table_args__ = (UniqueConstraint("procore_company_id", "entity", "scope_id", name="uq_procore_list_sync"),)

    id: int | None = Field(default=None, primary_key=True)
    procore_company_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    entity: Entity = Field(sa_column=Column(String(30), nullable=False))
    scope_id: int = Field(default=COMPANY_WIDE, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
    synced_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    count: int = 0


class PayrollItem(SQLModel, table=True):
    """A payroll item (a Procore timecard time type), imported in two-way mode.

    Each pay ID is published as the payroll item chosen for it on the Payroll items page.
    """

    __tablename__ = "payroll_item"
    __table_args__ = (UniqueConstraint("procore_id", name="uq_payroll_item_procore_id"),)

    id: int | None = Field(default=None, primary_key=True)
    procore_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    code: str = Field(max_length=50)
    name: str = Field(max_length=200)
    active: bool = True
