"""A reconciliation in sentences: one line per drifting day and one per record behind it (CLI and pages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.reconcile.compare import Day, Detail, Finding
from core.reconcile.figures import figures_text


def day_line(day: Day, site: str) -> str:
    """`job site 1001 Main St 2026-11-16: time clock workers 12, hours 96 · Procore workers 13, hours 104`."""
    return f"job site {site} {day.work_date}: time clock {figures_text(day.ours)} · Procore {figures_text(day.theirs)}"


def detail_line(detail: Detail, record_label: str) -> str:
    """One record behind a drift, e.g. `manpower log 812 from another source: num_workers=3, …`."""
    record = f"{record_label} {detail.remote_id}" if detail.remote_id is not None else record_label
    entry = f" (entry {detail.entry_id})" if detail.entry_id is not None else ""
    if detail.finding is Finding.CHANGED:
        what = "; ".join(f"{name}: {ours!r} here, {theirs!r} in Procore"
                         for name, (ours, theirs) in detail.differs.items())
    else:
        what = _fields(detail.theirs if detail.theirs is not None else detail.ours)
    note = f" [{detail.note}]" if detail.note else ""
    return f"{record}{entry} {detail.finding.value}: {what}{note}"


def _fields(fields: Mapping[str, Any] | None) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in (fields or {}).items()) or "no fields"
