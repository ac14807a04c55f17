"""Request field checks shared by daily logs and timecards; errors in Procore's 422 shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator import errors
from emulator.store import Tx
from emulator.timeutil import iso, parse_iso

Errors = dict[str, list[str]]


class Fields:
    """Collects field errors while turning request values into stored values."""

    def __init__(self, tx: Tx, project: dict[str, Any]) -> None:
        self.tx = tx
        self.project = project
        self.errors: Errors = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise errors.unprocessable(self.errors)

    def date(self, value: Any, field: str = "date") -> str | None:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.fail(field, "is not a valid date")
            return None

    def integer(self, value: Any, field: str, *, minimum: int | None = 0) -> int | None:
        if isinstance(value, bool | float):
            self.fail(field, "must be an integer")
            return None
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int):
            self.fail(field, "must be an integer" if value is not None else "can't be blank")
            return None
        if minimum is not None and value < minimum:
            self.fail(field, f"must be greater than or equal to {minimum}")
            return None
        return value

    def hours(self, value: Any, field: str, *, allow_zero: bool) -> str | None:
        """Hours as number or numeric string; stored and returned as a string such as "8.0"."""
        if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
            self.fail(field, "can't be blank" if value is None or value == "" else "is not a number")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(field, "is not a number")
            return None
        if not number.is_finite():
            self.fail(field, "is not a number")
        elif number > 24:
            self.fail(field, "must be less than or equal to 24")
        elif number < 0 or (number == 0 and not allow_zero):
            self.fail(field, "must be greater than 0" if not allow_zero else "must be greater than or equal to 0")
        else:
            return str(float(number))
        return None

    def text(self, value: Any, field: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(field, "must be a string")
        return None

    def boolean(self, value: Any, field: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        self.fail(field, "must be true or false")
        return False

    def ref(self, kind: str, value: Any, field: str, *, scope: str = "company") -> int | None:
        """An id that must name a live record of ``kind`` in this project's company (or project)."""
        if value in (None, ""):
            return None
        record = self.tx.get(kind, value)
        owner = self.project["id"] if scope == "project" else self.project["company_id"]
        if record is None or record.get(f"{scope}_id") != owner:
            self.fail(field, "is invalid")
            return None
        return int(record["id"])

    def clock(self, value: Any, field: str, day: str | None) -> str | None:
        """``time_in``/``time_out``: a datetime, or ``HH:MM`` joined to the entry's date."""
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            if len(text) <= 8 and ":" in text and day:
                return iso(parse_iso(f"{day}T{text}"))
            return iso(parse_iso(text))
        except ValueError:
            self.fail(field, "is not a valid time")
            return None


def hours_between(time_in: str, time_out: str, lunch_minutes: int | None) -> float:
    seconds = (parse_iso(time_out) - parse_iso(time_in)).total_seconds() - 60 * (lunch_minutes or 0)
    return round(seconds / 3600, 2)
