from __future__ import annotations

import pandas as pd
import pytest

from core.dashboards.fixes import FixPlace, error_reasons, fix_place

UNMAPPED_PROJECT = "Job site 1007 Bayfront Hotel is not mapped to a Procore project (Data mapping > Projects)"
UNLINKED_VENDOR = ("Company EVG Evergreen Drywall is not linked to a Procore vendor (two-way mode: create it in "
                   "Procore and run the import on Administration > Procore setup)")
NO_PAYROLL_ITEM = "Pay ID OT Overtime is not published as any payroll item (Administration > Payroll items)"
FRACTION = "Procore quantity logs take whole numbers; 2.3 TON is not one"


@pytest.mark.parametrize(
    ("reason", "place"),
    [
        (UNMAPPED_PROJECT, FixPlace.DATA_MAPPING),
        ("Cost code 31-200 Earthwork is not mapped for project 1001 Riverside (Data mapping > Cost codes)",
         FixPlace.DATA_MAPPING),
        (NO_PAYROLL_ITEM, FixPlace.PAYROLL_ITEMS),
        ("Pay ID OT Overtime's payroll item is no longer active in Procore (choose another on "
         "Administration > Payroll items)", FixPlace.PAYROLL_ITEMS),
        (UNLINKED_VENDOR, FixPlace.PROCORE_SETUP),
        (FRACTION, FixPlace.QUANTITIES),
        ("the quantities mix units of measure (CY/TON); Procore takes one unit per log", FixPlace.QUANTITIES),
        ("more than 24 hours (25.5) on one day", FixPlace.TIME_LOGS),
        ("Employee with id 7 does not exist in the time clock (it was deleted); correct the time logs that use it.",
         FixPlace.TIME_LOGS),
    ],
    ids=["project", "cost code", "payroll item", "inactive payroll item", "two-way import", "fraction", "mixed units",
         "too many hours", "deleted record"],
)
def test_each_reason_leads_to_the_page_that_fixes_it(reason: str, place: FixPlace) -> None:
    assert fix_place(reason) is place


def test_error_reasons_group_the_non_publishable_entries_reasons_most_blocking_first() -> None:
    entries = pd.DataFrame({
        "status": ["non_publishable", "non_publishable", "to_do", "non_publishable", "failed"],
        "reasons": [[UNLINKED_VENDOR], [UNLINKED_VENDOR, FRACTION], [], [UNLINKED_VENDOR],
                    ["Procore refused it"]],
    })

    reasons = error_reasons(entries)

    assert reasons.to_dict("records") == [
        {"reason": UNLINKED_VENDOR, "entries": 3, "place": FixPlace.PROCORE_SETUP},
        {"reason": FRACTION, "entries": 1, "place": FixPlace.QUANTITIES},
    ]


def test_no_non_publishable_entry_means_no_errors() -> None:
    entries = pd.DataFrame({"status": ["to_do", "failed"], "reasons": [[], ["Procore refused it"]]})

    assert error_reasons(entries).empty
