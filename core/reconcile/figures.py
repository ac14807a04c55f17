"""What a reconciliation sums per job-site day, from records in Procore's shape (each module's `amounts`).

Both sides are summed by the same function: our entries as the fields they
send, Procore's records as it lists them. Manpower counts workers and hours
(workers × hours per worker); timecards and timesheets count hours, in all and
per person; quantities count units per cost code and unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from core.models.publishing import PublishModule
from core.modules.amounts import Namer
from core.modules.registry import definition

Figures = dict[str, float]


def day_figures(module: PublishModule, records: Iterable[Mapping[str, Any]], name: Namer) -> Figures:
    """The figures of one side of one job-site day: name → sum, rounded to 2 decimals."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for fields in records:
        for label, amount in definition(module).amounts(fields, name):
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
