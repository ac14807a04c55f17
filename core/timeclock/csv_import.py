"""CSV upload of time logs and production quantities: all rows or none.

Every row is checked before anything is written. A file with any bad row
imports nothing and reports each bad row's line number (the header is line 1)
and every reason it was refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from core.access import Identity, Perm
from core.errors import ValidationError
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, ProductionQuantity, TimeLog
from core.models.ids import saved_id
from core.timeclock.edits import time_problems
from core.timeclock.rules import local_to_utc

TIME_LOG_COLUMNS = (
    "employee_number", "job_site_number", "cost_code", "pay_id", "clock_in", "clock_out", "break_minutes"
)
TIME_LOG_OPTIONAL = ("pay_class", "crew", "company")
QUANTITY_COLUMNS = ("job_site_number", "cost_code", "date", "units")
QUANTITY_OPTIONAL = ("unit_of_measure",)
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


class CsvImportError(ValidationError):
    """The file was refused; `errors` lists each bad row. Nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n… and {len(errors) - 20} more bad rows" if len(errors) > 20 else ""
        super().__init__(f"Nothing was imported: {len(errors)} bad row(s).\n{shown}{more}")


@dataclass
class ImportResult:
    imported: int
    kind: str


@dataclass
class _Lookups:
    """Numbers and codes people type, resolved to our records."""

    sites: dict[str, JobSite] = field(default_factory=dict)
    employees: dict[str, Employee] = field(default_factory=dict)
    pay_ids: dict[str, PayID] = field(default_factory=dict)
    pay_classes: dict[str, PayClass] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    crews: dict[tuple[int, str], Crew] = field(default_factory=dict)
    codes: dict[tuple[int | None, str], CostCode] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> _Lookups:
        lookups = cls(
            sites={s.number.upper(): s for s in session.exec(select(JobSite))},
            employees={e.number.upper(): e for e in session.exec(select(Employee))},
            pay_ids={p.code.upper(): p for p in session.exec(select(PayID))},
            pay_classes={p.number.upper(): p for p in session.exec(select(PayClass))},
            companies={c.number.upper(): c for c in session.exec(select(Company))},
            crews={(c.company_id, c.name.upper()): c for c in session.exec(select(Crew))},
            codes={(c.job_site_id, c.code.upper()): c for c in session.exec(select(CostCode))},
        )
        return lookups

    def company_by_id(self, company_id: int) -> Company | None:
        return next((c for c in self.companies.values() if c.id == company_id), None)

    def cost_code(self, site: JobSite, code: str) -> CostCode | None:
        """The site's own code, else the standard code with that code."""
        key = code.upper()
        return self.codes.get((site.id, key)) or self.codes.get((None, key))


def _read(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[dict[str, str]]:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise CsvImportError([RowError(1, (f"the file is larger than {MAX_BYTES // 1024 // 1024} MB",))])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvImportError([RowError(1, ("the file is not UTF-8 text",))]) from None
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvImportError([RowError(1, (f"missing column(s): {', '.join(missing)}",))])
    unknown = [name for name in header if name and name not in required + optional]
    if unknown:
        raise CsvImportError([RowError(1, (f"unknown column(s): {', '.join(unknown)}",))])
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if not rows:
        raise CsvImportError([RowError(1, ("the file has a header but no rows",))])
    return rows


def _instant(text: str, site: JobSite | None, label: str, reasons: list[str]) -> datetime | None:
    if not text:
        reasons.append(f"{label} is empty")
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        reasons.append(f"{label} '{text}' is not a date and time like 2026-11-02 07:00 or 2026-11-02T07:00-06:00")
        return None
    if value.tzinfo is None:
        return local_to_utc(value, site.time_zone) if site else None
    return value


def _validate_rows(
    rows: Iterable[dict[str, str]], build: Callable[[dict[str, str], list[str]], Any]
) -> tuple[list[Any], list[RowError]]:
    built, errors = [], []
    for line, row in enumerate(rows, start=2):
        reasons: list[str] = []
        record = build(row, reasons)
        if reasons:
            errors.append(RowError(line, tuple(reasons)))
        else:
            built.append((line, record))
    return built, errors


def import_time_logs(session: Session, *, data: bytes | str, actor: Identity) -> ImportResult:
    """Add every time log in a CSV file, or none (raises CsvImportError listing each bad row).

    Clock times without a UTC offset are wall-clock times at the job site.
    """
    actor.require(Perm.EDIT_TIME_LOGS)
    rows = _read(data, TIME_LOG_COLUMNS, TIME_LOG_OPTIONAL)
    lookups = _Lookups.load(session)
    built, errors = _validate_rows(rows, lambda row, reasons: _time_log(row, lookups, reasons))
    errors += _overlaps(session, built)
    if errors:
        raise CsvImportError(sorted(errors, key=lambda e: e.line))
    session.add_all(log for _, log in built)
    session.flush()
    return ImportResult(imported=len(built), kind="time logs")


def _time_log(row: dict[str, str], lookups: _Lookups, reasons: list[str]) -> TimeLog | None:
    employee = lookups.employees.get(row["employee_number"].upper())
    site = lookups.sites.get(row["job_site_number"].upper())
    pay_id = lookups.pay_ids.get(row["pay_id"].upper())
    if employee is None:
        reasons.append(f"no employee with number '{row['employee_number']}'")
    if site is None:
        reasons.append(f"no job site with number '{row['job_site_number']}'")
    if pay_id is None:
        reasons.append(f"no pay ID '{row['pay_id']}'")
    code = lookups.cost_code(site, row["cost_code"]) if site and row["cost_code"] else None
    if site and row["cost_code"] and code is None:
        reasons.append(f"cost code '{row['cost_code']}' is neither a standard code nor one of job site {site.number}'s")
    pay_class = _optional(row, "pay_class", lookups.pay_classes, "pay class", reasons)
    company = _optional(row, "company", lookups.companies, "company", reasons)
    if company is None and employee is not None:
        company = lookups.company_by_id(employee.company_id)
    crew = None
    if row.get("crew") and company is not None:
        crew = lookups.crews.get((saved_id(company), row["crew"].upper()))
        if crew is None:
            reasons.append(f"company {company.number} has no crew '{row['crew']}'")
    clock_in = _instant(row["clock_in"], site, "clock_in", reasons)
    clock_out = _instant(row["clock_out"], site, "clock_out", reasons) if row["clock_out"] else None
    break_minutes = _whole_number(row["break_minutes"] or "0", "break_minutes", reasons)
    if clock_in is not None and break_minutes is not None:
        reasons.extend(time_problems(clock_in, clock_out, break_minutes))
    if reasons or not (employee and site and pay_id and company and clock_in):
        return None
    return TimeLog(
        employee_id=saved_id(employee), job_site_id=saved_id(site), cost_code_id=code.id if code else None,
        pay_id_id=saved_id(pay_id), pay_class_id=pay_class.id if pay_class else employee.pay_class_id,
        crew_id=crew.id if crew else None, company_id=saved_id(company), clock_in=clock_in, clock_out=clock_out,
        break_minutes=break_minutes or 0,
    )


def _optional(row: dict[str, str], column: str, table: dict[str, Any], label: str, reasons: list[str]) -> Any:
    text = row.get(column, "")
    if not text:
        return None
    found = table.get(text.upper())
    if found is None:
        reasons.append(f"no {label} '{text}'")
    return found


def _whole_number(text: str, label: str, reasons: list[str]) -> int | None:
    try:
        value = int(text)
    except ValueError:
        reasons.append(f"{label} '{text}' is not a whole number")
        return None
    if value < 0:
        reasons.append(f"{label} cannot be negative")
        return None
    return value


def _overlaps(session: Session, built: list[tuple[int, TimeLog]]) -> list[RowError]:
    """Rows whose time overlaps another row's or a stored log's, for the same employee."""
    if not built:
        return []
    employee_ids = {log.employee_id for _, log in built}
    low = min(log.clock_in for _, log in built)
    stored = session.exec(
        select(TimeLog).where(
            TimeLog.employee_id.in_(employee_ids),  # type: ignore[attr-defined]
            TimeLog.deleted_at.is_(None),  # type: ignore[union-attr]
            (TimeLog.clock_out.is_(None)) | (TimeLog.clock_out > low),  # type: ignore[union-attr,operator]
        )
    ).all()
    errors = []
    for index, (line, log) in enumerate(built):
        end = log.clock_out or log.clock_in
        clash_stored = any(
            _clash(log.clock_in, end, s.clock_in, s.clock_out) for s in stored if s.employee_id == log.employee_id
        )
        clash_file = [
            other_line for other_line, other in built[:index]
            if other.employee_id == log.employee_id and _clash(log.clock_in, end, other.clock_in, other.clock_out)
        ]
        if clash_stored:
            errors.append(RowError(line, ("overlaps a time log the employee already has",)))
        elif clash_file:
            errors.append(RowError(line, (f"overlaps line {clash_file[0]} of this file",)))
    return errors


def _clash(start: datetime, end: datetime, other_start: datetime, other_end: datetime | None) -> bool:
    return start < (other_end or datetime.max.replace(tzinfo=start.tzinfo)) and other_start < max(end, start)


def import_production_quantities(session: Session, *, data: bytes | str, actor: Identity) -> ImportResult:
    """Add every production quantity in a CSV file, or none (raises CsvImportError)."""
    actor.require(Perm.EDIT_TIME_LOGS)
    rows = _read(data, QUANTITY_COLUMNS, QUANTITY_OPTIONAL)
    lookups = _Lookups.load(session)
    built, errors = _validate_rows(rows, lambda row, reasons: _quantity(row, lookups, reasons))
    if errors:
        raise CsvImportError(errors)
    session.add_all(quantity for _, quantity in built)
    session.flush()
    return ImportResult(imported=len(built), kind="production quantities")


def _quantity(row: dict[str, str], lookups: _Lookups, reasons: list[str]) -> ProductionQuantity | None:
    site = lookups.sites.get(row["job_site_number"].upper())
    if site is None:
        reasons.append(f"no job site with number '{row['job_site_number']}'")
    code = lookups.cost_code(site, row["cost_code"]) if site else None
    if site and code is None:
        reasons.append(f"cost code '{row['cost_code']}' is neither a standard code nor one of job site {site.number}'s")
    try:
        day = date.fromisoformat(row["date"])
    except ValueError:
        reasons.append(f"date '{row['date']}' is not a date like 2026-11-02")
        day = None
    try:
        units = Decimal(row["units"])
        if not units.is_finite() or units < 0:
            reasons.append(f"units '{row['units']}' must be zero or more")
    except InvalidOperation:
        reasons.append(f"units '{row['units']}' is not a number")
        units = None
    uom = row.get("unit_of_measure") or (code.unit_of_measure if code else "")
    if reasons or not (site and code and day and units is not None):
        return None
    return ProductionQuantity(job_site_id=site.id, cost_code_id=code.id, date=day, unit_of_measure=uom, units=units)  # type: ignore[arg-type]
