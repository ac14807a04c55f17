"""The Procore fields each module writes, as the screens name them, and the kind of record an id field names.

A module's map lists every field people see (in a preview, a force publish's
overwrites, a reconciliation's differences); a field a map leaves out is an
internal key (`origin_id`, `timesheet_id`) and is not shown.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

DATE = {"date": "Date"}
MANPOWER_FIELDS: Final = MappingProxyType(DATE | {
    "contact_id": "Vendor", "num_workers": "Workers", "num_hours": "Hours per worker", "notes": "Notes"})
TIMECARD_FIELDS: Final = MappingProxyType(DATE | {
    "party_id": "Employee", "hours": "Hours", "timecard_time_type_id": "Time type", "cost_code_id": "Cost code",
    "work_classification_id": "Pay class"})
QUANTITY_FIELDS: Final = MappingProxyType(DATE | {
    "cost_code_id": "Cost code", "quantity": "Quantity", "unit": "Unit", "description": "Description"})
# An id field → the kind of Procore record it names (the kinds `core.dashboards.reconciliation_names` names).
ID_KINDS: Final = MappingProxyType({
    "contact_id": "vendor", "party_id": "person", "timecard_time_type_id": "time type", "cost_code_id": "cost code",
    "work_classification_id": "classification"})
