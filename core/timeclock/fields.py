"""Typed values out of the text people upload, each checked against the column it goes into.

Every reader appends the reasons a cell is refused to `reasons` and returns
None for it, so a row collects all of its problems before it is judged. The
limits come from the models (string lengths, numeric precision) and from the
time-log rules (the dates a record may have).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from annotated_types import MaxLen
from sqlalchemy import Numeric
from sqlmodel import SQLModel

from core.csv_safety import FORMULA_STARTS
from core.timeclock.rules import date_problem

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_SHOWN = 40


def shown(text: str, *, quote: str = "'") -> str:
    """`text` quoted for a message: cut to a readable length, control characters made visible."""
    cut = text[:_SHOWN] + ("…" if len(text) > _SHOWN else "")
    return quote + CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", cut) + quote


def max_length(model: type[SQLModel], name: str) -> int:
    """The longest text `model.name` holds, as its field declares."""
    return next(item.max_length for item in model.model_fields[name].metadata if isinstance(item, MaxLen))


def free_text(text: str, label: str, reasons: list[str], *, limit: int) -> str | None:
    """Text stored as typed: within `limit` characters and never read as a formula by a spreadsheet."""
    if len(text) > limit:
        reasons.append(f"{label} is {len(text):,} characters long; it holds at most {limit}")
        return None
    if text.startswith(FORMULA_STARTS):
        reasons.append(f"{label} {shown(text)} starts with {shown(text[0])}, which spreadsheets run as a formula")
        return None
    return text


def instant(text: str, label: str, reasons: list[str], *, today: date) -> datetime | None:
    """A date and time (UTC when it has an offset, else wall-clock) within the dates a log may have."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        reasons.append(f"{label} {shown(text)} is not a date and time like 2026-11-02 07:00 or 2026-11-02T07:00-06:00")
        return None
    if problem := date_problem(label, value.date(), today=today):
        reasons.append(problem)
        return None
    return value if value.tzinfo is None else value.astimezone(UTC)


def day(text: str, label: str, reasons: list[str], *, today: date) -> date | None:
    """A calendar date within the dates a record may have."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        reasons.append(f"{label} {shown(text)} is not a date like 2026-11-02")
        return None
    if problem := date_problem(label, value, today=today):
        reasons.append(problem)
        return None
    return value


def whole_number(text: str, label: str, reasons: list[str]) -> int | None:
    """A whole number as typed (its range is the rules' to judge)."""
    if len(text) > _SHOWN or not _WHOLE_NUMBER.fullmatch(text):
        reasons.append(f"{label} {shown(text)} is not a whole number")
        return None
    return int(text)


def quantity(text: str, label: str, reasons: list[str], *, column: Numeric) -> Decimal | None:  # type: ignore[type-arg]
    """A finite number, zero or more, that `column` holds exactly (its digits and decimal places)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        reasons.append(f"{label} {shown(text)} is not a number")
        return None
    places, ceiling = column.scale or 0, Decimal(10) ** ((column.precision or 0) - (column.scale or 0))
    if not value.is_finite() or value < 0 or value >= ceiling:
        reasons.append(f"{label} {shown(text)} must be zero or more and less than {ceiling:,}")
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        reasons.append(f"{label} {shown(text)} has more than {places} decimal places")
        return None
    return value
