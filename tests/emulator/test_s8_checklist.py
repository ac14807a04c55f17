"""procore-api.md §8: each trap that concerns the server, shown on the emulator.

§8.9 (company timesheet bulk PATCH) is not in shared/procore-spec and is not served.
"""

from __future__ import annotations

import time

import httpx

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.emulator.conftest import TODAY, Emu


def _entry(emu: Emu, api: httpx.Client, project: int, **extra: object) -> dict[str, object]:
    return {"date": TODAY, "hours": 8, "party_id": emu.employees(api)[0]["id"],
            "timecard_time_type_id": emu.time_types(api)["REG"], **extra}


def test_s8_1_refresh_tokens_are_single_use_and_access_tokens_last_90_minutes(emu: Emu) -> None:
    tokens = emu.user_tokens()
    assert tokens["expires_in"] == 5400
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
    assert emu.http.post("/oauth/token", data=form).status_code == 200
    assert emu.http.post("/oauth/token", data=form).json()["error"] == "invalid_grant"


def test_s8_2_company_header_on_every_call_and_on_me_for_service_accounts(emu: Emu) -> None:
    with emu.client(company_id=None) as user_api:
        assert user_api.get(f"/rest/v1.0/companies/{emu.company_id}/users").status_code == 400
        assert user_api.get("/rest/v1.0/me").status_code == 200
    with emu.client(emu.service_token(), company_id=None) as service_api:
        answer = service_api.get("/rest/v1.0/me")
    assert answer.status_code == 400
    assert "Missing Procore-Company-Id header!" in answer.text


def test_s8_3_daily_log_lists_default_to_today(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    base = f"/rest/v1.0/projects/{project}"
    api.post(f"{base}/quantity_logs", json={"quantity_log": {"date": "2026-03-03", "quantity": 1}})
    api.post(f"{base}/timecard_entries", json={"timecard_entry": _entry(emu, api, project, date="2026-03-03")})
    for kind in ("manpower_logs", "quantity_logs", "timecard_entries"):
        params = {"filters[status]": "all"} if kind == "manpower_logs" else {}
        assert api.get(f"{base}/{kind}", params=params).json() == [], kind
        dated = api.get(f"{base}/{kind}", params={**params, "log_date": "2026-03-03"}).json()
        assert dated, kind


def test_s8_3_daily_log_today_follows_the_project_time_zone(emu: Emu, api: httpx.Client) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    emu.configure(today=None)
    project = emu.project_id()
    log = api.post(f"/rest/v1.0/projects/{project}/quantity_logs", json={"quantity_log": {"quantity": 2}}).json()
    assert log["date"] == dt.datetime.now(ZoneInfo("America/Chicago")).date().isoformat()
    assert [x["id"] for x in api.get(f"/rest/v1.0/projects/{project}/quantity_logs").json()] == [log["id"]]


def test_s8_3_manpower_lists_default_to_approved_only(emu: Emu, api: httpx.Client) -> None:
    base = f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs"
    window = {"start_date": "2026-03-01", "end_date": TODAY}
    default = api.get(base, params=window).json()
    every = api.get(base, params={**window, "filters[status]": "all"}).json()
    assert {x["status"] for x in default} == {"approved"}
    assert {x["status"] for x in every} == {"approved", "pending"}


def test_s8_4_manpower_contact_id_is_the_vendor_and_hours_are_per_worker_strings(
    emu: Emu, api: httpx.Client
) -> None:
    vendor = api.get("/rest/v1.0/vendors", params={"company_id": emu.company_id}).json()[3]
    log = api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs", json={"manpower_log": {
        "num_workers": 3, "num_hours": "7.5", "contact_id": vendor["id"]}}).json()
    assert log["vendor"] == {"id": vendor["id"], "name": vendor["name"]}
    assert log["contact"]["id"] == vendor["id"]
    assert log["num_hours"] == "7.5"
    assert log["man_hours"] == "22.5"


def test_s8_5_quantity_is_an_integer_and_unit_is_free_text(emu: Emu, api: httpx.Client) -> None:
    base = f"/rest/v1.0/projects/{emu.project_id()}/quantity_logs"
    fine = api.post(base, json={"quantity_log": {"quantity": 7, "unit": "pallets of block"}})
    assert fine.status_code == 201
    assert fine.json()["unit"] == "pallets of block"
    refused = api.post(base, json={"quantity_log": {"quantity": 7.25, "unit": "CY"}})
    assert refused.status_code == 422
    assert refused.json()["errors"]["quantity"] == ["must be an integer"]


def test_s8_6_hours_or_start_stop_lunch_in_minutes_billable_false(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    base = f"/rest/v1.0/projects/{project}/timecard_entries"
    by_hours = api.post(base, json={"timecard_entry": _entry(emu, api, project)}).json()
    assert by_hours["billable"] is False
    start_stop = _entry(emu, api, project, time_in="08:00", time_out="17:00", lunch_time="60")
    del start_stop["hours"]
    entry = api.post(base, json={"timecard_entry": start_stop}).json()
    assert entry["hours"] == "8.0"
    assert entry["lunch_time"] == 60


def test_s8_7_overtime_flag_is_accepted_without_splitting(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    entry = api.post(f"/rest/v1.0/companies/{emu.company_id}/timecard_entries", json={
        "project_id": project,
        "timecard_entry": _entry(emu, api, project, hours=12, set_timecard_time_type_automatically=True)})
    assert entry.status_code == 201
    assert entry.json()["hours"] == "12.0"
    assert entry.json()["automatically_split_timecard_entries"] == []


def test_s8_8_bulk_create_at_most_25_and_transactional(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    url = f"/rest/v1.1/projects/{project}/project_timecard_entries/bulk_create"
    good = _entry(emu, api, project, project_id=project)
    assert api.post(url, json={"timecard_entries": [good] * 26}).status_code == 400
    broken = [good, {**good, "hours": 0}]
    assert api.post(url, json={"timecard_entries": broken}).status_code == 422
    assert api.get(f"/rest/v1.0/companies/{emu.company_id}/timecard_entries").json() == []


def test_s8_10_no_idempotency_a_retried_create_duplicates_and_origin_id_is_kept(
    emu: Emu, api: httpx.Client
) -> None:
    project = emu.project_id()
    body = {"timecard_entry": _entry(emu, api, project, origin_id=4242, origin_data="mc:4242")}
    first = api.post(f"/rest/v1.0/projects/{project}/timecard_entries", json=body).json()
    second = api.post(f"/rest/v1.0/projects/{project}/timecard_entries", json=body).json()
    assert first["id"] != second["id"]
    listed = api.get(f"/rest/v1.0/projects/{project}/timecard_entries").json()
    assert [(e["origin_id"], e["origin_data"]) for e in listed] == [(4242, "mc:4242")] * 2


def test_s8_11_daily_log_lists_have_no_updated_at_filter(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    log = api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                   json={"manpower_log": {"num_workers": 1, "num_hours": 8}}).json()
    params = {"filters[status]": "all", "filters[updated_at]": "2000-01-01...2000-01-02"}
    assert [x["id"] for x in api.get(f"/rest/v1.0/projects/{project}/manpower_logs", params=params).json()] \
        == [log["id"]]
    company = f"/rest/v1.0/companies/{emu.company_id}/timecard_entries"
    api.post(company, json={"project_id": project, "timecard_entry": _entry(emu, api, project)})
    assert api.get(company, params={"filters[updated_at]": "2000-01-01...2000-01-02"}).json() == []


def test_s8_12_no_permission_looks_like_404(emu: Emu) -> None:
    training = emu.client(company_id=emu.training_id).get(
        "/rest/v1.0/projects", params={"company_id": emu.training_id}).json()[0]["id"]
    with emu.client(emu.service_token(), company_id=emu.company_id) as service_api:
        assert service_api.get("/rest/v1.0/cost_codes", params={"project_id": training}).status_code == 404


def test_s8_13_rate_headers_nearer_window_failed_calls_count_retry_after(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_spike=3, rate_limit_hourly=1000)
    answers = [api.get("/rest/v1.0/projects/404/crews") for _ in range(3)]
    assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["x-rate-limit-limit"] == "3"
    limited = api.get("/rest/v1.0/me")
    assert limited.status_code == 429
    assert int(limited.headers["x-rate-limit-reset"]) <= time.time() + 11
    emu.configure(rate_limit_spike=1000, faults={"503": 1.0})
    shed = api.get("/rest/v1.0/me")
    assert shed.status_code == 503
    assert int(shed.headers["retry-after"]) > 0


def test_s8_14_ids_exceed_32_bits(emu: Emu, api: httpx.Client) -> None:
    log = api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs",
                   json={"manpower_log": {"num_workers": 1, "num_hours": 8}}).json()
    assert log["id"] > 2**32
    assert emu.project_id() > 2**32
    assert emu.company_id > 2**32
