"""A reconciliation as calendar cells and day details, in people's words (pure: no I/O, no Streamlit).

One cell is one job site on one day: our figures against Procore's, and a
word besides the colour: "Drifts" (red) or "Matches" (green). A day's details
name the records on one side only, the ones from other sources and the fields
that differ, with vendors, people and cost codes by name rather than by id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.dashboards.calendar import event_id
from core.modules.fields import ID_KINDS
from core.modules.registry import field_labels
from core.reconcile import Day, Detail, Finding
from core.reconcile.figures import Figures

DRIFTS, MATCHES = "Drifts", "Matches"
COLOURS = {DRIFTS: "#d32f2f", MATCHES: "#21c354"}
CELL_FIGURES = 3  # a cell shows this many figures; the details show them all
Name = Callable[[str, Any], str]  # ("vendor", 812) → "Apex Concrete"


@dataclass(frozen=True)
class DetailRow:
    """One record behind a drift, as the day panel lists it."""

    finding: str
    record: str
    differences: str
    note: str


def state(day: Day) -> str:
    return DRIFTS if day.drifts else MATCHES


def cell_figures(figures: Figures) -> str:
    """`workers 12, hours 96`: totals first, at most CELL_FIGURES of them (nothing: `nothing`)."""
    if not figures:
        return "nothing"
    totals = [label for label in ("workers", "hours") if label in figures]
    shown = totals or sorted(figures)[:CELL_FIGURES]
    more = "" if totals or len(figures) <= CELL_FIGURES else f", +{len(figures) - CELL_FIGURES} more"
    return ", ".join(f"{label} {figures[label]:g}" for label in shown) + more


def calendar_events(days: list[Day], sites: Mapping[int, str]) -> list[dict[str, Any]]:
    """One all-day event per job-site day: the job site, both sides' figures and the word, coloured by it."""
    events = []
    for day in days:
        word = state(day)
        site = sites.get(day.job_site_id, str(day.job_site_id))
        events.append({
            "id": event_id(day.job_site_id, day.work_date),
            "title": f"{site}\nTime clock: {cell_figures(day.ours)}\nProcore: {cell_figures(day.theirs)}\n{word}",
            "start": day.work_date.isoformat(), "allDay": True,
            "backgroundColor": COLOURS[word], "borderColor": COLOURS[word], "textColor": "#ffffff",
            "classNames": [f"reconcile-{word.lower()}"],
            "extendedProps": {"job_site_id": day.job_site_id, "state": word},
        })
    return events


def figure_rows(day: Day) -> list[dict[str, Any]]:
    """Each figure of the day on both sides and the difference (Procore minus the time clock)."""
    labels = sorted(set(day.ours) | set(day.theirs), key=_first_totals)
    return [{"figure": label, "time_clock": day.ours.get(label, 0.0), "procore": day.theirs.get(label, 0.0),
             "difference": round(day.theirs.get(label, 0.0) - day.ours.get(label, 0.0), 2)} for label in labels]


def _first_totals(label: str) -> tuple[int, str]:
    return ({"workers": 0, "hours": 1}.get(label, 2), label)


def detail_rows(day: Day, record_label: str, name: Name) -> list[DetailRow]:
    """The records behind the day's drift, one sentence each (see the module docstring)."""
    return [_row(detail, record_label, name) for detail in day.details]


def _row(detail: Detail, record_label: str, name: Name) -> DetailRow:
    fields = detail.theirs if detail.finding in (Finding.FOREIGN, Finding.ONLY_PROCORE) else detail.ours
    differences = "; ".join(f"{_label(field)}: {_value(field, ours, name)} here, "
                            f"{_value(field, theirs, name)} in Procore"
                            for field, (ours, theirs) in detail.differs.items())
    return DetailRow(finding=f"{record_label.capitalize()} {detail.finding.value}",
                     record=fields_text(fields or detail.theirs or {}, name), differences=differences,
                     note=detail.note or "")


def fields_text(fields: Mapping[str, Any], name: Name) -> str:
    """`Vendor Apex Concrete, Workers 3, Hours per worker 8` (empty fields left out, the date too)."""
    parts = [f"{_label(field)} {_value(field, value, name)}" for field, value in fields.items()
             if value not in (None, "") and field != "date"]
    return ", ".join(parts) or "no fields"


def _label(field: str) -> str:
    return field_labels().get(field, field.replace("_", " ").capitalize())


def _value(field: str, value: Any, name: Name) -> str:
    if value is None or value == "":
        return "nothing"
    kind = ID_KINDS.get(field)
    return name(kind, value) if kind else str(value)


def summary(days: list[Day]) -> str:
    """`2 of 10 job-site days drift.` (or that none does)."""
    drifting = sum(day.drifts for day in days)
    if not days:
        return "Neither side has records in this range."
    if not drifting:
        return f"All {len(days)} job-site days match."
    return f"{drifting} of {len(days)} job-site days drift."
