"""Quantities compared per cost code and unit; a record held by an entry outside the range is not foreign."""

from __future__ import annotations

import datetime as dt

from core.models.publishing import PublishModule, PublishStatus
from core.modules.registry import definition
from core.modules.targets import Remote
from core.reconcile import Finding, Ours
from core.reconcile.compare import compare

DAY = dt.date(2026, 11, 16)
QUANTITY = definition(PublishModule.QUANTITY).target
CODES = {31: "03-300", 52: "05-200"}


def _name(kind: str, procore_id: object) -> str:
    return CODES.get(procore_id, f"Procore {kind} {procore_id}") if isinstance(procore_id, int) else "?"


def _fields(code: int, quantity: int, unit: str = "CY") -> dict[str, object]:
    return {"date": DAY.isoformat(), "cost_code_id": code, "quantity": quantity, "unit": unit,
            "description": f"{CODES[code]} work"}


def test_quantities_are_summed_per_cost_code_and_unit_and_a_foreign_log_is_named() -> None:
    ours = [Ours(1, 7, DAY, PublishStatus.PUBLISHED, _fields(31, 12), procore_id=900, project_id=50)]
    listed = {50: [Remote(900, DAY, None, _fields(31, 12)), Remote(901, DAY, None, _fields(52, 4, "TON")),
                   Remote(902, DAY, None, _fields(31, 2))]}

    [day] = compare(QUANTITY, ours, listed, site_of_project={50: 7}, owned={902}, name=_name)

    assert day.ours == {"03-300 CY": 12.0}
    assert day.theirs == {"03-300 CY": 14.0, "05-200 TON": 4.0}
    assert [(d.finding, d.remote_id) for d in day.details] == [(Finding.FOREIGN, 901), (Finding.ONLY_PROCORE, 902)]
    assert day.drifts


def test_a_deleted_entry_whose_log_is_gone_does_not_drift() -> None:
    ours = [Ours(1, 7, DAY, PublishStatus.PUBLISHED, _fields(31, 12), procore_id=900, project_id=50),
            Ours(2, 7, DAY, PublishStatus.DELETED, None, procore_id=899, project_id=50)]
    listed = {50: [Remote(900, DAY, None, _fields(31, 12))]}

    [day] = compare(QUANTITY, ours, listed, site_of_project={50: 7}, owned=set(), name=_name)

    assert not day.drifts
