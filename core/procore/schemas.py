"""Pydantic models of Procore's responses, tolerant of the shapes Procore really sends.

Procore is not consistent: hours come as "8.5" or 8.5, `cost_code` is an object in one family and a
string in another, `origin_id` is an integer here and a string there, ids exceed 32 bits, optional
fields go missing. Every field is optional except `id`, unknown fields are ignored, and numbers,
strings and blanks are coerced to one Python type per field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def _to_minutes(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str | float | Decimal):
        return int(Decimal(str(value)))
    return value


def _none_to_empty(value: Any) -> Any:
    return [] if value is None else value


def _none_to_empty_dict(value: Any) -> Any:
    return {} if value is None else value


def _assume_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Id = Annotated[int | None, BeforeValidator(_blank_to_none)]
Text = Annotated[str | None, BeforeValidator(_to_text)]
Hours = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
Minutes = Annotated[int | None, BeforeValidator(_to_minutes)]
Day = Annotated[date | None, BeforeValidator(_blank_to_none)]
Instant = Annotated[datetime | None, BeforeValidator(_blank_to_none), AfterValidator(_assume_utc)]
Flag = Annotated[bool | None, BeforeValidator(_blank_to_none)]
T = TypeVar("T")
Items = Annotated[list[T], BeforeValidator(_none_to_empty)]  # null arrives for empty lists too
Extras = Annotated[dict[str, Any], BeforeValidator(_none_to_empty_dict)]


class ProcoreModel(BaseModel):
    """Base of every response model: unknown fields ignored, aliases and names both accepted."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NamedRef(ProcoreModel):
    id: Id = None
    name: Text = None


class UserRef(NamedRef):
    login: Text = None


class PartyRef(NamedRef):
    first_name: Text = None
    last_name: Text = None
    is_employee: Flag = None
    employee_id: Text = None
    user_id: Id = None
    is_active: Flag = None


class LocationRef(NamedRef):
    node_name: Text = None
    parent_id: Id = None


class CostCodeRef(NamedRef):
    """A cost code as embedded in another record; Procore sometimes sends only its text."""

    code: Text = None
    full_code: Text = None
    long_name: Text = None

    @classmethod
    def _from_any(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str | int) and not isinstance(value, bool) else value


CostCodeField = Annotated[CostCodeRef | None, BeforeValidator(CostCodeRef._from_any)]


class TimeTypeRef(ProcoreModel):
    id: Id = None
    time_type: Text = None
    abbreviated_time_type: Text = None
    company_id: Id = None
    global_: Flag = Field(default=None, alias="global")


class TimesheetRef(ProcoreModel):
    id: Id = None
    date: Day = None
    name: Text = None
    number: Id = None
    status: Text = None


class Me(ProcoreModel):
    id: int
    login: Text = None
    name: Text = None


class Company(ProcoreModel):
    id: int
    name: Text = None
    is_active: Flag = None
    logo_url: Text = None
    my_company: Flag = None
    pcn_business_experience: Flag = None


class Project(ProcoreModel):
    id: int
    name: Text = None
    display_name: Text = None
    project_number: Text = None
    active: Flag = None
    stage: Text = None
    address: Text = None
    city: Text = None
    state_code: Text = None
    zip: Text = None
    country_code: Text = None
    time_zone: Text = None
    start_date: Day = None
    completion_date: Day = None
    origin_id: Text = None
    origin_data: Text = None
    company: NamedRef | None = None
    created_at: Instant = None
    updated_at: Instant = None


class Vendor(ProcoreModel):
    id: int
    name: Text = None
    abbreviated_name: Text = None
    legal_name: Text = None
    trade_name: Text = None
    is_active: Flag = None
    email_address: Text = None
    business_phone: Text = None
    origin_id: Text = None
    origin_code: Text = None
    origin_data: Text = None
    created_at: Instant = None
    updated_at: Instant = None


class CompanyUser(ProcoreModel):
    id: int
    name: Text = None
    first_name: Text = None
    last_name: Text = None
    email_address: Text = None
    employee_id: Text = None
    is_employee: Flag = None
    is_active: Flag = None
    job_title: Text = None
    contact_id: Id = None
    work_classification_id: Id = None
    vendor: NamedRef | None = None
    origin_id: Text = None
    origin_data: Text = None
    created_at: Instant = None
    updated_at: Instant = None


class PersonContact(ProcoreModel):
    is_active: Flag = None
    email: Text = None


class Person(ProcoreModel):
    """A company "person": a directory user or a reference user without a login (`user_id` empty)."""

    id: int
    first_name: Text = None
    last_name: Text = None
    name: Text = None
    is_employee: Flag = None
    employee_id: Text = None
    user_id: Id = None
    user_uuid: Text = None
    work_classification_id: Id = None
    origin_id: Text = None
    contact: PersonContact | None = None

    @property
    def full_name(self) -> str:
        return self.name or " ".join(part for part in (self.first_name, self.last_name) if part)


class LineItemType(NamedRef):
    code: Text = None
    base_type: Text = None


class CostCode(ProcoreModel):
    id: int
    code: Text = None
    full_code: Text = None
    name: Text = None
    long_name: Text = None
    parent: NamedRef | None = None
    position: Id = None
    standard_cost_code_id: Id = None
    budgeted: Flag = None
    origin_id: Text = None
    origin_data: Text = None
    line_item_types: Items[LineItemType] = Field(default_factory=list)
    created_at: Instant = None
    updated_at: Instant = None
    deleted_at: Instant = None


class StandardCostCodeList(ProcoreModel):
    id: int
    name: Text = None
    available_to_use_on_new_projects: Flag = None
    is_erp_list: Flag = None


class StandardCostCode(ProcoreModel):
    id: int
    standard_cost_code_list_id: Id = None
    parent_id: Id = None
    code: Text = None
    full_code: Text = None
    name: Text = None
    origin_id: Text = None
    origin_data: Text = None


class WorkClassification(ProcoreModel):
    id: int
    name: Text = None
    abbreviation: Text = None
    company_id: Id = None
    deletable: Flag = None
    company_visible: Flag = None
    project_ids: Items[int] = Field(default_factory=list)
    created_at: Instant = None
    updated_at: Instant = None


class TimecardTimeType(TimeTypeRef):
    """A time type (Regular, Overtime, ...); the company list carries only id and time_type."""

    id: int


class Crew(ProcoreModel):
    id: int
    name: Text = None
    project_id: Id = None
    company_id: Id = None
    lead: UserRef | None = None
    lead_party: PartyRef | None = None
    employees: Items[UserRef] = Field(default_factory=list)
    members: Items[PartyRef] = Field(default_factory=list)
    created_at: Instant = None
    updated_at: Instant = None


class ManpowerLog(ProcoreModel):
    id: int
    date: Day = None
    datetime: Instant = None
    num_workers: Id = None
    num_hours: Hours = None
    man_hours: Hours = None
    notes: Text = None
    position: Id = None
    status: Text = None
    vendor: NamedRef | None = None
    user: UserRef | None = None
    contact: NamedRef | None = None
    cost_code: CostCodeField = None
    location: LocationRef | None = None
    trade: NamedRef | None = None
    created_by: UserRef | None = None
    custom_fields: Extras = Field(default_factory=dict)
    created_at: Instant = None
    updated_at: Instant = None
    deleted_at: Instant = None


class QuantityLog(ProcoreModel):
    id: int
    date: Day = None
    datetime: Instant = None
    description: Text = None
    quantity: Hours = None
    unit: Text = None
    position: Id = None
    cost_code: CostCodeField = None
    location: LocationRef | None = None
    vendor: NamedRef | None = None
    daily_log_segment_id: Id = None
    created_by: UserRef | None = None
    created_at: Instant = None
    updated_at: Instant = None
    deleted_at: Instant = None


class TimecardEntry(ProcoreModel):
    """One timecard entry, read from any of Procore's three timecard families (fields are their union)."""

    id: int
    date: Day = None
    datetime: Instant = None
    hours: Hours = None
    time_in: Instant = None
    time_out: Instant = None
    lunch_time: Minutes = None
    billable: Flag = None
    description: Text = None
    injured: Flag = None
    signed: Flag = None
    in_progress: Flag = None
    approval_status: Text = None
    timecard_type: Text = None
    origin_id: Text = None
    origin_data: Text = None
    project_id: Id = None
    company_id: Id = None
    party_id: Id = None
    cost_code_id: Id = None
    line_item_type_id: Id = None
    timecard_time_type_id: Id = None
    timesheet_id: Id = None
    work_classification_id: Id = None
    crew_id: Id = None
    wbs_code_id: Id = None
    cost_code: CostCodeField = None
    full_cost_code: NamedRef | None = None
    timecard_time_type: TimeTypeRef | None = None
    timesheet: TimesheetRef | None = None
    party: PartyRef | None = None
    login_information: UserRef | None = None
    crew: NamedRef | None = None
    sub_job: NamedRef | None = None
    location: LocationRef | None = None
    project: NamedRef | None = None
    created_by: UserRef | None = None
    custom_fields: Extras = Field(default_factory=dict)
    created_at: Instant = None
    updated_at: Instant = None
    deleted_at: Instant = None

    @property
    def resolved_cost_code_id(self) -> int | None:
        """The cost code id, wherever this family put it."""
        if self.cost_code_id is not None:
            return self.cost_code_id
        for ref in (self.cost_code, self.full_cost_code):
            if ref is not None and ref.id is not None:
                return ref.id
        return None

    @property
    def resolved_party_id(self) -> int | None:
        return self.party_id if self.party_id is not None else (self.party.id if self.party else None)

    @property
    def resolved_time_type_id(self) -> int | None:
        if self.timecard_time_type_id is not None:
            return self.timecard_time_type_id
        return self.timecard_time_type.id if self.timecard_time_type else None


class Timesheet(ProcoreModel):
    id: int
    date: Day = None
    name: Text = None
    number: Id = None
    status: Text = None
    created_by: UserRef | None = None
    timecard_entries: Items[TimecardEntry] = Field(default_factory=list)
    created_at: Instant = None
    updated_at: Instant = None


class OtherHours(ProcoreModel):
    hours: Hours = None
    project: NamedRef | None = None


class CompanyTimesheet(ProcoreModel):
    """One row of the company timesheet list: a person and their entries in the date range."""

    party: PartyRef | None = None
    other_hours: Items[OtherHours] = Field(default_factory=list)
    timecard_entries: Items[TimecardEntry] = Field(default_factory=list)
