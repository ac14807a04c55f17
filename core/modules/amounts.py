"""What a reconciliation sums of one record, per module: the amounts in a Procore record's fields.

Our entries (as the fields they send) and Procore's records (as it lists them)
go through the same function, so both sides of a job-site day are summed alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Namer = Callable[[str, Any], str]  # ("person", party id) → "Ann Lee"; ("cost code", id) → "03-300"
Amounts = Callable[[Mapping[str, Any], Namer], list[tuple[str, Decimal]]]  # fields → (label, amount)


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def manpower_amounts(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    """Workers, and hours as workers × hours per worker."""
    workers = _number(fields.get("num_workers"))
    return [("workers", workers), ("hours", workers * _number(fields.get("num_hours")))]


def timecard_amounts(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    """Hours in all and per person."""
    hours = _number(fields.get("hours"))
    return [("hours", hours), (f"hours of {name('person', fields.get('party_id'))}", hours)]


def quantity_amounts(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    """Units per cost code and unit."""
    unit = fields.get("unit") or ""
    return [(f"{name('cost code', fields.get('cost_code_id'))} {unit}".strip(), _number(fields.get("quantity")))]
