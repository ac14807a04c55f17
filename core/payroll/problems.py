"""Why a card's timesheet entries did not reach Procore, each reason once with its count and where it is fixed."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from core.dashboards.fixes import error_reasons
from core.jobs.history import PROBLEM_COLUMNS, reason_of
from core.models.publishing import PublishStatus
from core.payroll.board import TIMESHEET, week_end
from core.publishing import entries_frame

STUCK = (PublishStatus.FAILED, PublishStatus.NON_PUBLISHABLE)


def card_problems(session: Session, *, job_site_id: int, week_start: date) -> tuple[int, pd.DataFrame]:
    """How many of the card's entries are stuck, and their reasons grouped (PROBLEM_COLUMNS), most first.

    A Non publishable reason carries the page that fixes it; a failure carries none (Republish on the
    card, or the next scheduled run, retries it).
    """
    entries = entries_frame(session, module=TIMESHEET, start=week_start, end=week_end(week_start),
                            job_site_ids=[job_site_id], statuses=STUCK)
    if entries.empty:
        return 0, pd.DataFrame(columns=PROBLEM_COLUMNS)
    failures = entries.loc[entries["status"] == PublishStatus.FAILED.value, "reasons"].explode().dropna()
    failed = failures.map(reason_of).value_counts().rename_axis("reason").reset_index(name="entries")
    grouped = pd.concat([error_reasons(entries), failed.assign(place=None)], ignore_index=True)
    ordered = grouped.sort_values(["entries", "reason"], ascending=[False, True], ignore_index=True)
    return len(entries), ordered[PROBLEM_COLUMNS]
