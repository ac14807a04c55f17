"""Timecard entries and timesheets, as the project and company lists send them."""

from __future__ import annotations

from pydantic import Field

from core.procore.schemas.base import (
    CostCodeField,
    Day,
    Extras,
    Flag,
    Hours,
    Id,
    Instant,
    Items,
    LocationRef,
    Minutes,
    NamedRef,
    PartyRef,
    ProcoreModel,
    Text,
    TimesheetRef,
    TimeTypeRef,
    UserRef,
)


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
