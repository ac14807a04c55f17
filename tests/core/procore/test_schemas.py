"""Our response models against Procore's published response schemas (shared/procore-spec/).

Instances are generated from each operation's 2xx schema: every property (maximal), only what is
required (minimal), every optional property null (Procore sends nulls the schemas do not mention),
and random subsets with hypothesis. One deliberate exception: records must carry `id` (the schemas
mark nothing required, but a record without its id cannot be synced), so an object whose schema
lists `id` always has one.
Schemas that Procore leaves empty (`{}`) are covered by hand-built shapes from procore-api.md.
Where the extract cut a schema short ("(nested object)" placeholders), the field's schema is taken
from the same field name elsewhere in the spec files.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from core.procore.resources.timecards import _BulkCreated
from core.procore.schemas import costs, directory, logs, time_entries

SPEC_DIR = Path(__file__).resolve().parents[4] / "shared" / "procore-spec"  # shared/ sits beside the project


# Every operation the client reads a body from, and the model that reads it (items, for lists).
MODELS: dict[str, type[BaseModel]] = {
    "RestV10MeGet": directory.Me,
    "RestV10CompaniesGet": directory.Company,
    "RestV10ProjectsGet": directory.Project,
    "RestV11ProjectsGet": directory.Project,
    "RestV10VendorsGet": directory.Vendor,
    "RestV10CompaniesCompanyIdUsersGet": directory.CompanyUser,
    "RestV10CompaniesCompanyIdPeopleGet": directory.Person,
    "RestV10CostCodesGet": costs.CostCode,
    "RestV10StandardCostCodeListsGet": costs.StandardCostCodeList,
    "RestV10StandardCostCodesGet": costs.StandardCostCode,
    "RestV10CompaniesCompanyIdWorkClassificationsGet": costs.WorkClassification,
    "RestV10CompaniesCompanyIdTimecardTimeTypesGet": costs.TimecardTimeType,
    "RestV10TimecardTimeTypesGet": costs.TimecardTimeType,
    "RestV10ProjectsProjectIdCrewsGet": costs.Crew,
    "RestV10ProjectsProjectIdManpowerLogsGet": logs.ManpowerLog,
    "RestV10ProjectsProjectIdManpowerLogsIdGet": logs.ManpowerLog,
    "RestV10ProjectsProjectIdManpowerLogsPost": logs.ManpowerLog,
    "RestV10ProjectsProjectIdManpowerLogsIdPatch": logs.ManpowerLog,
    "RestV10ProjectsProjectIdQuantityLogsGet": logs.QuantityLog,
    "RestV10ProjectsProjectIdQuantityLogsIdGet": logs.QuantityLog,
    "RestV10ProjectsProjectIdQuantityLogsPost": logs.QuantityLog,
    "RestV10ProjectsProjectIdQuantityLogsIdPatch": logs.QuantityLog,
    "RestV10ProjectsProjectIdTimecardEntriesGet": time_entries.TimecardEntry,
    "RestV10ProjectsProjectIdTimecardEntriesIdGet": time_entries.TimecardEntry,
    "RestV10ProjectsProjectIdTimecardEntriesPost": time_entries.TimecardEntry,
    "RestV10ProjectsProjectIdTimecardEntriesIdPatch": time_entries.TimecardEntry,
    "RestV10CompaniesCompanyIdTimecardEntriesGet": time_entries.TimecardEntry,
    "RestV10CompaniesCompanyIdTimecardEntriesIdGet": time_entries.TimecardEntry,
    "RestV10CompaniesCompanyIdTimecardEntriesIdPatch": time_entries.TimecardEntry,
    "RestV10CompaniesCompanyIdTimecardEntriesIdDelete": time_entries.TimecardEntry,
    "RestV11ProjectsProjectIdProjectTimecardEntriesBulkCreatePost": _BulkCreated,
    "RestV10ProjectsProjectIdTimesheetsGet": time_entries.Timesheet,
    "RestV10ProjectsProjectIdTimesheetsIdGet": time_entries.Timesheet,
    "RestV10ProjectsProjectIdTimesheetsPost": time_entries.Timesheet,
    "RestV10ProjectsProjectIdTimesheetsUpdateApprovalPatch": time_entries.Timesheet,
    "RestV10CompaniesCompanyIdTimesheetsGet": time_entries.CompanyTimesheet,
    "RestV10CompaniesCompanyIdTimesheetsPost": time_entries.TimecardEntry,
}


TRUNCATED = "(nested object)"


def _is_truncated(schema: dict[str, Any]) -> bool:
    return schema.get("description") == TRUNCATED and not schema.get("properties")


def _collect_fields() -> dict[str, dict[str, Any]]:
    """Field name -> the fullest schema any spec file gives it (to fill in truncated placeholders)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and not _is_truncated(sub):
                    known = found.get(name)
                    if known is None or len(json.dumps(sub)) > len(json.dumps(known)):
                        found[name] = sub
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(SPEC_DIR.glob("Rest*.json")):
        walk(json.loads(path.read_text())["responses"])
    return found


KNOWN_FIELDS = _collect_fields()


def _resolve(name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    return KNOWN_FIELDS.get(name) if _is_truncated(schema) else schema


def _response_schema(operation: str) -> dict[str, Any]:
    spec = json.loads((SPEC_DIR / f"{operation}.json").read_text())
    for status, answer in spec["responses"].items():
        if status.startswith("2"):
            return dict(answer.get("schema") or {})
    raise AssertionError(f"{operation} has no 2xx response")


def _item_schema(operation: str) -> dict[str, Any]:
    schema = _response_schema(operation)
    return dict(schema.get("items") or {}) if schema.get("type") == "array" else schema


def _scalar(schema: dict[str, Any]) -> Any:
    kind, fmt = schema.get("type"), schema.get("format")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "integer":
        return 5_000_000_123  # beyond 32 bits, as in newer Procore regions
    if kind == "number":
        return 8.5
    if kind == "boolean":
        return True
    if fmt == "date":
        return "2026-05-01"
    if fmt == "date-time":
        return "2026-05-01T08:00:00Z"
    if kind == "string":
        return "12"  # readable as text, as a number and as minutes, like Procore's numeric strings
    return {}


def instance(schema: dict[str, Any], mode: str) -> Any:
    """A value allowed by `schema`: mode "maximal", "minimal" or "nulls"."""
    if schema.get("type") == "array" or "items" in schema:
        return [] if mode == "minimal" else [instance(schema.get("items") or {}, mode)]
    properties: dict[str, Any] = schema.get("properties") or {}
    if not properties:
        return _scalar(schema)
    required = set(schema.get("required") or []) | ({"id"} & properties.keys())
    result: dict[str, Any] = {}
    for name, declared in properties.items():
        sub = _resolve(name, declared)
        if sub is None:
            continue
        if name in required or mode == "maximal":
            result[name] = instance(sub, mode)
        elif mode == "nulls":
            result[name] = None
    return result


SCHEMA_OPERATIONS = sorted(op for op in MODELS if _item_schema(op).get("properties"))
EMPTY_SCHEMA_OPERATIONS = sorted(set(MODELS) - set(SCHEMA_OPERATIONS))


@pytest.mark.parametrize("mode", ["maximal", "minimal", "nulls"])
@pytest.mark.parametrize("operation", SCHEMA_OPERATIONS)
def test_models_accept_the_shapes_procore_documents(operation: str, mode: str) -> None:
    model = MODELS[operation]
    document = instance(_item_schema(operation), mode)

    parsed = model.model_validate(document)

    if isinstance(document, dict) and "id" in document:
        assert getattr(parsed, "id") == 5_000_000_123  # noqa: B009 - models without an id field never get here


def _strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values allowed by `schema`; properties may also be absent or null (array items never null)."""
    if schema.get("type") == "array" or "items" in schema:
        return st.lists(_strategy(schema.get("items") or {}), max_size=2)
    properties: dict[str, Any] = schema.get("properties") or {}
    if not properties:
        return st.just(_scalar(schema))
    resolved = {name: _resolve(name, sub) for name, sub in properties.items()}
    children = {name: st.none() | _strategy(sub) for name, sub in resolved.items() if sub is not None}
    required = {"id": st.just(_scalar(resolved["id"] or {}))} if "id" in children else {}
    children.pop("id", None)
    return st.fixed_dictionaries(required, optional=children)


@pytest.mark.parametrize("operation", SCHEMA_OPERATIONS)
def test_models_accept_any_subset_of_documented_fields(operation: str) -> None:
    model = MODELS[operation]

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(document=_strategy(_item_schema(operation)))
    def check(document: Any) -> None:
        model.model_validate(document)

    check()


# Operations whose published schema is empty: shapes from procore-api.md §4 and Procore's examples.
HAND_BUILT: dict[str, dict[str, Any]] = {
    "person": {"id": 1, "first_name": "Ana", "last_name": "Diaz", "is_employee": True, "employee_id": "10001",
               "user_id": None, "user_uuid": "u-1", "work_classification_id": 5, "origin_id": None,
               "contact": {"is_active": True, "email": "ana@example.com"}},
    "cost_code": {"id": 153428166, "code": "100", "full_code": "03-100", "name": "Concrete", "parent": {"id": 7},
                  "position": "3", "standard_cost_code_id": 9, "budgeted": False, "origin_id": 44,
                  "line_item_types": [{"id": 50887, "name": "Labor", "code": "L", "base_type": "labor"}],
                  "created_at": "2026-05-01T08:00:00Z", "updated_at": "2026-05-01T08:00:00Z", "deleted_at": None},
    "project_timecard": {"id": 2, "date": "2018-11-01", "datetime": "2018-11-01T12:00:00Z", "hours": "8.5",
                         "time_in": "2018-11-01T08:00:00Z", "time_out": "2018-11-01T17:00:00Z", "lunch_time": 30,
                         "billable": True, "cost_code": {"id": 1, "name": "Concrete", "full_code": "03-100"},
                         "timecard_time_type": {"id": 9185, "abbreviated_time_type": "REG", "global": True},
                         "timesheet": {"id": 12345, "date": "2018-11-01", "status": "pending"},
                         "party": {"id": 111, "name": "Ana Diaz"}, "login_information": {"id": 222},
                         "automatically_split_timecard_entries": [], "custom_fields": {}},
    "company_timecard": {"id": 3, "date": "2026-05-01", "hours": 7.25, "cost_code": "03-100 Concrete",
                         "full_cost_code": {"id": 1, "name": "03-100 Concrete"}, "origin_id": "ext-9",
                         "timecard_type": "daily", "in_progress": False, "project": {"id": 5, "name": "P"},
                         "timesheet_status": {"id": 4, "status": "approved"}, "line_item_type_id": None},
    "vendor": {"id": 7, "name": "Apex Concrete", "abbreviated_name": "APX", "is_active": True, "origin_id": 12,
               "origin_code": "V-12", "trades": [{"id": 1, "name": "Concrete"}], "project_ids": [5],
               "parent": None, "created_at": "2026-05-01T08:00:00Z"},
    "project": {"id": 5_000_000_123, "name": "Riverside", "project_number": 1001, "active": True,
                "company": {"id": 1, "name": "Northwind"}, "origin_id": 77, "latitude": 30.2},
}
EMPTY_SCHEMA_SHAPES = {
    "RestV10CompaniesCompanyIdPeopleGet": ["person"],
    "RestV10CostCodesGet": ["cost_code"],
    "RestV11ProjectsGet": ["project"],
    "RestV10VendorsGet": ["vendor"],
    "RestV10ProjectsProjectIdTimecardEntriesGet": ["project_timecard", "company_timecard"],
    "RestV10ProjectsProjectIdTimecardEntriesIdGet": ["project_timecard"],
    "RestV10ProjectsProjectIdTimecardEntriesPost": ["project_timecard"],
    "RestV10ProjectsProjectIdTimecardEntriesIdPatch": ["project_timecard"],
    "RestV10CompaniesCompanyIdTimecardEntriesGet": ["company_timecard", "project_timecard"],
    "RestV10CompaniesCompanyIdTimecardEntriesIdGet": ["company_timecard"],
    "RestV10CompaniesCompanyIdTimecardEntriesIdPatch": ["company_timecard"],
    "RestV10CompaniesCompanyIdTimecardEntriesIdDelete": ["company_timecard"],
}


@pytest.mark.parametrize("operation", EMPTY_SCHEMA_OPERATIONS)
def test_operations_with_empty_schemas_are_covered_by_documented_examples(operation: str) -> None:
    model = MODELS[operation]

    for shape in EMPTY_SCHEMA_SHAPES[operation]:
        assert model.model_validate(HAND_BUILT[shape]).model_dump()["id"] == HAND_BUILT[shape]["id"]


@pytest.mark.parametrize(
    ("given_hours", "cost_code", "expected_code_id"),
    [("8.5", {"id": 10, "name": "Concrete"}, 10), (8.5, "03-100 Concrete", 11), (8, None, 11), ("", None, 11)],
    ids=["string-hours-object-code", "number-hours-string-code", "integer-hours", "blank-hours"],
)
def test_timecard_entries_read_every_hours_and_cost_code_variant(
    given_hours: Any, cost_code: Any, expected_code_id: int
) -> None:
    document = {"id": "5000000001", "hours": given_hours, "cost_code": cost_code, "full_cost_code": {"id": 11},
                "unknown_new_field": {"x": 1}}

    entry = time_entries.TimecardEntry.model_validate(document)

    assert entry.id == 5_000_000_001
    assert entry.hours == (None if given_hours == "" else Decimal(str(given_hours)))
    assert entry.resolved_cost_code_id == expected_code_id
