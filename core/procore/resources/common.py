"""Small helpers shared by the resource modules: Procore's date-range filter and batching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def date_range(start: dt.date | dt.datetime | None, end: dt.date | dt.datetime | None) -> str | None:
    """Procore's `filters[...]` range: `<from>...<to>` in ISO 8601 (UTC for instants)."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ValueError("a range needs both its start and its end")
    return f"{_iso(start)}...{_iso(end)}"


def _iso(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("give instants with a time zone")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
