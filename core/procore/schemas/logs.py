"""Daily log records: manpower and quantity logs."""

from __future__ import annotations

from pydantic import Field

from core.procore.schemas.base import (
    CostCodeField,
    Day,
    Extras,
    Hours,
    Id,
    Instant,
    LocationRef,
    NamedRef,
    ProcoreModel,
    Text,
    UserRef,
)


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


