from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.emulator.conftest import TODAY, Emu


def _snapshot(emu: Emu, api: httpx.Client) -> list[object]:
    project = emu.project_id()
    return [
        api.get("/rest/v1.0/projects", params={"company_id": emu.company_id}).json(),
        emu.employees(api),
        api.get("/rest/v1.0/cost_codes", params={"project_id": project}).json(),
        api.get(f"/rest/v1.0/projects/{project}/manpower_logs",
                params={"start_date": "2026-01-01", "end_date": TODAY, "filters[status]": "all"}).json(),
    ]


def test_reset_is_deterministic_and_discards_changes(emu: Emu, api: httpx.Client) -> None:
    before = _snapshot(emu, api)
    api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs",
             json={"manpower_log": {"num_workers": 3, "num_hours": 8}})
    emu.http.post("/_emulator/reset", json={"seed": 7})
    assert _snapshot(emu, api) == before


def test_different_seed_keeps_ids_but_changes_names(emu: Emu, api: httpx.Client) -> None:
    names = [p["name"] for p in emu.employees(api)]
    emu.http.post("/_emulator/reset", json={"seed": 99})
    assert [p["name"] for p in emu.employees(api)] != names


def test_reset_sizes_mirror_a_bigger_demo_world(emu: Emu, api: httpx.Client) -> None:
    world = emu.http.post("/_emulator/reset", json={"job_sites": 20, "employees": 200}).json()
    numbers = sorted(label.split()[0] for label in world["projects"])
    assert "1020" in numbers
    assert "1014" not in numbers
    assert "1007" not in numbers
    people = emu.employees(api)
    ids = {p["employee_id"] for p in people}
    assert "10200" in ids
    assert "10197" not in ids
    assert {"10901", "10902"} <= ids


def test_seed_world_mirrors_demo_data_with_gaps(emu: Emu, api: httpx.Client) -> None:
    projects = api.get("/rest/v1.1/projects", params={"company_id": emu.company_id}).json()
    numbers = sorted(p["project_number"] for p in projects)
    assert numbers == ["1001", "1002", "1003", "1004", "1005", "1006", "1006", "1008", "2001"]
    codes_even = emu.cost_codes(api, emu.project_id("1002 Harbor Point Apartments"))
    codes_odd = emu.cost_codes(api, emu.project_id())
    assert "26-050" not in codes_even
    assert "26-050" in codes_odd
    assert "99-001" in codes_odd
    assert "31-200" not in codes_odd
    assert "01-500" in codes_odd
    types = emu.time_types(api)
    assert set(types) == {"REG", "OT", "DT", "PTO", "SICK", "HOL"}
    classes = api.get(f"/rest/v1.0/companies/{emu.company_id}/work_classifications").json()
    assert {c["abbreviation"] for c in classes} == {"LAB", "CARP", "OPER", "ELEC", "FORE", "SUPT"}
    vendors = api.get("/rest/v1.0/vendors", params={"company_id": emu.company_id}).json()
    assert {v["abbreviated_name"] for v in vendors} == {"NWB", "APX", "BRT", "SUM", None}
    people = api.get(f"/rest/v1.0/companies/{emu.company_id}/people", params={"per_page": 1000}).json()
    assert any(p["user_id"] is None for p in people)
    assert any(not p["is_employee"] for p in people)


def test_config_round_trip_and_validation(emu: Emu) -> None:
    config = emu.configure(max_per_page=50, faults={"503": 0.5})
    assert config["max_per_page"] == 50
    assert config["faults"]["503"] == 0.5
    assert emu.http.get("/_emulator/config").json() == config
    assert emu.http.put("/_emulator/config", json={"nope": 1}).status_code == 400
    assert emu.http.put("/_emulator/config", json={"faults": {"503": 2}}).status_code == 400


def test_stats_count_by_method_and_path_template(emu: Emu, api: httpx.Client) -> None:
    emu.http.delete("/_emulator/stats")
    project = emu.project_id()
    for _ in range(2):
        api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                 json={"manpower_log": {"num_workers": 1, "num_hours": 8}})
    api.get(f"/rest/v1.0/projects/{project}/manpower_logs")
    stats = emu.http.get("/_emulator/stats").json()
    assert stats["requests"]["POST /rest/v1.0/projects/{project_id}/manpower_logs"] == 2
    assert stats["requests"]["GET /rest/v1.0/projects/{project_id}/manpower_logs"] == 1
    assert stats["total"] == sum(stats["requests"].values())
    assert emu.http.delete("/_emulator/stats").json() == {"total": 0, "requests": {}}


def test_act_update_moves_updated_at_and_delete_hides(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    log = api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                   json={"manpower_log": {"num_workers": 1, "num_hours": 8}}).json()
    changed = emu.act("manpower_log", log["id"], "update", num_workers=9)
    assert changed["num_workers"] == 9
    assert changed["updated_at"] > log["updated_at"]
    url = f"/rest/v1.0/projects/{project}/manpower_logs/{log['id']}"
    assert api.get(url).json()["num_workers"] == 9
    emu.act("manpower_log", log["id"], "delete")
    assert api.get(url).status_code == 404
    bad = emu.http.post("/_emulator/act", json={"kind": "manpower_log", "id": log["id"], "action": "x"})
    assert bad.status_code == 404


class _Tables(HTMLParser):
    """The cells of each table on an emulator page, by the heading above it, and which rows are struck through."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[list[str], bool]]] = {}
        self._heading = ""
        self._in: str | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self._in, self._heading = "h3", ""
        elif tag == "tr":
            self._row = []
            self.tables.setdefault(self._heading, []).append((self._row, ("class", "deleted") in attrs))
        elif tag == "td" and self._row is not None:
            self._row.append("")
            self._in = "td"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h3", "td"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h3":
            self._heading += data
        elif self._in == "td" and self._row is not None:
            self._row[-1] += data


def _tables(page: httpx.Response) -> dict[str, list[tuple[list[str], bool]]]:
    parser = _Tables()
    parser.feed(page.text)
    return {heading: [row for row in rows if row[0]] for heading, rows in parser.tables.items()}


def test_the_day_view_shows_what_procore_holds_for_that_project_and_day(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    other = next(int(found) for found in emu.world["projects"].values() if int(found) != project)
    day = {"date": TODAY}
    api.post(f"/rest/v1.0/projects/{project}/quantity_logs",
             json={"quantity_log": {**day, "quantity": 12, "unit": "CY", "description": "Footings"}})
    kept = api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                    json={"manpower_log": {**day, "num_workers": 4, "num_hours": 8, "notes": "Pour crew"}}).json()
    gone = api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                    json={"manpower_log": {**day, "num_workers": 2, "num_hours": 6, "notes": "Cancelled"}}).json()
    emu.act("manpower_log", gone["id"], "delete")
    api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
             json={"manpower_log": {"date": "2026-03-03", "num_workers": 7, "num_hours": 8, "notes": "Day before"}})
    api.post(f"/rest/v1.0/projects/{other}/manpower_logs",
             json={"manpower_log": {**day, "num_workers": 5, "num_hours": 8, "notes": "Other project"}})

    page = emu.http.get("/_emulator/view", params={"project_id": project, "date": TODAY})

    assert page.status_code == 200
    assert re.search(r"<h1>[^<]*Riverside Medical Center</h1><h2>2026-03-04</h2>", page.text)
    tables = _tables(page)
    manpower = {cells[6]: (cells[0], cells[2], cells[3], struck) for cells, struck in tables["Manpower"]}
    assert manpower == {
        "Pour crew": (str(kept["id"]), "4", "8.0", False),
        "Cancelled": (str(gone["id"]), "2", "6.0", True),  # deleted in Procore: shown struck through
    }
    assert [(cells[2], cells[3], cells[4]) for cells, _ in tables["Quantities"]] == [("12", "CY", "Footings")]
    assert tables["Timecards"] == [(["nothing"], False)]
    before = _tables(emu.http.get("/_emulator/view", params={"project_id": project, "date": "2026-03-03"}))
    notes_before = [cells[6] for cells, _ in before["Manpower"]]
    assert "Day before" in notes_before
    assert "Pour crew" not in notes_before


def test_the_index_links_every_project_to_its_day_view(emu: Emu, api: httpx.Client) -> None:
    index = emu.http.get("/_emulator/")

    assert index.status_code == 200
    for label, project_id in emu.world["projects"].items():
        assert f"/_emulator/view?project_id={project_id}" in index.text, label
    assert emu.http.get("/_emulator/view", params={"project_id": 999}).status_code == 404


@pytest.mark.parametrize("status", ["500", "503", "429"])
def test_fault_switches(emu: Emu, api: httpx.Client, status: str) -> None:
    emu.configure(faults={status: 1.0})
    answer = api.get("/rest/v1.0/me")
    assert answer.status_code == int(status)
    if status == "503":
        assert int(answer.headers["retry-after"]) > 0
    if status == "429":
        assert answer.headers["x-rate-limit-remaining"] == "0"
    assert emu.http.get("/_emulator/stats").status_code == 200
    assert emu.http.post("/oauth/token", data={"grant_type": "x"}).status_code == 401


def test_faults_are_deterministic_for_a_seed(emu: Emu, api: httpx.Client) -> None:
    def run() -> list[int]:
        emu.configure(faults={"500": 0.0}, fault_seed=3)
        emu.configure(faults={"500": 0.4})
        return [api.get("/rest/v1.0/me").status_code for _ in range(15)]

    first = run()
    assert 500 in first
    assert 200 in first
    assert run() == first


def test_lost_response_commits_the_write_but_drops_the_connection(emu: Emu, api: httpx.Client) -> None:
    project = emu.project_id()
    emu.configure(faults={"lost_response": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(f"/rest/v1.0/projects/{project}/manpower_logs",
                 json={"manpower_log": {"num_workers": 2, "num_hours": 8}})
    emu.configure(faults={"lost_response": 0.0})
    logs = api.get(f"/rest/v1.0/projects/{project}/manpower_logs", params={"filters[status]": "all"}).json()
    assert len(logs) == 1
    assert logs[0]["num_workers"] == 2


def test_latency_is_applied(emu: Emu, api: httpx.Client) -> None:
    emu.configure(latency_ms=150)
    answer = api.get("/rest/v1.0/me")
    assert answer.elapsed.total_seconds() >= 0.15
