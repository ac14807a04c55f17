"""The recorder: each write's result as it arrives (the entry's status, an attempt row), progress, live claims.

Only the recorder ends a run's claims with an outcome; a result that was never
sent (the run stopped) leaves its claim to the run's final release. The results
handed over together (every batch that ended since the last call) are written in
one transaction: one read of their claimed rows, a guarded write each, one insert
of their attempt rows (`claims.end_claims`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy.engine import Engine

from core.db import session_scope
from core.models.publishing import AttemptAction, PublishModule, PublishStatus
from core.publishing import audit
from core.publishing.claims import (
    ClaimLost,
    Decision,
    end_claims,
    failed,
    held,
    published,
    remote_deleted,
    touch_claims,
)
from core.publishing.duplicates import Duplicate
from core.publishing.plan import Operation
from core.publishing.report import Progress, RunReport
from core.publishing.writer import Result

TOUCH_EVERY = 60.0  # seconds between a running publisher's touches of its claims
SUCCEEDED = (Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.ADOPT, Operation.KEEP, Operation.REMOVE,
             Operation.ACCEPT)
REFUSED = (Operation.FAIL, Operation.SKIP, Operation.HOLD)
_ATTEMPT_ACTIONS = {
    Operation.CREATE: AttemptAction.CREATE, Operation.UPDATE: AttemptAction.UPDATE,
    Operation.DELETE: AttemptAction.DELETE, Operation.ADOPT: AttemptAction.RECONCILE,
    Operation.KEEP: AttemptAction.RECONCILE, Operation.REMOVE: AttemptAction.RECONCILE,
    Operation.SKIP: AttemptAction.SKIP, Operation.FAIL: AttemptAction.SKIP, Operation.HOLD: AttemptAction.SKIP,
    Operation.ACCEPT: AttemptAction.RECONCILE,
}


class Recorder:
    """Writes each result as it arrives, reports progress, keeps the run's claims alive."""

    def __init__(self, engine: Engine, module: PublishModule, token: str, report: RunReport, actor: str,
                 progress: Progress | None) -> None:
        self.engine, self.module, self.token, self.report = engine, module, token, report
        self.actor, self.progress = actor, progress
        self.total = 0
        self.done = 0
        self.touched = time.monotonic()

    def record(self, results: Sequence[Result]) -> None:
        if not results:
            return
        attempts = []
        for result in results:
            if not result.sent:
                self.report.error = result.message
        sent = [result for result in results if result.sent]
        with session_scope(self.engine) as session:
            ended = end_claims(session, token=self.token,
                               decisions=[(result.step.entry.id, _decision(result)) for result in sent])
            for result, outcome in zip(sent, ended, strict=True):
                resulting = _resulting(result, outcome)
                step = result.step
                self.report.outcomes[result.outcome] += 1
                if result.outcome in REFUSED:
                    self.report.problems.append((step, result.message or ""))
                attempts.append(audit.attempt_row(
                    entry=step.entry, module=self.module, run_id=self.report.run_id, actor=self.actor,
                    action=_ATTEMPT_ACTIONS[step.operation if result.outcome is Operation.FAIL else result.outcome],
                    body=step.payload if step.operation in (Operation.CREATE, Operation.UPDATE) else None,
                    procore_id=result.remote.id if result.remote else step.remote_id,
                    status_code=result.status_code, message=result.message, resulting=resulting,
                ))
            audit.record_attempts(session, attempts)
            if time.monotonic() - self.touched > TOUCH_EVERY:
                touch_claims(session, token=self.token)
                self.touched = time.monotonic()
        self.done += len(results)
        if self.progress:
            self.progress(self.done, self.total, self.report.summary())

    def record_duplicate(self, duplicate: Duplicate, deleted: bool, message: str) -> None:
        """An attempt row on the entry that keeps its record; the entry's status does not change."""
        with session_scope(self.engine) as session:
            status = audit.entry_status(session, entry_id=duplicate.entry.id)
            audit.record_attempts(session, [audit.attempt_row(
                entry=duplicate.entry, module=self.module, run_id=self.report.run_id, actor=self.actor,
                action=AttemptAction.DELETE, body=None, procore_id=duplicate.remote_id,
                status_code=200 if deleted else None, message=message, resulting=status or PublishStatus.PUBLISHED,
            )])
        self.report.duplicates_removed += int(deleted)

    def finish(self) -> None:
        """The run's row gets its counts."""
        outcomes = self.report.outcomes
        with session_scope(self.engine) as session:
            audit.finish_run(
                session, run_id=self.report.run_id or 0, entries=len(self.report.steps),
                succeeded=sum(outcomes[o] for o in SUCCEEDED), failed=outcomes[Operation.FAIL],
                skipped=outcomes[Operation.SKIP] + outcomes[Operation.HOLD],
            )

def _decision(result: Result) -> Decision:
    """How `result` ends its entry's claim (see `core.publishing.claims`)."""
    step = result.step
    if result.outcome in (Operation.DELETE, Operation.REMOVE):
        return remote_deleted
    if result.outcome is Operation.HOLD:
        return held(result.message or "")
    if result.outcome in (Operation.FAIL, Operation.SKIP):
        return failed(result.message or "Procore refused it")
    remote = result.remote
    assert remote is not None
    assert step.project_id is not None
    return published(procore_id=remote.id, procore_project_id=step.project_id, sent_values=step.entry.values,
                     sent_payload=step.payload, remote_updated_at=remote.updated_at)


def _resulting(result: Result, outcome: PublishStatus | None | ClaimLost) -> PublishStatus | None:
    """The entry's status after its claim ended; a claim lost meanwhile fails the result with why."""
    if isinstance(outcome, ClaimLost):
        result.outcome, result.message = Operation.FAIL, str(outcome)
        return None
    return outcome
