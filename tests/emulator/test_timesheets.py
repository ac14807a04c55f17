from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.conftest import TODAY, Emu


def _sheet(api: httpx.Client, project: int, day: str = TODAY) -> dict[str, Any]:
    answer = api.post(f"/rest/v1.0/projects/{project}/timesheets", json={"timesheet": {"date": day}})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _entry(emu: Emu, api: httpx.Client, project: int, **extra: Any) -> dict[str, Any]:
    return {"project_id": project, "date": TODAY, "hours": 8,
            "party_id": emu.employees(api)[1]["id"],
            "timecard_time_type_id": emu.time_types(api)["OT"],
            "cost_code_id": emu.cost_codes(api, project)["09-250"], **extra}


def test_create_list_and_show_timesheets(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    first, second = _sheet(api, project), _sheet(api, project)
    assert (first["number"], first["name"], first["status"]) == (1, f"{TODAY} - 01", "pending")
    assert second["number"] == 2
    base = f"/rest/v1.0/projects/{project}/timesheets"
    api.post(f"/rest/v1.0/projects/{project}/timecard_entries",
             json={"timecard_entry": {**_entry(emu, api, project), "timesheet_id": first["id"]}})
    listed = api.get(base).json()
    assert [s["id"] for s in listed] == [first["id"], second["id"]]
    shown = api.get(f"{base}/{first['id']}").json()
    assert len(shown["timecard_entries"]) == 1
    assert shown["timecard_entries"][0]["hours"] == "8.0"
    assert api.get(base, params={"filters[date]": "2026-01-01...2026-01-31"}).json() == []
    assert api.get(f"{base}/5140999999").status_code == 404


def test_update_approval_locks_entries(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    sheet = _sheet(api, project)
    entry = api.post(f"/rest/v1.0/projects/{project}/timecard_entries",
                     json={"timecard_entry": {**_entry(emu, api, project), "timesheet_id": sheet["id"]}}).json()
    base = f"/rest/v1.0/projects/{project}/timesheets"
    bad = api.patch(f"{base}/update_approval", json={"timesheets": [{"id": sheet["id"], "status": "done"}]})
    assert bad.status_code == 400
    answer = api.patch(f"{base}/update_approval",
                       json={"timesheets": [{"id": sheet["id"], "status": "approved"}]})
    assert answer.status_code == 200
    assert answer.json()["status"] == "approved"
    url = f"/rest/v1.0/projects/{project}/timecard_entries/{entry['id']}"
    assert api.patch(url, json={"timecard_entry": {"hours": 2}}).status_code == 422
    missing = api.patch(f"{base}/update_approval", json={"timesheets": [{"id": 1, "status": "approved"}]})
    assert missing.status_code == 404


def test_company_bulk_create_returns_200_array_visible_everywhere(emu: Emu, api: httpx.Client) -> None:
    project, other = emu.project_id(), emu.project_id("1003 Lakeview School Expansion")
    body = {"timecard_entries": [_entry(emu, api, project, origin_id=501),
                                 _entry(emu, api, other, hours="4.5")]}
    answer = api.post(f"/rest/v1.0/companies/{emu.company_id}/timesheets", json=body)
    assert answer.status_code == 200
    created = answer.json()
    assert isinstance(created, list)
    assert len(created) == 2
    assert created[0]["cost_code"] == "09-250"
    assert created[0]["full_cost_code"]["name"]
    assert created[0]["origin_id"] == 501
    assert created[1]["hours"] == "4.5"
    company_ids = [e["id"] for e in api.get(f"/rest/v1.0/companies/{emu.company_id}/timecard_entries").json()]
    assert company_ids == [e["id"] for e in created]
    daily = api.get(f"/rest/v1.0/projects/{other}/timecard_entries").json()
    assert [e["id"] for e in daily] == [created[1]["id"]]


def test_company_bulk_create_is_all_or_nothing(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    body = {"timecard_entries": [_entry(emu, api, project), _entry(emu, api, project, hours=0)]}
    answer = api.post(f"/rest/v1.0/companies/{emu.company_id}/timesheets", json=body)
    assert answer.status_code == 422
    assert api.get(f"/rest/v1.0/companies/{emu.company_id}/timecard_entries").json() == []


def test_company_timesheets_default_to_current_work_week(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    days = ("2026-03-01", "2026-03-02", "2026-03-08", "2026-03-09")  # Sun, Mon, Sun, Mon
    api.post(f"/rest/v1.0/companies/{emu.company_id}/timesheets",
             json={"timecard_entries": [_entry(emu, api, project, date=d) for d in days]})
    base = f"/rest/v1.0/companies/{emu.company_id}/timesheets"
    week = api.get(base)
    assert week.status_code == 200
    assert "link" not in week.headers
    assert week.headers["total"] == "1"
    rows = week.json()
    assert rows[0]["party"]["id"] == emu.employees(api)[1]["id"]
    assert sorted(e["date"] for e in rows[0]["timecard_entries"]) == ["2026-03-02", "2026-03-08"]
    ranged = api.get(base, params={"start_date": "2026-03-01", "end_date": "2026-03-31"}).json()
    assert len(ranged[0]["timecard_entries"]) == 4
