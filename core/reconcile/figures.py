"""What a reconciliation sums per job-site day, per module, from records in Procore's shape (compared fields).

Both sides are summed by the same function: our entries as the fields they
send, Procore's records as it lists them. Manpower counts workers and hours
(workers × hours per worker); timecards and timesheets count hours, in all and
per person; quantities count units per cost code and unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from core.models.publishing import PublishModule

Namer = Callable[[str, Any], str]  # ("person", party id) → "Ann Lee"; ("cost code", id) → "03-300"
Figures = dict[str, float]


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _manpower(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    workers = _number(fields.get("num_workers"))
    return [("workers", workers), ("hours", workers * _number(fields.get("num_hours")))]


def _timecard(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    hours = _number(fields.get("hours"))
    return [("hours", hours), (f"hours of {name('person', fields.get('party_id'))}", hours)]


def _quantity(fields: Mapping[str, Any], name: Namer) -> list[tuple[str, Decimal]]:
    unit = fields.get("unit") or ""
    return [(f"{name('cost code', fields.get('cost_code_id'))} {unit}".strip(), _number(fields.get("quantity")))]


_AMOUNTS: dict[PublishModule, Callable[[Mapping[str, Any], Namer], list[tuple[str, Decimal]]]] = {
    PublishModule.MANPOWER: _manpower, PublishModule.TIMECARD: _timecard, PublishModule.TIMESHEET: _timecard,
    PublishModule.QUANTITY: _quantity,
}


def day_figures(module: PublishModule, records: Iterable[Mapping[str, Any]], name: Namer) -> Figures:
    """The figures of one side of one job-site day: name → sum, rounded to 2 decimals."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for fields in records:
        for label, amount in _AMOUNTS[module](fields, name):
            totals[label] += amount
    return {label: float(round(total, 2)) for label, total in totals.items()}


def figures_text(figures: Mapping[str, float]) -> str:
    """`workers 12, hours 96` (nothing: `nothing`)."""
    if not figures:
        return "nothing"
    return ", ".join(f"{label} {value:g}" for label, value in sorted(figures.items(), key=_order))


_FIRST = ("workers", "hours")


def _order(item: tuple[str, float]) -> tuple[int, str]:
    label = item[0]
    return (_FIRST.index(label) if label in _FIRST else len(_FIRST), label)
