"""The coercions every Procore response model shares, the base model, and the references records embed.

Procore is not consistent: hours come as "8.5" or 8.5, `cost_code` is an object in one family and a
string in another, `origin_id` is an integer here and a string there, ids exceed 32 bits, optional
fields go missing. Every field is optional except `id`, unknown fields are ignored, and numbers,
strings and blanks are coerced to one Python type per field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def _to_minutes(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str | float | Decimal):
        return int(Decimal(str(value)))
    return value


def _none_to_empty(value: Any) -> Any:
    return [] if value is None else value


def _none_to_empty_dict(value: Any) -> Any:
    return {} if value is None else value


def _assume_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Id = Annotated[int | None, BeforeValidator(_blank_to_none)]
Text = Annotated[str | None, BeforeValidator(_to_text)]
Hours = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
Minutes = Annotated[int | None, BeforeValidator(_to_minutes)]
Day = Annotated[date | None, BeforeValidator(_blank_to_none)]
Instant = Annotated[datetime | None, BeforeValidator(_blank_to_none), AfterValidator(_assume_utc)]
Flag = Annotated[bool | None, BeforeValidator(_blank_to_none)]
T = TypeVar("T")
Items = Annotated[list[T], BeforeValidator(_none_to_empty)]  # null arrives for empty lists too
Extras = Annotated[dict[str, Any], BeforeValidator(_none_to_empty_dict)]


class ProcoreModel(BaseModel):
    """Base of every response model: unknown fields ignored, aliases and names both accepted."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NamedRef(ProcoreModel):
    id: Id = None
    name: Text = None


class UserRef(NamedRef):
    login: Text = None


class PartyRef(NamedRef):
    first_name: Text = None
    last_name: Text = None
    is_employee: Flag = None
    employee_id: Text = None
    user_id: Id = None
    is_active: Flag = None


class LocationRef(NamedRef):
    node_name: Text = None
    parent_id: Id = None


class CostCodeRef(NamedRef):
    """A cost code as embedded in another record; Procore sometimes sends only its text."""

    code: Text = None
    full_code: Text = None
    long_name: Text = None

    @classmethod
    def _from_any(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str | int) and not isinstance(value, bool) else value


CostCodeField = Annotated[CostCodeRef | None, BeforeValidator(CostCodeRef._from_any)]


class TimeTypeRef(ProcoreModel):
    id: Id = None
    time_type: Text = None
    abbreviated_time_type: Text = None
    company_id: Id = None
    global_: Flag = Field(default=None, alias="global")


class TimesheetRef(ProcoreModel):
    id: Id = None
    date: Day = None
    name: Text = None
    number: Id = None
    status: Text = None

