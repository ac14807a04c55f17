"""What we send to Procore: typed request bodies for the writes the product makes.

Only fields that were set are sent (`payload()` drops unset and None values), so an update touches
only what the caller named. Hours go as strings ("8.0"), the way Procore's schemas declare them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

HoursText = Annotated[Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str)]
ApprovalStatus = Literal["pending", "reviewed", "approved", "completed"]


class ProcoreInput(BaseModel):
    """Base of request bodies: unknown keyword arguments are refused, so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")

    def payload(self) -> dict[str, Any]:
        """The JSON body fields: set and non-None values only, dates and decimals as strings."""
        return self.model_dump(mode="json", exclude_none=True, exclude_unset=True)


class ManpowerLogInput(ProcoreInput):
    """A Daily Log manpower line: `contact_id` is the vendor doing the work; hours are per worker."""

    date: dt.date | None = None
    datetime: dt.datetime | None = None
    num_workers: int | None = None
    num_hours: HoursText | None = None
    notes: str | None = None
    contact_id: int | None = None
    user_id: int | None = None
    cost_code_id: int | None = None
    location_id: int | None = None
    trade_id: int | None = None
    status: Literal["pending", "approved"] | None = None


class QuantityLogInput(ProcoreInput):
    """A Daily Log quantity line; Procore's `quantity` is an integer and `unit` is free text."""

    date: dt.date | None = None
    datetime: dt.datetime | None = None
    description: str | None = None
    quantity: int | None = None
    unit: str | None = None
    cost_code_id: int | None = None
    location_id: int | None = None
    vendor_id: int | None = None


class TimecardEntryInput(ProcoreInput):
    """A timecard entry for the project family (`/projects/{id}/timecard_entries`)."""

    date: dt.date | None = None
    hours: HoursText | None = None
    time_in: dt.datetime | None = None
    time_out: dt.datetime | None = None
    lunch_time: int | None = None
    billable: bool | None = None
    description: str | None = None
    party_id: int | None = None
    login_information_id: int | None = None
    timecard_time_type_id: int | None = None
    cost_code_id: int | None = None
    line_item_type_id: int | None = None
    timesheet_id: int | None = None
    sub_job_id: int | None = None
    location_id: int | None = None
    origin_id: int | str | None = None
    origin_data: str | None = None


class CompanyTimecardEntryInput(TimecardEntryInput):
    """A timecard entry for the company family, which also takes crew and approval fields."""

    crew_id: int | None = None
    approval_status: ApprovalStatus | None = None
    set_timecard_time_type_automatically: bool | None = None


class BulkTimecardEntryInput(CompanyTimecardEntryInput):
    """One entry of v1.1 `project_timecard_entries/bulk_create` (also used for company bulk create)."""

    project_id: int
    work_classification_id: int | None = None
    wbs_code_id: int | None = None
    user_id: int | None = None
