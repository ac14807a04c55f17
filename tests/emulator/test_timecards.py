from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.conftest import TODAY, Emu


def _entry(emu: Emu, api: httpx.Client, project: int, **extra: Any) -> dict[str, Any]:
    person = emu.employees(api)[0]["id"]
    return {"date": TODAY, "hours": 8, "party_id": person,
            "timecard_time_type_id": emu.time_types(api)["REG"],
            "cost_code_id": emu.cost_codes(api, project)["01-100"], **extra}


def _company(emu: Emu) -> str:
    return f"/rest/v1.0/companies/{emu.company_id}/timecard_entries"


def test_project_timecard_crud_and_shapes(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    base = f"/rest/v1.0/projects/{project}/timecard_entries"
    created = api.post(base, json={"timecard_entry": _entry(emu, api, project, origin_id=77,
                                                            origin_data="mc-1")})
    assert created.status_code == 201
    entry = created.json()
    assert entry["hours"] == "8.0"
    assert entry["billable"] is False
    assert isinstance(entry["cost_code"], dict)
    assert entry["cost_code"]["full_code"] == "01-100"
    assert entry["timecard_time_type"]["abbreviated_time_type"] == "REG"
    assert entry["origin_id"] == 77
    assert entry["origin_data"] == "mc-1"
    assert entry["party"]["id"] == emu.employees(api)[0]["id"]
    assert [x["id"] for x in api.get(base).json()] == [entry["id"]]
    url = f"{base}/{entry['id']}"
    assert api.patch(url, json={"timecard_entry": {"hours": "7.5"}}).json()["hours"] == "7.5"
    deleted = api.delete(url)
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert api.get(url).status_code == 404
    assert api.get(base).json() == []


def test_project_timecard_list_defaults_to_today(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    base = f"/rest/v1.0/projects/{project}/timecard_entries"
    api.post(base, json={"timecard_entry": _entry(emu, api, project, date="2026-03-02")})
    assert api.get(base).json() == []
    assert len(api.get(base, params={"log_date": "2026-03-02"}).json()) == 1
    assert len(api.get(base, params={"start_date": "2026-03-01", "end_date": "2026-03-04"}).json()) == 1


@pytest.mark.parametrize(("hours", "message"), [
    (0, "must be greater than 0"),
    (-1, "must be greater than 0"),
    (24.5, "must be less than or equal to 24"),
    ("eight", "is not a number"),
])
def test_timecard_hours_must_be_above_0_and_at_most_24(
    emu: Emu, api: httpx.Client, hours: Any, message: str
) -> None:
    project = emu.project_id()
    answer = api.post(f"/rest/v1.0/projects/{project}/timecard_entries",
                      json={"timecard_entry": _entry(emu, api, project, hours=hours)})
    assert answer.status_code == 422
    assert answer.json() == {"errors": {"hours": [message]}}


def test_hours_accepted_as_number_or_string_and_returned_as_string(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    for sent, shown in ((24, "24.0"), ("6.25", "6.25"), (0.5, "0.5")):
        answer = api.post(f"/rest/v1.0/projects/{project}/timecard_entries",
                          json={"timecard_entry": _entry(emu, api, project, hours=sent)})
        assert answer.json()["hours"] == shown


def test_hours_from_time_in_time_out_and_lunch(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    body = _entry(emu, api, project, time_in="07:00", time_out="15:30", lunch_time=30)
    del body["hours"]
    entry = api.post(f"/rest/v1.0/projects/{project}/timecard_entries", json={"timecard_entry": body}).json()
    assert entry["hours"] == "8.0"
    assert entry["lunch_time"] == 30
    assert entry["time_in"].startswith(f"{TODAY}T07:00:00")


def test_company_timecard_crud_delete_returns_entry(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    created = api.post(_company(emu), json={"project_id": project,
                                            "timecard_entry": _entry(emu, api, project)})
    assert created.status_code == 201
    entry = created.json()
    assert entry["project"]["id"] == project
    url = f"{_company(emu)}/{entry['id']}"
    assert api.get(url).json()["id"] == entry["id"]
    patched = api.patch(url, json={"project_id": project,
                                   "timecard_entry": {"date": TODAY, "hours": 6, "description": "x"}})
    assert patched.status_code == 200
    assert patched.json()["hours"] == "6.0"
    deleted = api.delete(url)
    assert deleted.status_code == 200
    assert deleted.json()["id"] == entry["id"]
    assert deleted.json()["deleted_at"]
    assert api.get(url).status_code == 404


def test_company_create_requires_project_id(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    answer = api.post(_company(emu), json={"timecard_entry": _entry(emu, api, project)})
    assert answer.status_code == 400


def test_company_list_filters_updated_at_and_deleted_at(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    first = api.post(_company(emu), json={"project_id": project,
                                          "timecard_entry": _entry(emu, api, project)}).json()
    second = api.post(_company(emu), json={"project_id": project,
                                           "timecard_entry": _entry(emu, api, project, hours=4)}).json()
    listed = api.get(_company(emu)).json()
    assert [x["id"] for x in listed] == [first["id"], second["id"]]
    since = second["updated_at"]
    window = {"filters[updated_at]": f"{since}...2100-01-01T00:00:00Z"}
    assert [x["id"] for x in api.get(_company(emu), params=window).json()] == [second["id"]]
    day_window = {"filters[updated_at]": f"{since[:10]}...{since[:10]}"}
    assert len(api.get(_company(emu), params=day_window).json()) == 2
    api.delete(f"{_company(emu)}/{first['id']}")
    assert [x["id"] for x in api.get(_company(emu)).json()] == [second["id"]]
    gone = api.get(_company(emu), params={"filters[deleted_at]": "2000-01-01...2100-01-01"}).json()
    assert [x["id"] for x in gone] == [first["id"]]
    assert gone[0]["deleted_at"]


def test_change_history_records_each_changed_column(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    entry = api.post(_company(emu), json={"project_id": project,
                                          "timecard_entry": _entry(emu, api, project)}).json()
    url = f"{_company(emu)}/{entry['id']}"
    api.patch(url, json={"project_id": project,
                         "timecard_entry": {"date": TODAY, "hours": 6, "description": "late start"}})
    emu.act("timecard_entry", entry["id"], "update", hours="5.0")
    history = api.get(f"{url}/change_history").json()
    changes = [(h["column"], h["old_value"], h["new_value"]) for h in history]
    assert ("hours", "8.0", "6.0") in changes
    assert ("description", None, "late start") in changes
    assert ("hours", "6.0", "5.0") in changes
    assert all(h["created_at"] and h["created_by"] for h in history)


def test_approved_or_locked_entries_refuse_changes(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    base = f"/rest/v1.0/projects/{project}/timecard_entries"
    for action in ("approve", "lock"):
        entry = api.post(base, json={"timecard_entry": _entry(emu, api, project)}).json()
        emu.act("timecard_entry", entry["id"], action)
        assert api.patch(f"{base}/{entry['id']}", json={"timecard_entry": {"hours": 1}}).status_code == 422
        assert api.delete(f"{base}/{entry['id']}").status_code == 422
        assert api.get(f"{base}/{entry['id']}").json()["permissions"]["can_update"] is False


def _bulk(emu: Emu, api: httpx.Client, project: int, entries: list[dict[str, Any]]) -> httpx.Response:
    return api.post(f"/rest/v1.1/projects/{project}/project_timecard_entries/bulk_create",
                    json={"timecard_entries": entries})


def test_v11_bulk_create_returns_string_cost_code(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    entries = [_entry(emu, api, project, project_id=project, hours=str(h), origin_id=f"o-{h}")
               for h in (1, 2, 3)]
    answer = _bulk(emu, api, project, entries)
    assert answer.status_code == 201
    created = answer.json()["timecard_entries"]
    assert [e["hours"] for e in created] == ["1.0", "2.0", "3.0"]
    assert created[0]["cost_code"] == "01-100"
    assert created[0]["full_cost_code"]["id"]
    assert created[0]["origin_id"] == "o-1"
    listed = api.get(f"/rest/v1.0/projects/{project}/timecard_entries").json()
    assert len(listed) == 3
    assert isinstance(listed[0]["cost_code"], dict)


def test_v11_bulk_create_is_all_or_nothing(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    entries = [_entry(emu, api, project, project_id=project) for _ in range(4)]
    entries[2]["hours"] = 30
    answer = _bulk(emu, api, project, entries)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"timecard_entries[2].hours": ["must be less than or equal to 24"]}
    assert api.get(f"/rest/v1.0/projects/{project}/timecard_entries").json() == []


def test_v11_bulk_create_allows_at_most_25(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    entry = _entry(emu, api, project, project_id=project)
    assert _bulk(emu, api, project, [entry] * 26).status_code == 400
    assert api.get(f"/rest/v1.0/projects/{project}/timecard_entries").json() == []
    assert _bulk(emu, api, project, [entry] * 25).status_code == 201
