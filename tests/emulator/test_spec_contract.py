"""Every operation in shared/procore-spec is served, and every answer validates against the
operation's response schema for its status.

Where the spec and procore-api.md (or observed Procore behaviour) disagree, this is what we chose:
- The extracts mark no field nullable, yet Procore answers ``null`` for unset fields (and the brief
  requires ``user_id: null`` for reference users), so every typed field also accepts null here.
- Below a certain depth the extracts replace schemas by ``{"type": "object", "description":
  "(nested object)"}`` even for integers and strings; those placeholders are treated as "anything".
- ``update_approval`` takes a list of timesheets but its 200 schema is one timesheet object: the
  emulator answers with the last timesheet listed.
- Project timecard create marks hours, lunch_time, time_in and time_out all required; procore-api.md
  §4.8 says they depend on the project's time-entry setting: the emulator takes ``hours`` or
  ``time_in`` + ``time_out``.
- ``origin_id`` is an integer in the v1.0 timecard schemas but a string in v1.1 bulk create: the
  emulator stores what it is given and renders it per family.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.emulator.conftest import TODAY, Emu

SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "procore-spec"  # ../shared beside the repo
SPECS = {p.stem: json.loads(p.read_text()) for p in sorted(SPEC_DIR.glob("*.json"))}


def lenient(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    if schema.get("description") == "(nested object)":
        return {}
    out = dict(schema)
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if "properties" in out:
        out["properties"] = {k: lenient(v) for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = lenient(out["items"])
    return out


class Call:
    """Builds what each operation needs and records every answer."""

    def __init__(self, emu: Emu, api: httpx.Client) -> None:
        self.emu, self.api = emu, api
        self.project = emu.project_id()
        self.cid = emu.company_id
        self.answers: list[httpx.Response] = []

    def __call__(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        answer = self.api.request(method, url, **kwargs)
        self.answers.append(answer)
        return answer

    def entry(self, **extra: Any) -> dict[str, Any]:
        return {"date": TODAY, "hours": 8, "party_id": self.emu.employees(self.api)[0]["id"],
                "timecard_time_type_id": self.emu.time_types(self.api)["REG"],
                "cost_code_id": self.emu.cost_codes(self.api, self.project)["01-100"], **extra}

    def log(self, kind: str) -> int:
        body = {"num_workers": 2, "num_hours": 8} if kind == "manpower_log" else {"quantity": 3}
        return int(self.api.post(f"/rest/v1.0/projects/{self.project}/{kind}s", json={kind: body}).json()["id"])

    def project_entry(self) -> int:
        return int(self.api.post(f"/rest/v1.0/projects/{self.project}/timecard_entries",
                                 json={"timecard_entry": self.entry()}).json()["id"])

    def company_entry(self) -> int:
        return int(self.api.post(f"/rest/v1.0/companies/{self.cid}/timecard_entries",
                                 json={"project_id": self.project, "timecard_entry": self.entry()}).json()["id"])

    def sheet(self) -> int:
        sheet = int(self.api.post(f"/rest/v1.0/projects/{self.project}/timesheets",
                                  json={"timesheet": {"date": TODAY}}).json()["id"])
        self.api.post(f"/rest/v1.0/projects/{self.project}/timecard_entries",
                      json={"timecard_entry": self.entry(timesheet_id=sheet)})
        return sheet


def _log_ops(kind: str) -> dict[str, Callable[[Call], None]]:
    name = "ManpowerLogs" if kind == "manpower_log" else "QuantityLogs"
    base = "/rest/v1.0/projects/{p}/" + kind + "s"
    body = {"num_workers": 3, "num_hours": "8"} if kind == "manpower_log" else {"quantity": 4, "unit": "CY"}
    bad = {"num_hours": 30} if kind == "manpower_log" else {"quantity": 1.5}
    return {
        f"RestV10ProjectsProjectId{name}Get": lambda c: (c.log(kind), c(
            "GET", base.format(p=c.project), params={"filters[status]": "all"})),
        f"RestV10ProjectsProjectId{name}Post": lambda c: (
            c("POST", base.format(p=c.project), json={kind: body}),
            c("POST", base.format(p=c.project), json={kind: bad})),
        f"RestV10ProjectsProjectId{name}IdGet": lambda c: c(
            "GET", f"{base.format(p=c.project)}/{c.log(kind)}"),
        f"RestV10ProjectsProjectId{name}IdPatch": lambda c: c(
            "PATCH", f"{base.format(p=c.project)}/{c.log(kind)}", json={kind: body}),
        f"RestV10ProjectsProjectId{name}IdDelete": lambda c: c(
            "DELETE", f"{base.format(p=c.project)}/{c.log(kind)}"),
    }


OPS: dict[str, Callable[[Call], Any]] = {
    "RestV10MeGet": lambda c: c("GET", "/rest/v1.0/me", params={"company_id": c.cid}),
    "RestV10CompaniesGet": lambda c: c("GET", "/rest/v1.0/companies"),
    "RestV10ProjectsGet": lambda c: c("GET", "/rest/v1.0/projects", params={"company_id": c.cid}),
    "RestV11ProjectsGet": lambda c: c("GET", "/rest/v1.1/projects",
                                      params={"company_id": c.cid, "filters[project_number]": "1006"}),
    "RestV10VendorsGet": lambda c: c("GET", "/rest/v1.0/vendors", params={"company_id": c.cid}),
    "RestV10CompaniesCompanyIdPeopleGet": lambda c: c(
        "GET", f"/rest/v1.0/companies/{c.cid}/people", params={"filters[is_employee]": "true"}),
    "RestV10CompaniesCompanyIdUsersGet": lambda c: c("GET", f"/rest/v1.0/companies/{c.cid}/users"),
    "RestV10CostCodesGet": lambda c: c("GET", "/rest/v1.0/cost_codes", params={"project_id": c.project}),
    "RestV10StandardCostCodeListsGet": lambda c: c(
        "GET", "/rest/v1.0/standard_cost_code_lists", params={"company_id": c.cid}),
    "RestV10StandardCostCodesGet": lambda c: c("GET", "/rest/v1.0/standard_cost_codes", params={
        "company_id": c.cid, "standard_cost_code_list_id": c.emu.world["standard_cost_code_list"],
        "view": "extended"}),
    "RestV10CompaniesCompanyIdWorkClassificationsGet": lambda c: c(
        "GET", f"/rest/v1.0/companies/{c.cid}/work_classifications"),
    "RestV10CompaniesCompanyIdTimecardTimeTypesGet": lambda c: c(
        "GET", f"/rest/v1.0/companies/{c.cid}/timecard_time_types"),
    "RestV10TimecardTimeTypesGet": lambda c: c(
        "GET", "/rest/v1.0/timecard_time_types", params={"project_id": c.project}),
    "RestV10ProjectsProjectIdCrewsGet": lambda c: c("GET", f"/rest/v1.0/projects/{c.project}/crews"),
    **_log_ops("manpower_log"),
    **_log_ops("quantity_log"),
    "RestV10ProjectsProjectIdTimecardEntriesGet": lambda c: (c.project_entry(), c(
        "GET", f"/rest/v1.0/projects/{c.project}/timecard_entries")),
    "RestV10ProjectsProjectIdTimecardEntriesPost": lambda c: c(
        "POST", f"/rest/v1.0/projects/{c.project}/timecard_entries",
        json={"timecard_entry": c.entry(origin_id=12)}),
    "RestV10ProjectsProjectIdTimecardEntriesIdGet": lambda c: c(
        "GET", f"/rest/v1.0/projects/{c.project}/timecard_entries/{c.project_entry()}"),
    "RestV10ProjectsProjectIdTimecardEntriesIdPatch": lambda c: c(
        "PATCH", f"/rest/v1.0/projects/{c.project}/timecard_entries/{c.project_entry()}",
        json={"timecard_entry": {"hours": "6"}}),
    "RestV10ProjectsProjectIdTimecardEntriesIdDelete": lambda c: c(
        "DELETE", f"/rest/v1.0/projects/{c.project}/timecard_entries/{c.project_entry()}"),
    "RestV10CompaniesCompanyIdTimecardEntriesGet": lambda c: (c.company_entry(), c(
        "GET", f"/rest/v1.0/companies/{c.cid}/timecard_entries")),
    "RestV10CompaniesCompanyIdTimecardEntriesPost": lambda c: c(
        "POST", f"/rest/v1.0/companies/{c.cid}/timecard_entries",
        json={"project_id": c.project, "timecard_entry": c.entry()}),
    "RestV10CompaniesCompanyIdTimecardEntriesIdGet": lambda c: c(
        "GET", f"/rest/v1.0/companies/{c.cid}/timecard_entries/{c.company_entry()}"),
    "RestV10CompaniesCompanyIdTimecardEntriesIdPatch": lambda c: c(
        "PATCH", f"/rest/v1.0/companies/{c.cid}/timecard_entries/{c.company_entry()}",
        json={"project_id": c.project, "timecard_entry": {"date": TODAY, "hours": 5}}),
    "RestV10CompaniesCompanyIdTimecardEntriesIdDelete": lambda c: c(
        "DELETE", f"/rest/v1.0/companies/{c.cid}/timecard_entries/{c.company_entry()}"),
    "RestV10CompaniesCompanyIdTimecardEntriesIdChangeHistoryGet": lambda c: _history(c),
    "RestV10ProjectsProjectIdTimesheetsPost": lambda c: c(
        "POST", f"/rest/v1.0/projects/{c.project}/timesheets", json={"timesheet": {"date": TODAY}}),
    "RestV10ProjectsProjectIdTimesheetsGet": lambda c: (c.sheet(), c(
        "GET", f"/rest/v1.0/projects/{c.project}/timesheets")),
    "RestV10ProjectsProjectIdTimesheetsIdGet": lambda c: c(
        "GET", f"/rest/v1.0/projects/{c.project}/timesheets/{c.sheet()}"),
    "RestV10ProjectsProjectIdTimesheetsUpdateApprovalPatch": lambda c: c(
        "PATCH", f"/rest/v1.0/projects/{c.project}/timesheets/update_approval",
        json={"timesheets": [{"id": c.sheet(), "status": "approved"}]}),
    "RestV10CompaniesCompanyIdTimesheetsGet": lambda c: (c.company_entry(), c(
        "GET", f"/rest/v1.0/companies/{c.cid}/timesheets")),
    "RestV10CompaniesCompanyIdTimesheetsPost": lambda c: c(
        "POST", f"/rest/v1.0/companies/{c.cid}/timesheets",
        json={"timecard_entries": [c.entry(project_id=c.project, origin_id=5)]}),
    "RestV11ProjectsProjectIdProjectTimecardEntriesBulkCreatePost": lambda c: (
        c("POST", f"/rest/v1.1/projects/{c.project}/project_timecard_entries/bulk_create",
          json={"timecard_entries": [c.entry(project_id=c.project, origin_id="x-1")] * 2}),
        c("POST", f"/rest/v1.1/projects/{c.project}/project_timecard_entries/bulk_create",
          json={"timecard_entries": [c.entry(project_id=c.project, hours=25)]})),
}


def _history(c: Call) -> httpx.Response:
    entry = c.company_entry()
    c.api.patch(f"/rest/v1.0/companies/{c.cid}/timecard_entries/{entry}",
                json={"project_id": c.project, "timecard_entry": {"date": TODAY, "hours": 3}})
    return c("GET", f"/rest/v1.0/companies/{c.cid}/timecard_entries/{entry}/change_history")


def test_every_spec_operation_has_a_recipe() -> None:
    assert SPECS, f"no spec files found in {SPEC_DIR}"
    assert set(SPECS) == set(OPS)


@pytest.mark.parametrize("operation_id", sorted(SPECS))
def test_responses_validate_against_spec(emu: Emu, api: httpx.Client, operation_id: str) -> None:
    spec = SPECS[operation_id]
    call = Call(emu, api)
    OPS[operation_id](call)
    success = next(code for code in spec["responses"] if code.startswith("2"))
    first = call.answers[0]
    assert first.status_code == int(success), first.text
    stats = emu.http.get("/_emulator/stats").json()["requests"]
    assert f"{spec['method']} {spec['path']}" in stats
    for answer in call.answers:
        assert str(answer.status_code) in spec["responses"], (answer.status_code, answer.text)
        schema = (spec["responses"][str(answer.status_code)] or {}).get("schema")
        if schema and answer.content:
            jsonschema.validate(answer.json(), lenient(schema))
