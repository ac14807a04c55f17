"""What time is charged to: line item types, cost codes, work classifications, time types and crews."""

from __future__ import annotations

from pydantic import Field

from core.procore.schemas.base import (
    Flag,
    Id,
    Instant,
    Items,
    NamedRef,
    PartyRef,
    ProcoreModel,
    Text,
    TimeTypeRef,
    UserRef,
)


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


