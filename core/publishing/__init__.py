"""Publishing to Procore: stored entries, their status machine, refresh from the time clock, and claims.

What each module is (what it aggregates, its Procore target, what it needs mapped) lives in the module
registry, `core.modules`. Here `status` is the machine (data plus one writer), `modules` computes a
module's entries from the time clock with keys and fingerprints, `entries` refreshes entries from
the time clock, `claims` lets publishers take entries and record outcomes, and
`dashboard` reads entries for the pages (`stored` reads their state for a
refresh, and `refresh` runs one as the dashboards and a publish need it).
`engine` publishes them: `plan` decides per entry against what Procore holds,
the module's target knows its Procore records, `writer` sends the writes and
reconciles lost answers, `recorder` records each outcome, `duplicates` finds
second copies of our records, `guard` holds a timecard create whose person
already has hours that day in Procore, `switch` carries published entries
over between Timecard and Timesheet (or unpublishes them), `report` says what
a run did, and `audit` keeps runs and attempts.
"""

from core.publishing.audit import attempts_frame, runs_frame
from core.publishing.claims import (
    ClaimLost,
    claim_entries,
    record_failed,
    record_published,
    record_remote_deleted,
    release_claim,
)
from core.publishing.dashboard import entries_frame, status_counts
from core.publishing.engine import PublishRequest, RunReport, publish, refresh, required_permissions
from core.publishing.entries import RefreshConflict, RefreshReport, refresh_entries
from core.publishing.modules import ReasonResolver, fingerprint
from core.publishing.plan import OPERATION_LABELS, Operation, Step
from core.publishing.status import (
    ACTIONS,
    ALLOWED,
    STATUS_STYLES,
    InvalidTransition,
    PublishAction,
    actions_for,
    claimable,
    label,
    summary_status,
    transition,
)

__all__ = [
    "ACTIONS",
    "ALLOWED",
    "OPERATION_LABELS",
    "STATUS_STYLES",
    "ClaimLost",
    "InvalidTransition",
    "Operation",
    "PublishAction",
    "PublishRequest",
    "ReasonResolver",
    "RefreshConflict",
    "RefreshReport",
    "RunReport",
    "Step",
    "actions_for",
    "attempts_frame",
    "claim_entries",
    "claimable",
    "entries_frame",
    "fingerprint",
    "label",
    "record_failed",
    "publish",
    "record_published",
    "record_remote_deleted",
    "refresh",
    "refresh_entries",
    "release_claim",
    "required_permissions",
    "runs_frame",
    "status_counts",
    "summary_status",
    "transition",
]
