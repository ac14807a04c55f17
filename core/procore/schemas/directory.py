"""Who and where: the signed-in user, companies, projects, vendors and people."""

from __future__ import annotations

from core.procore.schemas.base import (
    Day,
    Flag,
    Id,
    Instant,
    NamedRef,
    ProcoreModel,
    Text,
)


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


