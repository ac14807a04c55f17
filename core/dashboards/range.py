"""What a range publish ("Publish week", "Publish selected job sites") would do, counted from the stored entries.

A dry run reads every project's records from Procore: over a 300-site week that is
hundreds of list calls before the person sees anything. The confirmation instead
counts the stored entries by what Publish does to each status (To do → create,
Updated → update, Deleted → delete; the others are left as they are) and groups
the Non publishable reasons. Procore is read when the job runs: a record someone
changed there is skipped then, and one that already exists is adopted, not created.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from core.dashboards.fixes import error_reasons
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import entries_frame, status_counts
from core.publishing.plan import OPERATION_LABELS, Operation

S = PublishStatus
# What Publish does to an entry in each status, as the confirmation names it.
OUTCOMES: dict[PublishStatus, str] = {
    S.TO_DO: OPERATION_LABELS[Operation.CREATE],
    S.UPDATED: OPERATION_LABELS[Operation.UPDATE],
    S.DELETED: OPERATION_LABELS[Operation.DELETE],
    S.PUBLISHED: "Skip: already published",
    S.FAILED: "Skip: failed (Republish retries it)",
    S.PUBLISHING: "Skip: being published now",
    S.NON_PUBLISHABLE: "Skip: non publishable",
}


@dataclass(frozen=True)
class RangeSummary:
    """Counts per operation (`operation`, `entries`), the blocking reasons (`reason`, `entries`, `place`),
    and how many job sites and entries the range holds."""

    operations: pd.DataFrame
    reasons: pd.DataFrame
    job_sites: int
    entries: int

    @property
    def writes(self) -> int:
        """How many entries the publish would send to Procore."""
        return int(self.operations.loc[self.operations["operation"].isin(_WRITE_LABELS), "entries"].sum())


_WRITE_LABELS = [OUTCOMES[S.TO_DO], OUTCOMES[S.UPDATED], OUTCOMES[S.DELETED]]


def range_summary(
    session: Session, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None = None,
) -> RangeSummary:
    """What Publish over the range (all job sites, or `job_site_ids`) would do, from the stored entries."""
    counts = status_counts(session, module=module, start=start, end=end, job_site_ids=job_site_ids)
    per_status = {status: int(counts[status.value].sum()) if len(counts) else 0 for status in PublishStatus}
    operations = pd.DataFrame([(OUTCOMES[status], count) for status, count in per_status.items() if count],
                              columns=["operation", "entries"])
    blocked = entries_frame(session, module=module, start=start, end=end, job_site_ids=job_site_ids,
                            statuses=[S.NON_PUBLISHABLE]) if per_status[S.NON_PUBLISHABLE] else None
    reasons = error_reasons(blocked if blocked is not None else pd.DataFrame({"status": [], "reasons": []}))
    return RangeSummary(operations=operations, reasons=reasons,
                        job_sites=int(counts["job_site_id"].nunique()) if len(counts) else 0,
                        entries=sum(per_status.values()))
