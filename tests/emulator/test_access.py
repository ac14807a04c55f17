from __future__ import annotations

import httpx

from tests.emulator.conftest import Emu


def test_missing_token_is_401_with_json_body(emu: Emu) -> None:
    answer = httpx.get(f"{emu.base_url}/rest/v1.0/projects", params={"company_id": emu.company_id},
                       headers={"Procore-Company-Id": str(emu.company_id)})
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"
    assert "Bearer" in answer.headers["www-authenticate"]


def test_unknown_token_is_401(emu: Emu) -> None:
    assert emu.client("not-a-token").get("/rest/v1.0/me").status_code == 401


def test_missing_company_header_is_400_with_procore_message(emu: Emu) -> None:
    with emu.client(company_id=None) as api:
        answer = api.get("/rest/v1.0/projects", params={"company_id": emu.company_id})
    assert answer.status_code == 400
    assert "Missing Procore-Company-Id header!" in answer.text


def test_header_needed_even_when_company_is_in_the_path(emu: Emu) -> None:
    with emu.client(company_id=None) as api:
        answer = api.get(f"/rest/v1.0/companies/{emu.company_id}/people")
    assert answer.status_code == 400


def test_user_token_needs_no_header_on_me_and_companies(emu: Emu) -> None:
    with emu.client(company_id=None) as api:
        assert api.get("/rest/v1.0/me").status_code == 200
        companies = api.get("/rest/v1.0/companies")
    assert companies.status_code == 200
    assert {c["name"] for c in companies.json()} == {"Northwind Builders", "Northwind Builders (Training)"}


def test_service_account_needs_header_on_me_and_companies_and_sees_main_company_only(emu: Emu) -> None:
    token = emu.service_token()
    with emu.client(token, company_id=None) as bare:
        assert bare.get("/rest/v1.0/me").status_code == 400
        assert bare.get("/rest/v1.0/companies").status_code == 400
    with emu.client(token) as api:
        assert [c["id"] for c in api.get("/rest/v1.0/companies").json()] == [emu.company_id]
        assert api.get("/rest/v1.0/me").json()["id"] == emu.world["users"]["service_account"]
    with emu.client(token, company_id=emu.training_id) as other:
        assert other.get("/rest/v1.0/companies").status_code == 403


def test_other_company_project_and_unknown_ids_are_404(emu: Emu, api: httpx.Client) -> None:
    training_project = emu.client(company_id=emu.training_id).get(
        "/rest/v1.1/projects", params={"company_id": emu.training_id}).json()[0]["id"]
    assert api.get(f"/rest/v1.0/projects/{training_project}/manpower_logs").status_code == 404
    assert api.get(f"/rest/v1.0/projects/{training_project}/crews").status_code == 404
    assert api.get("/rest/v1.0/projects/5020999999/crews").status_code == 404
    assert api.get(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs/123").status_code == 404
    created = api.post(f"/rest/v1.0/projects/{training_project}/manpower_logs",
                       json={"manpower_log": {"num_workers": 1, "num_hours": 8}})
    assert created.status_code == 404


def test_service_account_cannot_see_training_company(emu: Emu) -> None:
    with emu.client(emu.service_token()) as api:
        answer = api.get(f"/rest/v1.0/companies/{emu.training_id}/people")
    assert answer.status_code == 404


def test_ids_are_64_bit_and_distinct_per_kind(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    samples = {
        "company": emu.company_id,
        "project": project,
        "vendor": api.get("/rest/v1.0/vendors", params={"company_id": emu.company_id}).json()[0]["id"],
        "person": emu.employees(api)[0]["id"],
        "cost_code": next(iter(emu.cost_codes(api, project).values())),
    }
    assert all(value > 2**32 for value in samples.values())
    assert len(set(samples.values())) == len(samples)
