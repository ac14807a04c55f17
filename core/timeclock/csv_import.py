"""CSV upload of time logs and production quantities: all rows or none.

Every row is checked before anything is written: its shape and cells
(`csv_reading`), each value against its column (`fields`), the time-log rules
(`rules`, the same ones the edit form obeys) and, for time logs, overlaps with
the file's other rows and the logs already stored. A file with any bad row
imports nothing and reports each bad row's line number (the header is line 1)
and every reason it was refused. The checks are linear in the file's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.access import Identity, Perm
from core.aggregation.collection import collection_paused
from core.db import utcnow
from core.models import ProductionQuantity, TimeLog
from core.timeclock import fields
from core.timeclock.csv_lookups import Lookups, Ref
from core.timeclock.csv_reading import (
    MAX_BYTES,
    CsvImportError,
    CsvRow,
    RowError,
    counted,
    read_rows,
)
from core.timeclock.dirty import mark_dirty, mark_logs_dirty
from core.timeclock.rules import OVERLAPS_STORED, Span, clashes, local_to_utc, overlapping, time_problems

__all__ = ["MAX_BYTES", "CsvImportError", "ImportResult", "RowError", "import_production_quantities",
           "import_time_logs"]

TIME_LOG_COLUMNS = (
    "employee_number", "job_site_number", "cost_code", "pay_id", "clock_in", "clock_out", "break_minutes"
)
TIME_LOG_OPTIONAL = ("pay_class", "crew", "company")
QUANTITY_COLUMNS = ("job_site_number", "cost_code", "date", "units")
QUANTITY_OPTIONAL = ("unit_of_measure",)
_STORED = 0  # the span key of a stored log (file rows use their line number, which starts at 2)
_EMPLOYEES_PER_QUERY = 1000  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits

Record = dict[str, Any]


@dataclass
class ImportResult:
    imported: int
    kind: str  # what one row is: "time log"

    @property
    def message(self) -> str:
        """"Imported 1 time log.", "Imported 12 time logs."."""
        return f"Imported {counted(self.imported, self.kind)}."


def import_time_logs(session: Session, *, data: bytes | str, actor: Identity) -> ImportResult:
    """Add every time log in a CSV file, or none (raises CsvImportError listing each bad row).

    Clock times without a UTC offset are wall-clock times at the job site.
    """
    actor.require(Perm.EDIT_TIME_LOGS)
    with collection_paused():
        rows = read_rows(data, TIME_LOG_COLUMNS, TIME_LOG_OPTIONAL)
        lookups, today = Lookups.load(session), utcnow().date()
        records = {row.line: _time_log(row, lookups, today) for row in rows if row.cells}
        _add_overlaps(session, rows, records)
    return _write(session, rows, records, TimeLog, "time log")


def _time_log(row: CsvRow, lookups: Lookups, today: date) -> Record | None:
    cells, reasons, find = row.cells, row.reasons, lookups.find
    employee = find(lookups.employees, cells["employee_number"], "employee with number", reasons)
    site = find(lookups.sites, cells["job_site_number"], "job site with number", reasons)
    pay_id = find(lookups.pay_ids, cells["pay_id"], "pay ID", reasons)
    code = lookups.cost_code(site, cells["cost_code"], reasons) if site and cells["cost_code"] else None
    pay_class = find(lookups.pay_classes, cells.get("pay_class", ""), "pay class", reasons)
    company = find(lookups.companies, cells.get("company", ""), "company", reasons)
    company = company or (lookups.company_by_id(employee.company_id) if employee else None)
    crew = lookups.crew(cells.get("crew", ""), company, reasons)
    clock_in = _clock(cells["clock_in"], "clock-in", site, reasons, today)
    clock_out = _clock(cells["clock_out"], "clock-out", site, reasons, today) if cells["clock_out"] else None
    break_minutes = fields.whole_number(cells["break_minutes"] or "0", "break minutes", reasons)
    if clock_in is not None and break_minutes is not None:
        reasons.extend(time_problems(clock_in, clock_out, break_minutes, today=today))
    if reasons or not (employee and site and pay_id and company and clock_in):
        return None
    return {
        "employee_id": employee.id, "job_site_id": site.id, "cost_code_id": code.id if code else None,
        "pay_id_id": pay_id.id, "pay_class_id": pay_class.id if pay_class else employee.pay_class_id,
        "crew_id": crew.id if crew else None, "company_id": company.id, "clock_in": clock_in,
        "clock_out": clock_out, "break_minutes": break_minutes,
    }


def _clock(text: str, label: str, site: Ref | None, reasons: list[str], today: date) -> datetime | None:
    if not text:
        reasons.append(f"{label} is empty")
        return None
    value, problems = _utc_clock(text, label, site.time_zone if site else None, today)
    reasons.extend(problems)
    return value


@lru_cache(maxsize=1 << 16)  # a file repeats its clock times (a crew starts together), and parsing dominates a row
def _utc_clock(text: str, label: str, time_zone: str | None, today: date) -> tuple[datetime | None, tuple[str, ...]]:
    """A clock time read at `time_zone` (when it has no offset), as UTC, or the reasons it cannot be."""
    problems: list[str] = []
    value = fields.instant(text, label, problems, today=today)
    if value is None or value.tzinfo is not None:
        return value, tuple(problems)
    return (local_to_utc(value, time_zone) if time_zone else None), ()


def _add_overlaps(session: Session, rows: list[CsvRow], records: dict[int, Record | None]) -> None:
    """Give each good row that overlaps another row or a stored log of its employee one reason saying so."""
    spans = [
        Span(record["employee_id"], record["clock_in"], record["clock_out"], line)
        for line, record in records.items() if record is not None
    ]
    by_line = {row.line: row for row in rows}
    flagged: set[int] = set()
    for earlier, later in clashes([*spans, *_stored_spans(session, spans)]):
        for this, other in ((earlier, later), (later, earlier)):
            if this.key != _STORED and this.key not in flagged:
                flagged.add(this.key)
                by_line[this.key].reasons.append(
                    OVERLAPS_STORED if other.key == _STORED else f"overlaps line {other.key} of this file"
                )


def _stored_spans(session: Session, spans: list[Span]) -> Iterator[Span]:
    """The live stored logs of the file's employees that overlap the time the file covers."""
    if not spans:
        return
    start = min(span.start for span in spans)
    ends = [span.end for span in spans]
    end = None if None in ends else max(e for e in ends if e is not None)
    employees = sorted({span.employee_id for span in spans})
    for first in range(0, len(employees), _EMPLOYEES_PER_QUERY):
        employee_ids = employees[first:first + _EMPLOYEES_PER_QUERY]
        query = select(TimeLog.employee_id, TimeLog.clock_in, TimeLog.clock_out).where(
            col(TimeLog.employee_id).in_(employee_ids),
            col(TimeLog.deleted_at).is_(None),
            overlapping(col(TimeLog.clock_in), col(TimeLog.clock_out), start, end),
        )
        for employee_id, clock_in, clock_out in session.exec(query):
            yield Span(employee_id, clock_in, clock_out, _STORED)


def import_production_quantities(session: Session, *, data: bytes | str, actor: Identity) -> ImportResult:
    """Add every production quantity in a CSV file, or none (raises CsvImportError)."""
    actor.require(Perm.EDIT_TIME_LOGS)
    with collection_paused():
        rows = read_rows(data, QUANTITY_COLUMNS, QUANTITY_OPTIONAL)
        lookups, today = Lookups.load(session), utcnow().date()
        records = {row.line: _quantity(row, lookups, today) for row in rows if row.cells}
    return _write(session, rows, records, ProductionQuantity, "production quantity")


def _quantity(row: CsvRow, lookups: Lookups, today: date) -> Record | None:
    cells, reasons = row.cells, row.reasons
    site = lookups.find(lookups.sites, cells["job_site_number"], "job site with number", reasons)
    code = lookups.cost_code(site, cells["cost_code"], reasons) if site else None
    day = fields.day(cells["date"], "date", reasons, today=today)
    units = fields.quantity(cells["units"], "units", reasons, column=_UNITS_COLUMN)
    typed_unit = cells.get("unit_of_measure", "")
    unit = fields.free_text(typed_unit, "unit_of_measure", reasons, limit=_UNIT_LENGTH) if typed_unit else None
    if reasons or not (site and code and day and units is not None):
        return None
    return {"job_site_id": site.id, "cost_code_id": code.id, "date": day,
            "unit_of_measure": unit or code.unit_of_measure, "units": units}


_UNITS_COLUMN = ProductionQuantity.__table__.c.units.type  # type: ignore[attr-defined]
_UNIT_LENGTH = fields.max_length(ProductionQuantity, "unit_of_measure")


def _mark(session: Session, model: type, records: list[Record]) -> None:
    """Record the job-site days the imported `records` touch."""
    if model is TimeLog:
        mark_logs_dirty(session, [(record["job_site_id"], record["clock_in"]) for record in records])
    else:
        mark_dirty(session, [(record["job_site_id"], record["date"]) for record in records])


def _write(
    session: Session, rows: list[CsvRow], records: dict[int, Record | None], model: type, kind: str
) -> ImportResult:
    """Insert every record, or raise CsvImportError with every bad row's reasons (writing nothing)."""
    if errors := [RowError(row.line, tuple(row.reasons)) for row in rows if row.reasons]:
        raise CsvImportError(errors)
    now = utcnow()
    good: Iterable[Record] = (record for record in records.values() if record is not None)
    stamped = [{**record, "created_at": now, "updated_at": now} for record in good]
    session.execute(insert(model), stamped)
    _mark(session, model, stamped)
    session.flush()
    return ImportResult(imported=len(stamped), kind=kind)
