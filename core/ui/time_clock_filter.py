"""The filter the time clock's lists share: job sites and a date range (the last seven days to start)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import streamlit as st

from core.db import utcnow


class Filter(NamedTuple):
    """What a list shows: its job sites (None: all) and dates."""

    job_site_ids: list[int] | None
    start: date
    end: date


def site_and_date_filter(job_sites: dict[int, str], *, prefix: str) -> Filter:
    """Job sites and dates side by side, keyed `<prefix>_sites` and `<prefix>_dates`."""
    today = utcnow().date()
    left, right = st.columns([3, 2])
    site_ids = left.multiselect("Job sites", list(job_sites), format_func=job_sites.__getitem__,
                                key=f"{prefix}_sites", placeholder="All job sites")
    period = right.date_input("Dates", value=(today - timedelta(days=6), today), key=f"{prefix}_dates")
    start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
    return Filter(site_ids or None, start, end)
