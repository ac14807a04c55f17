"""Builders of small literal source frames for the aggregation tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import pytest

from core.aggregation.source import TIME_LOG_SOURCE_COLUMNS

MICROS_PER_SECOND = 1_000_000
MakeLogs = Callable[[list[dict[str, Any]]], pd.DataFrame]  # rows (defaults filled in) → time-log source frame


def _logs(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Time-log source rows; `minutes` and `seconds` give worked time, `at` the clock-in (UTC ISO text)."""
    defaults = {
        "job_site_id": 1, "work_date": date(2026, 11, 16), "employee_id": 1, "company_id": 1, "crew_id": None,
        "pay_id_id": 1, "cost_code_id": None, "pay_class_id": None, "at": "2026-11-16T14:00Z",
        "minutes": 60, "seconds": 0,
    }
    full = [defaults | row for row in rows]
    frame = pd.DataFrame(full)
    frame["clock_in"] = pd.to_datetime(frame["at"], utc=True).astype("datetime64[us, UTC]")
    frame["worked_micros"] = (frame["minutes"] * 60 + frame["seconds"]).astype("int64") * MICROS_PER_SECOND
    typed = frame.astype(
        {
            "job_site_id": "int64", "employee_id": "int64", "company_id": "int64", "pay_id_id": "int64",
            "crew_id": "Int64", "cost_code_id": "Int64", "pay_class_id": "Int64",
        }
    )
    return typed[TIME_LOG_SOURCE_COLUMNS]


@pytest.fixture
def make_logs() -> MakeLogs:
    return _logs
