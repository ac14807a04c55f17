from __future__ import annotations

import httpx
import pytest

from tests.emulator.conftest import TODAY, Emu


def _vendors(emu: Emu, api: httpx.Client) -> dict[str, int]:
    rows = api.get("/rest/v1.0/vendors", params={"company_id": emu.company_id}).json()
    return {row["name"]: row["id"] for row in rows}


def _manpower(api: httpx.Client, project: int, **fields: object) -> httpx.Response:
    return api.post(f"/rest/v1.0/projects/{project}/manpower_logs", json={"manpower_log": fields})


def _quantity(api: httpx.Client, project: int, **fields: object) -> httpx.Response:
    return api.post(f"/rest/v1.0/projects/{project}/quantity_logs", json={"quantity_log": fields})


def test_manpower_crud_round_trip(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    vendor = _vendors(emu, api)["Apex Concrete"]
    code = emu.cost_codes(api, project)["03-300"]
    created = _manpower(api, project, date=TODAY, num_workers=4, num_hours=8.5, notes="Pour",
                        contact_id=vendor, cost_code_id=code)
    assert created.status_code == 201
    log = created.json()
    assert log["vendor"] == {"id": vendor, "name": "Apex Concrete"}
    assert log["contact"]["id"] == vendor
    assert log["contact"]["vendor_name"] == "Apex Concrete"
    assert log["num_hours"] == "8.5"
    assert log["man_hours"] == "34.0"
    assert log["cost_code"]["id"] == code
    assert log["status"] == "pending"
    url = f"/rest/v1.0/projects/{project}/manpower_logs/{log['id']}"
    assert api.get(url).json()["id"] == log["id"]
    updated = api.patch(url, json={"manpower_log": {"num_workers": 5, "num_hours": "7"}})
    assert updated.status_code == 200
    assert updated.json()["man_hours"] == "35.0"
    assert updated.json()["num_hours"] == "7.0"
    deleted = api.delete(url)
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert api.get(url).status_code == 404


def test_manpower_list_defaults_to_today_and_approved(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    log = _manpower(api, project, num_workers=2, num_hours=8).json()
    assert log["date"] == TODAY
    base = f"/rest/v1.0/projects/{project}/manpower_logs"
    assert api.get(base).json() == []
    pending = api.get(base, params={"filters[status]": "pending"}).json()
    assert [x["id"] for x in pending] == [log["id"]]
    assert [x["id"] for x in api.get(base, params={"filters[status]": "all"}).json()] == [log["id"]]
    emu.act("manpower_log", log["id"], "approve")
    assert [x["id"] for x in api.get(base).json()] == [log["id"]]


def test_manpower_history_is_reachable_with_dates(emu: Emu, api: httpx.Client) -> None:
    base = f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs"
    seeded = api.get(base, params={"start_date": "2026-03-01", "end_date": "2026-03-03",
                                   "filters[status]": "all"}).json()
    assert len(seeded) == 9
    assert {x["date"] for x in seeded} == {"2026-03-01", "2026-03-02", "2026-03-03"}
    approved = api.get(base, params={"start_date": "2026-03-01", "end_date": "2026-03-03"}).json()
    assert {x["status"] for x in approved} == {"approved"}
    assert len(approved) == 6
    one_day = api.get(base, params={"log_date": "2026-03-03", "filters[status]": "all"}).json()
    assert {x["date"] for x in one_day} == {"2026-03-03"}


def test_manpower_hours_at_most_24(emu: Emu, api: httpx.Client) -> None:
    answer = _manpower(api, emu.project_id(), num_workers=1, num_hours=25)
    assert answer.status_code == 422
    assert answer.json() == {"errors": {"num_hours": ["must be less than or equal to 24"]}}


def test_manpower_contact_must_be_a_vendor_of_the_company(emu: Emu, api: httpx.Client) -> None:
    person = emu.employees(api)[0]["id"]
    answer = _manpower(api, emu.project_id(), num_workers=1, num_hours=8, contact_id=person)
    assert answer.status_code == 422
    assert "contact_id" in answer.json()["errors"]


def test_quantity_crud_and_integer_rule(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    created = _quantity(api, project, date=TODAY, quantity=40, unit="cubic yards", description="Slab")
    assert created.status_code == 201
    assert created.json()["quantity"] == 40
    assert created.json()["unit"] == "cubic yards"
    for bad in (40.5, "12.5", "lots"):
        answer = _quantity(api, project, date=TODAY, quantity=bad, unit="CY")
        assert answer.status_code == 422
        assert answer.json() == {"errors": {"quantity": ["must be an integer"]}}
    url = f"/rest/v1.0/projects/{project}/quantity_logs/{created.json()['id']}"
    assert api.patch(url, json={"quantity_log": {"quantity": 2.5}}).status_code == 422
    assert api.patch(url, json={"quantity_log": {"quantity": 41}}).json()["quantity"] == 41
    listed = api.get(f"/rest/v1.0/projects/{project}/quantity_logs").json()
    assert [x["id"] for x in listed] == [created.json()["id"]]
    assert api.delete(url).status_code == 200
    assert api.get(f"/rest/v1.0/projects/{project}/quantity_logs").json() == []


@pytest.mark.parametrize("action", ["approve", "lock"])
@pytest.mark.parametrize("kind", ["manpower_log", "quantity_log"])
def test_approved_or_locked_logs_refuse_update_and_delete(
    emu: Emu, api: httpx.Client, kind: str, action: str
) -> None:
    project = emu.project_id()
    maker = _manpower if kind == "manpower_log" else _quantity
    fields = {"num_workers": 1, "num_hours": 8} if kind == "manpower_log" else {"quantity": 1}
    record = maker(api, project, **fields).json()
    emu.act(kind, record["id"], action)
    url = f"/rest/v1.0/projects/{project}/{kind}s/{record['id']}"
    patched = api.patch(url, json={kind: {"notes" if kind == "manpower_log" else "description": "x"}})
    assert patched.status_code == 422
    assert patched.json()["message"]
    assert api.delete(url).status_code == 422
    assert api.get(url).status_code == 200


def test_updated_at_moves_strictly_on_every_change(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    log = _manpower(api, project, num_workers=1, num_hours=8).json()
    url = f"/rest/v1.0/projects/{project}/manpower_logs/{log['id']}"
    stamps = [log["updated_at"]]
    for workers in range(2, 7):
        stamps.append(api.patch(url, json={"manpower_log": {"num_workers": workers}}).json()["updated_at"])
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    unchanged = api.patch(url, json={"manpower_log": {"num_workers": 6}}).json()["updated_at"]
    assert unchanged == stamps[-1]


def test_soft_deleted_logs_vanish_from_lists_and_get(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    log = _manpower(api, project, num_workers=1, num_hours=8).json()
    url = f"/rest/v1.0/projects/{project}/manpower_logs/{log['id']}"
    api.delete(url)
    assert api.get(url).status_code == 404
    assert api.patch(url, json={"manpower_log": {"num_workers": 2}}).status_code == 404
    assert api.get(f"/rest/v1.0/projects/{project}/manpower_logs", params={"filters[status]": "all"}).json() == []


def test_log_in_other_project_is_404_by_id(emu: Emu, api: httpx.Client) -> None:
    log = _manpower(api, emu.project_id(), num_workers=1, num_hours=8).json()
    other = emu.project_id("1002 Harbor Point Apartments")
    assert api.get(f"/rest/v1.0/projects/{other}/manpower_logs/{log['id']}").status_code == 404


def test_cost_code_of_another_project_is_refused(emu: Emu, api: httpx.Client) -> None:
    other_code = emu.cost_codes(api, emu.project_id("1002 Harbor Point Apartments"))["01-100"]
    answer = _quantity(api, emu.project_id(), quantity=3, cost_code_id=other_code)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"cost_code_id": ["is invalid"]}


def test_missing_root_key_is_400(emu: Emu, api: httpx.Client) -> None:
    answer = api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs", json={"num_workers": 1})
    assert answer.status_code == 400
