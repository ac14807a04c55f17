from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.errors import ConfigurationError
from core.procore.client import ProcoreClient
from core.procore.errors import (
    ErrorAction,
    PermissionDeniedError,
    ProcoreNotFoundError,
    UnprocessableEntityError,
)
from core.procore.inputs import (
    BulkTimecardEntryInput,
    CompanyTimecardEntryInput,
    ManpowerLogInput,
    QuantityLogInput,
    TimecardEntryInput,
)
from tests.core.procore.conftest import CountingTransport, Emulator

DAY = date(2026, 3, 3)


@pytest.fixture
def ids(emulator: Emulator, service_client: ProcoreClient) -> dict[str, int]:
    project_id = emulator.project_id()
    worker = next(service_client.iter_people(employees_only=True))
    vendor = [v for v in service_client.iter_vendors()][1]
    code = next(service_client.iter_cost_codes(project_id=project_id))
    time_type = next(service_client.iter_project_time_types(project_id=project_id))
    return {"project": project_id, "worker": worker.id, "vendor": vendor.id, "code": code.id, "type": time_type.id}


def test_manpower_log_create_read_update_delete(service_client: ProcoreClient, ids: dict[str, int]) -> None:
    project = ids["project"]
    created = service_client.create_manpower_log(
        project_id=project,
        log=ManpowerLogInput(date=DAY, num_workers=4, num_hours=Decimal("7.5"), contact_id=ids["vendor"],
                             cost_code_id=ids["code"], notes="Framing level 2"),
    )
    assert (created.num_workers, created.num_hours, created.man_hours) == (4, Decimal("7.5"), Decimal("30.0"))
    assert created.vendor is not None
    assert created.vendor.id == ids["vendor"]
    assert created.cost_code is not None
    assert created.cost_code.id == ids["code"]

    updated = service_client.update_manpower_log(
        project_id=project, log_id=created.id, changes=ManpowerLogInput(num_workers=5)
    )
    listed = list(service_client.iter_manpower_logs(project_id=project, start=DAY, end=DAY))
    service_client.delete_manpower_log(project_id=project, log_id=created.id)

    assert updated.man_hours == Decimal("37.5")
    assert updated.notes == "Framing level 2"
    assert created.id in {log.id for log in listed}  # pending logs too: filters[status]=all
    with pytest.raises(ProcoreNotFoundError, match="found nothing"):
        service_client.get_manpower_log(project_id=project, log_id=created.id)


def test_quantity_log_round_trip_and_field_errors(service_client: ProcoreClient, ids: dict[str, int]) -> None:
    project = ids["project"]
    created = service_client.create_quantity_log(
        project_id=project, log=QuantityLogInput(date=DAY, quantity=40, unit="CY", description="Concrete poured")
    )
    fetched = service_client.get_quantity_log(project_id=project, log_id=created.id)
    changes = QuantityLogInput(quantity=42)
    changed = service_client.update_quantity_log(project_id=project, log_id=created.id, changes=changes)
    listed = [log.id for log in service_client.iter_quantity_logs(project_id=project, start=DAY, end=DAY)]
    service_client.delete_quantity_log(project_id=project, log_id=created.id)

    assert (fetched.quantity, fetched.unit, changed.quantity) == (Decimal(40), "CY", Decimal(42))
    assert created.id in listed
    with pytest.raises(UnprocessableEntityError) as caught:
        service_client.create_quantity_log(project_id=project, log=QuantityLogInput(date=DAY, unit="CY"))
    assert caught.value.field_errors == {"quantity": ["can't be blank"]}
    assert caught.value.action == ErrorAction.FIX_DATA
    assert "quantity: can't be blank" in str(caught.value)


def test_project_timecard_entry_round_trip(service_client: ProcoreClient, ids: dict[str, int]) -> None:
    project = ids["project"]
    entry = service_client.create_project_timecard_entry(
        project_id=project,
        entry=TimecardEntryInput(date=DAY, hours=Decimal("8"), party_id=ids["worker"], cost_code_id=ids["code"],
                                 timecard_time_type_id=ids["type"], description="Formwork", origin_id=987654),
    )
    changed = service_client.update_project_timecard_entry(
        project_id=project, entry_id=entry.id, changes=TimecardEntryInput(hours=Decimal("6.5"))
    )
    listed = [e.id for e in service_client.iter_project_timecard_entries(project_id=project, start=DAY, end=DAY)]
    got = service_client.get_project_timecard_entry(project_id=project, entry_id=entry.id)
    service_client.delete_project_timecard_entry(project_id=project, entry_id=entry.id)

    assert (entry.hours, changed.hours) == (Decimal(8), Decimal("6.5"))
    assert (got.description, got.origin_id) == ("Formwork", "987654")
    assert (got.resolved_party_id, got.resolved_cost_code_id, got.resolved_time_type_id) == (
        ids["worker"], ids["code"], ids["type"]
    )
    assert entry.id in listed


def test_company_timecard_entries_find_changes_and_deletions(
    service_client: ProcoreClient, ids: dict[str, int]
) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    entry = service_client.create_project_timecard_entry(
        project_id=ids["project"], entry=TimecardEntryInput(date=DAY, hours=Decimal("4"), party_id=ids["worker"])
    )
    until = datetime.now(UTC) + timedelta(minutes=1)

    changed = list(
        service_client.iter_company_timecard_entries(start=DAY, end=DAY, updated_from=since, updated_to=until)
    )
    fetched = service_client.get_company_timecard_entry(entry_id=entry.id)
    updated = service_client.update_company_timecard_entry(
        entry_id=entry.id, project_id=ids["project"], changes=CompanyTimecardEntryInput(date=DAY, hours=Decimal("5"))
    )
    deleted = service_client.delete_company_timecard_entry(entry_id=entry.id)
    gone = list(service_client.iter_company_timecard_entries(start=DAY, end=DAY, deleted_from=since, deleted_to=until))

    assert [e.id for e in changed] == [entry.id]
    assert (fetched.hours, updated.hours, deleted.id) == (Decimal(4), Decimal(5), entry.id)
    assert [e.id for e in gone] == [entry.id]


def test_bulk_create_sends_at_most_25_entries_per_request(
    service_client: ProcoreClient, ids: dict[str, int], transport: CountingTransport
) -> None:
    project = ids["project"]
    entries = [
        BulkTimecardEntryInput(project_id=project, party_id=ids["worker"], date=DAY - timedelta(days=n % 5),
                               hours=Decimal("1.25"), origin_id=f"ext-{n}")
        for n in range(30)
    ]

    chunks = list(service_client.bulk_create_project_timecard_entries(project_id=project, entries=entries))

    assert [len(chunk) for chunk in chunks] == [25, 5]
    assert transport.sent[("POST", f"/rest/v1.1/projects/{project}/project_timecard_entries/bulk_create")] == 2
    assert sorted(e.origin_id or "" for chunk in chunks for e in chunk) == sorted(f"ext-{n}" for n in range(30))


def test_bulk_create_refuses_entries_of_another_project(service_client: ProcoreClient, ids: dict[str, int]) -> None:
    entry = BulkTimecardEntryInput(project_id=1, party_id=ids["worker"], date=DAY, hours=Decimal(1))

    with pytest.raises(ValueError, match="entry for project 1"):
        list(service_client.bulk_create_project_timecard_entries(project_id=ids["project"], entries=[entry]))


def test_timesheets_create_list_and_approve(service_client: ProcoreClient, ids: dict[str, int]) -> None:
    project = ids["project"]
    sheet = service_client.create_project_timesheet(project_id=project, date=DAY)
    service_client.create_project_timecard_entry(
        project_id=project,
        entry=TimecardEntryInput(date=DAY, hours=Decimal(8), party_id=ids["worker"], timesheet_id=sheet.id),
    )

    approved = service_client.update_timesheet_approval(project_id=project, statuses={sheet.id: "approved"})
    listed = list(service_client.iter_project_timesheets(project_id=project, start=DAY, end=DAY))

    assert (sheet.status, approved.status) == ("pending", "approved")
    assert [e.approval_status for e in approved.timecard_entries] == ["approved"]
    assert [s.id for s in listed] == [sheet.id]


def _raw(client: ProcoreClient, path: str, **params: object) -> list[dict[str, Any]]:
    """Procore's own answer to a list call, in one page, untouched by our schemas."""
    response = client.http.get(path, params={"per_page": 1000, **params},
                               headers={"Procore-Company-Id": str(client.company_id)})
    response.raise_for_status()
    return list(response.json())


def test_lookups_for_mapping_are_typed(emulator: Emulator, service_client: ProcoreClient) -> None:
    """Each list the mapping screen offers holds every record Procore has, in order, with the codes and
    names people choose by, read one per page (per_page=1) into typed values."""
    company, project = emulator.company_id, emulator.project_id()
    code_list = next(service_client.iter_standard_cost_code_lists())
    client = service_client
    lookups: dict[str, tuple[list[Any], list[dict[str, Any]], tuple[str, ...]]] = {
        "standard cost codes": (
            list(client.iter_standard_cost_codes(standard_cost_code_list_id=code_list.id, per_page=1)),
            _raw(client, "/rest/v1.0/standard_cost_codes", company_id=company,
                 standard_cost_code_list_id=code_list.id, view="extended"),
            ("full_code", "name"),
        ),
        "work classifications": (
            list(client.iter_work_classifications(per_page=1)),
            _raw(client, f"/rest/v1.0/companies/{company}/work_classifications"),
            ("abbreviation", "name"),
        ),
        "time types": (
            list(client.iter_company_time_types(per_page=1)),
            _raw(client, f"/rest/v1.0/companies/{company}/timecard_time_types"),
            ("time_type",),
        ),
        "crews": (
            list(client.iter_crews(project_id=project, per_page=1)),
            _raw(client, f"/rest/v1.0/projects/{project}/crews"),
            ("name", "project_id"),
        ),
        "users": (
            list(client.iter_users(per_page=1)),
            _raw(client, f"/rest/v1.0/companies/{company}/users"),
            ("name", "is_employee"),
        ),
        "projects": (
            list(client.iter_projects(status="All", per_page=1)),
            _raw(client, "/rest/v1.0/projects", company_id=company, **{"filters[by_status]": "All"}),
            ("project_number", "name"),
        ),
    }

    for label, (typed, raw, fields) in lookups.items():
        assert len(raw) >= 2, f"{label}: the seed world has more than one page of them"
        assert [(item.id, *(getattr(item, f) for f in fields)) for item in typed] == [
            (row["id"], *(row[f] for f in fields)) for row in raw
        ], label
        assert all(type(item.id) is int for item in typed), label

    codes, classes, time_types, crews, users, projects = (typed for typed, _, _ in lookups.values())
    assert all(code.full_code for code in codes)
    assert {c.abbreviation for c in classes} >= {"LAB"}
    assert {t.time_type for t in time_types} >= {"Regular Time"}
    assert {crew.project_id for crew in crews} == {project}
    assert any(user.is_employee for user in users)
    assert any(not user.is_employee for user in users)
    assert all(p.id > 2**32 for p in projects)  # ids beyond 32 bits survive


def test_another_company_is_refused_with_a_plain_error(emulator: Emulator, service_client: ProcoreClient) -> None:
    with pytest.raises(PermissionDeniedError, match="App is not connected to this company"):
        list(service_client.iter_work_classifications(company_id=emulator.training_company_id))


def test_project_calls_need_a_selected_company(user_client: ProcoreClient) -> None:
    user_client.company_id = None

    with pytest.raises(ConfigurationError, match="choose one on Procore setup"):
        list(user_client.iter_manpower_logs(project_id=1, start=DAY, end=DAY))
