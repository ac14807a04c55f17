"""The time clock's own records: the source side of the integration."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, Index, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow


def _instant(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class CompanyBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    number: str = Field(min_length=1, max_length=50)
    is_own: bool = Field(default=False, description="Our own company, as opposed to a subcontractor.")


class Company(CompanyBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("number", name="uq_company_number"),)


class CrewBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")


class Crew(CrewBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_crew_company_name"),)


class PayClassBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    number: str = Field(min_length=1, max_length=50)


class PayClass(PayClassBase, table=True):
    __tablename__ = "pay_class"
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("number", name="uq_pay_class_number"),)


class PayIDBase(SQLModel):
    code: str = Field(min_length=1, max_length=20, description="Such as REG, OT or DT.")
    name: str = Field(min_length=1, max_length=100)


class PayID(PayIDBase, table=True):
    __tablename__ = "pay_id"
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("code", name="uq_pay_id_code"),)


class EmployeeBase(SQLModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    number: str = Field(min_length=1, max_length=50)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    pay_class_id: int | None = Field(default=None, foreign_key="pay_class.id", ondelete="SET NULL")
    active: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Employee(EmployeeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("number", name="uq_employee_number"),)


class JobSiteBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    number: str = Field(min_length=1, max_length=50)
    time_zone: str = Field(max_length=64, description="IANA time zone name, e.g. America/Chicago.")
    address: str = Field(default="", max_length=300)
    active: bool = True


class JobSite(JobSiteBase, table=True):
    __tablename__ = "job_site"
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (UniqueConstraint("number", name="uq_job_site_number"),)


class CostCodeBase(SQLModel):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    unit_of_measure: str = Field(default="HR", max_length=20)
    job_site_id: int | None = Field(
        default=None,
        foreign_key="job_site.id",
        index=True,
        ondelete="CASCADE",
        description="The job site the code belongs to; none means a standard code shared by all sites.",
    )


class CostCode(CostCodeBase, table=True):
    __tablename__ = "cost_code"
    id: int | None = Field(default=None, primary_key=True)
    __table_args__ = (
        UniqueConstraint("job_site_id", "code", name="uq_cost_code_site_code"),
        # NULL never equals NULL in a unique constraint, so standard codes need their own index.
        Index(
            "uq_cost_code_standard_code",
            "code",
            unique=True,
            sqlite_where=text("job_site_id IS NULL"),
            postgresql_where=text("job_site_id IS NULL"),
        ),
    )

    @property
    def is_standard(self) -> bool:
        return self.job_site_id is None


class TimeLogBase(SQLModel):
    employee_id: int = Field(foreign_key="employee.id", index=True, ondelete="RESTRICT")
    job_site_id: int = Field(foreign_key="job_site.id", ondelete="RESTRICT")
    cost_code_id: int | None = Field(default=None, foreign_key="cost_code.id", ondelete="RESTRICT")
    pay_id_id: int = Field(foreign_key="pay_id.id", ondelete="RESTRICT")
    pay_class_id: int | None = Field(default=None, foreign_key="pay_class.id", ondelete="RESTRICT")
    crew_id: int | None = Field(default=None, foreign_key="crew.id", ondelete="RESTRICT")
    company_id: int = Field(foreign_key="company.id", ondelete="RESTRICT")
    clock_in: datetime = Field(sa_column=_instant())
    clock_out: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    break_minutes: int = Field(default=0, ge=0)


class TimeLog(TimeLogBase, table=True):
    __tablename__ = "time_log"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    deleted_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    __table_args__ = (
        CheckConstraint("break_minutes >= 0", name="ck_time_log_break_non_negative"),
        CheckConstraint("clock_out IS NULL OR clock_out > clock_in", name="ck_time_log_out_after_in"),
        Index("ix_time_log_site_clock_in", "job_site_id", "clock_in"),
        # Aggregation reads every job site over a date range.
        Index("ix_time_log_clock_in", "clock_in"),
        Index("ix_time_log_updated_at", "updated_at"),
    )


class TimeLogUpdate(SQLModel):
    """Fields a person may change on a time log; unset fields stay as they are."""

    employee_id: int | None = None
    job_site_id: int | None = None
    cost_code_id: int | None = None
    pay_id_id: int | None = None
    pay_class_id: int | None = None
    crew_id: int | None = None
    company_id: int | None = None
    clock_in: datetime | None = None
    clock_out: datetime | None = None
    break_minutes: int | None = Field(default=None, ge=0)


class ProductionQuantityBase(SQLModel):
    job_site_id: int = Field(foreign_key="job_site.id", ondelete="RESTRICT")
    cost_code_id: int = Field(foreign_key="cost_code.id", ondelete="RESTRICT")
    date: date
    unit_of_measure: str = Field(max_length=20)
    units: Decimal = Field(sa_type=Numeric(14, 3), ge=0)


class ProductionQuantity(ProductionQuantityBase, table=True):
    __tablename__ = "production_quantity"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    deleted_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    __table_args__ = (
        CheckConstraint("units >= 0", name="ck_production_quantity_units_non_negative"),
        Index("ix_production_quantity_site_date", "job_site_id", "date"),
    )
