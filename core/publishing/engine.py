"""Publish, Republish and Force publish: entries to Procore, each exactly once, never over someone's change.

    report = publish(settings, engine, PublishRequest(PublishModule.MANPOWER, start, end), actor=identity)
    report.summary()  # "12 created, 3 updated, 1 skipped (changed in Procore)"

A run refreshes the entries of the range from the time clock, claims the ones
the action may publish (so a second publisher, thread or process, never writes
the same entry), plans each one against what Procore holds (`plan`), then
writes on a bounded pool of threads through the client's shared pacing:
bulk creates for timecards (25 per request), one request per log otherwise.
Every outcome is recorded as it arrives (the entry's status, an attempt row),
so progress shows and a crash loses nothing but in-flight answers, which the
next run finds in Procore and adopts instead of creating again.

A write whose answer is lost (timeout, dropped connection, 5xx) is never simply
resent: the project's records are listed first and a record that is the entry
(by `origin_id` for timecards, by date and values for logs) is adopted; only
an entry proven absent is sent once more.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import setup
from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope
from core.errors import ConfigurationError, ProcoreConnectError
from core.models.publishing import AttemptAction, PublishEntry, PublishModule, PublishStatus
from core.procore.bulk import run_concurrently
from core.procore.client import ProcoreClient
from core.procore.constants import DEFAULT_WORKERS
from core.procore.errors import (
    AuthenticationError,
    NotFoundError,
    OutcomeUnknownError,
    ProcoreAPIError,
    ProcoreStatusError,
    ReconnectRequired,
)
from core.publishing import audit
from core.publishing.claims import (
    ClaimLost,
    claim_entries,
    record_failed,
    record_published,
    record_remote_deleted,
    release_claim,
    release_stale_claims,
    touch_claims,
)
from core.publishing.entries import RefreshConflict, RefreshReport, range_conditions, refresh_entries
from core.publishing.plan import (
    DONE_LABELS,
    OPERATION_LABELS,
    Operation,
    PlannedEntry,
    Prepared,
    Step,
    decide,
    load_entries,
    owned_records,
    prepare,
)
from core.publishing.status import PublishAction, claimable
from core.publishing.targets import Outgoing, Remote, Target, date_window, target_for
from core.sync.resolver import mapping_reasons

STALE_CLAIM = timedelta(minutes=15)  # a claim not touched this long belongs to a publisher that stopped
TOUCH_EVERY = 60.0  # seconds between a running publisher's touches of its claims
_REFRESH_ATTEMPTS = 3
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_SUCCESS_CODES = {Operation.CREATE: 201, Operation.UPDATE: 200, Operation.DELETE: 200}
_ATTEMPT_ACTIONS = {
    Operation.CREATE: AttemptAction.CREATE, Operation.UPDATE: AttemptAction.UPDATE,
    Operation.DELETE: AttemptAction.DELETE, Operation.ADOPT: AttemptAction.RECONCILE,
    Operation.KEEP: AttemptAction.RECONCILE, Operation.REMOVE: AttemptAction.RECONCILE,
    Operation.SKIP: AttemptAction.SKIP, Operation.FAIL: AttemptAction.SKIP,
}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PublishRequest:
    """What to publish: a module's entries in a date range, optionally some job sites or some entries."""

    module: PublishModule
    start: date
    end: date
    action: PublishAction = PublishAction.PUBLISH
    job_site_ids: frozenset[int] | None = None
    entry_ids: frozenset[int] | None = None


@dataclass
class Result:
    """How one step ended."""

    step: Step
    outcome: Operation  # what was done (ADOPT for a record found after a lost answer), or SKIP / FAIL
    remote: Remote | None = None
    status_code: int | None = None
    message: str | None = None
    sent: bool = True  # False: never sent (the run stopped); the claim is released unchanged


@dataclass
class RunReport:
    """What a publish did (or, for a dry run, would do)."""

    request: PublishRequest
    dry_run: bool
    run_id: int | None = None
    refresh: RefreshReport | None = None
    steps: list[Step] = field(default_factory=list)
    outcomes: Counter[Operation] = field(default_factory=Counter)
    problems: list[tuple[Step, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def planned(self) -> Counter[Operation]:
        return Counter(step.operation for step in self.steps)

    def summary(self) -> str:
        """One line for people: counts per outcome (planned ones for a dry run)."""
        counts, labels = (self.planned, OPERATION_LABELS) if self.dry_run else (self.outcomes, DONE_LABELS)
        if not counts:
            return "Nothing to publish."
        text = ", ".join(f"{count} {labels[operation].lower()}" for operation, count in
                         sorted(counts.items(), key=lambda item: list(Operation).index(item[0])))
        return ("Would do: " if self.dry_run else "") + text + (f". Stopped: {self.error}" if self.error else "")


def required_permissions(action: PublishAction, module: PublishModule | None = None) -> tuple[Perm, ...]:
    """What a person needs to run `action` (timesheets are payroll's: they also need the Payroll permission)."""
    needed = (Perm.PUBLISH, Perm.FORCE_PUBLISH) if action is PublishAction.FORCE_PUBLISH else (Perm.PUBLISH,)
    return (*needed, Perm.PAYROLL) if module is not None and PublishModule(module) is PublishModule.TIMESHEET \
        else needed


def publish(
    settings: Settings,
    engine: Engine,
    request: PublishRequest,
    *,
    actor: Identity,
    dry_run: bool = False,
    client: ProcoreClient | None = None,
    progress: Progress | None = None,
    workers: int = DEFAULT_WORKERS,
) -> RunReport:
    """Run `request` (see the module docstring); a dry run reads Procore but writes nothing there.

    Anyone who can see a dashboard may preview (a dry run); publishing needs `required_permissions`.

    Raises:
        PermissionDenied: `actor` may not run the action.
        ConfigurationError: Procore is not set up for this module.
    """
    for permission in () if dry_run else required_permissions(request.action, request.module):
        actor.require(permission)
    module = PublishModule(request.module)
    target = target_for(module)
    report = RunReport(request=request, dry_run=dry_run)
    with session_scope(engine) as session:
        company_id = _company(session, module)
        if not dry_run:
            release_stale_claims(session, older_than=STALE_CLAIM)
    report.refresh = refresh(engine, module=module, start=request.start, end=request.end,
                             job_site_ids=request.job_site_ids, company_id=company_id)
    with session_scope(engine) as session:
        candidates = _candidates(session, request)
    if not candidates:
        return report
    own_client = client is None
    client = client or _open_client(settings, engine)
    try:
        if dry_run:
            with session_scope(engine) as session:
                entries = load_entries(session, candidates)
            report.steps = _plan(engine, client, target, entries, company_id, request, workers)
            return report
        _run(engine, client, target, request, actor, candidates, company_id, report, progress, workers)
        return report
    finally:
        if own_client:
            client.close()


def refresh(
    engine: Engine, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None = None,
    company_id: int | None = None,
) -> RefreshReport:
    """Bring the stored entries of the range in line with the time clock, with mapping problems as reasons.

    The dashboards call this before showing a range; `company_id` defaults to the one chosen on setup.
    """
    if company_id is None:
        with session_scope(engine) as session:
            company_id = _company(session, PublishModule(module))
    for attempt in range(_REFRESH_ATTEMPTS):
        try:
            with session_scope(engine) as session:
                def resolver(module: PublishModule, keys: Any) -> list[list[str]]:
                    return list(mapping_reasons(session, company_id=company_id, module=module, keys=keys))

                return refresh_entries(session, module=module, start=start, end=end, job_site_ids=job_site_ids,
                                       resolver=resolver)
        except RefreshConflict:
            if attempt == _REFRESH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _company(session: Session, module: PublishModule) -> int:
    state = setup.state(session)
    if state.company_id is None or not state.finished:
        raise ConfigurationError("Procore is not set up yet: finish Administration > Procore setup first.")
    if module.value not in {m.value for m in state.modules}:
        raise ConfigurationError(f"The {module.value} module is not enabled on Administration > Procore setup.")
    return state.company_id


def _open_client(settings: Settings, engine: Engine) -> ProcoreClient:
    from core.procore.connection import open_client

    return open_client(settings, engine)


def _candidates(session: Session, request: PublishRequest) -> list[int]:
    """Ids of the entries in the request's scope that its action publishes."""
    statuses = sorted(status.value for status in claimable(request.action))
    query = select(_TABLE.c.id).where(
        *range_conditions(request.module, request.start, request.end, request.job_site_ids),
        _TABLE.c.status.in_(statuses),
    )
    if request.entry_ids is not None:
        query = query.where(_TABLE.c.id.in_(list(request.entry_ids)))
    if request.action is PublishAction.UNPUBLISH:
        query = query.where(_TABLE.c.procore_id.is_not(None))
    return [int(entry_id) for entry_id in session.connection().execute(query.order_by(_TABLE.c.id)).scalars()]


def _plan(
    engine: Engine, client: ProcoreClient, target: Target, entries: Sequence[PlannedEntry], company_id: int,
    request: PublishRequest, workers: int,
) -> list[Step]:
    """Prepare the entries, list each project's records once for the dates involved, and decide each step."""
    with session_scope(engine) as session:
        prepared = prepare(session, company_id=company_id, target=target, entries=entries)
        projects = _windows(entries, prepared)
        owned = owned_records(session, module=target.module, project_ids=projects)
    listed = run_concurrently(lambda project: target.list_remote(client, project, *projects[project]),
                              list(projects), workers=workers)
    remotes: dict[int, Sequence[Remote] | Exception] = {
        outcome.item: outcome.error if outcome.error is not None else outcome.result or [] for outcome in listed
    }
    force, unpublish = request.action is PublishAction.FORCE_PUBLISH, request.action is PublishAction.UNPUBLISH
    return [decide(target, entry, prepared, remotes, owned, force=force, unpublish=unpublish) for entry in entries]


def _windows(entries: Sequence[PlannedEntry], prepared: Prepared) -> dict[int, tuple[date, date]]:
    days: dict[int, set[date]] = defaultdict(set)
    for entry in entries:
        if entry.id in prepared.payloads:
            days[prepared.payloads[entry.id][0]].add(entry.work_date)
    return {project: date_window(dates) for project, dates in days.items()}


def _run(
    engine: Engine, client: ProcoreClient, target: Target, request: PublishRequest, actor: Identity,
    candidates: list[int], company_id: int, report: RunReport, progress: Progress | None, workers: int,
) -> None:
    token = uuid4().hex
    with session_scope(engine) as session:
        report.run_id = audit.start_run(session, module=request.module, action=request.action.value,
                                        actor=actor.email, start=request.start, end=request.end)
        claimed = claim_entries(session, entry_ids=candidates, token=token, action=request.action)
    recorder = _Recorder(engine, target.module, token, report, actor.email, progress)
    try:
        with session_scope(engine) as session:
            entries = load_entries(session, claimed)
        report.steps = _plan(engine, client, target, entries, company_id, request, workers)
        recorder.total = len(report.steps)
        recorder.record([Result(step, step.operation, step.listed, message=step.message)
                         for step in report.steps if not step.writes])
        writer = _Writer(client, target, {step.remote_id for step in report.steps if step.remote_id is not None})
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="publish") as pool:
            futures: list[Future[list[Result]]] = [pool.submit(writer.run, batch) for batch in _batches(
                target, [step for step in report.steps if step.writes])]
            for future in as_completed(futures):
                recorder.record(future.result())
        report.error = writer.stopped
    finally:
        with session_scope(engine) as session:
            release_claim(session, token=token)
            outcomes = report.outcomes
            audit.finish_run(
                session, run_id=report.run_id or 0, entries=len(report.steps),
                succeeded=sum(outcomes[o] for o in (Operation.CREATE, Operation.UPDATE, Operation.DELETE,
                                                    Operation.ADOPT, Operation.KEEP, Operation.REMOVE)),
                failed=outcomes[Operation.FAIL], skipped=outcomes[Operation.SKIP],
            )


def _batches(target: Target, steps: Sequence[Step]) -> Iterator[list[Step]]:
    """Creates in bulk per project (as many as the target takes per request); updates and deletes one by one."""
    creates: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        if step.operation is Operation.CREATE:
            creates[step.project_id or 0].append(step)
        else:
            yield [step]
    for project_steps in creates.values():
        for start in range(0, len(project_steps), target.bulk_create):
            yield project_steps[start:start + target.bulk_create]


class _Writer:
    """Sends steps to Procore; reconciles lost answers before any second try. Thread-safe."""

    def __init__(self, client: ProcoreClient, target: Target, owned: set[int]) -> None:
        self.client = client
        self.target = target
        self.owned = owned  # Procore ids held by an entry: never adopted by another
        self.lock = threading.Lock()
        self.stopped: str | None = None

    def run(self, steps: list[Step]) -> list[Result]:
        if self.stopped:
            return [Result(step, Operation.FAIL, message=self.stopped, sent=False) for step in steps]
        try:
            operation = steps[0].operation
            if operation is Operation.CREATE:
                return self._create(steps, tries=2)
            return [self._change(steps[0], tries=2)]
        except (ReconnectRequired, AuthenticationError) as error:
            self.stopped = str(error)
            return [Result(step, Operation.FAIL, message=str(error), sent=False) for step in steps]

    def _create(self, steps: list[Step], *, tries: int) -> list[Result]:
        project = steps[0].project_id
        assert project is not None
        outgoing = [Outgoing(step.entry.id, step.entry.work_date, step.payload or {}) for step in steps]
        try:
            created = self.target.create(self.client, project, outgoing)
        except OutcomeUnknownError as error:
            return self._after_lost_create(steps, error, tries=tries - 1)
        except (ReconnectRequired, AuthenticationError):
            raise
        except ProcoreStatusError as error:
            if len(steps) > 1 and error.status_code in (400, 422):
                # One refused entry fails the whole (transactional) request: send them one by one.
                return [result for step in steps for result in self._create([step], tries=tries)]
            return [_failed(step, error) for step in steps]
        except ProcoreConnectError as error:
            return [_failed(step, error) for step in steps]
        results = []
        unmatched = list(steps)
        for remote in created:
            step = next((s for s in unmatched if self.target.is_entry(remote, s.entry.id, s.payload or {})), None)
            if step is None and len(unmatched) == 1 and len(created) == 1:
                step = unmatched[0]
            if step is not None:
                unmatched.remove(step)
                self._own(remote.id)
                results.append(Result(step, Operation.CREATE, remote, status_code=_SUCCESS_CODES[Operation.CREATE]))
        if unmatched:
            lost = OutcomeUnknownError("Procore's answer did not list every created record", method="POST", path="")
            results.extend(self._after_lost_create(unmatched, lost, tries=0))
        return results

    def _after_lost_create(self, steps: list[Step], error: ProcoreAPIError, *, tries: int) -> list[Result]:
        """A create whose answer was lost: adopt what Procore holds, send the rest once more if allowed."""
        try:
            found = self._find(steps)
        except ProcoreConnectError as read_error:
            return [Result(step, Operation.FAIL, message=_unknown(error, read_error)) for step in steps]
        results = [Result(step, Operation.ADOPT, found[step.entry.id], message=f"found in Procore after: {error}")
                   for step in steps if step.entry.id in found]
        missing = [step for step in steps if step.entry.id not in found]
        if missing and tries > 0:
            results.extend(self._create(missing, tries=tries))
        else:
            results.extend(Result(step, Operation.FAIL, message=_unknown(error)) for step in missing)
        return results

    def _find(self, steps: Sequence[Step]) -> dict[int, Remote]:
        """The records of `steps` Procore holds (one list call for their project and dates)."""
        project = steps[0].project_id
        assert project is not None
        listed = self.target.list_remote(self.client, project, *date_window(s.entry.work_date for s in steps))
        found: dict[int, Remote] = {}
        with self.lock:
            for step in steps:
                match = next((remote for remote in listed if remote.id not in self.owned
                              and remote.work_date == step.entry.work_date
                              and self.target.is_entry(remote, step.entry.id, step.payload or {})), None)
                if match is not None:
                    self.owned.add(match.id)
                    found[step.entry.id] = match
        return found

    def _own(self, remote_id: int) -> None:
        with self.lock:
            self.owned.add(remote_id)

    def _listed(self, step: Step) -> Remote | None:
        assert step.project_id is not None
        assert step.remote_id is not None
        day = step.entry.work_date
        return next((r for r in self.target.list_remote(self.client, step.project_id, day, day)
                     if r.id == step.remote_id), None)

    def _change(self, step: Step, *, tries: int) -> Result:
        """Update or delete one record; a lost answer is checked against Procore before one more try."""
        assert step.project_id is not None
        assert step.remote_id is not None
        deleting = step.operation is Operation.DELETE
        remote: Remote | None = None
        try:
            if deleting:
                self.target.delete(self.client, step.project_id, step.remote_id)
            else:
                remote = self.target.update(self.client, step.project_id, step.remote_id, step.payload or {})
        except NotFoundError:
            if deleting:
                return Result(step, Operation.REMOVE, message=f"the {self.target.label} was already gone from Procore")
            return Result(step, Operation.FAIL, message=f"the {self.target.label} was deleted in Procore meanwhile")
        except OutcomeUnknownError as error:
            try:
                current = self._listed(step)
            except ProcoreConnectError as read_error:
                return Result(step, Operation.FAIL, message=_unknown(error, read_error))
            if (current is None) if deleting else (current is not None and current.fields == step.after):
                return Result(step, step.operation, current, message=f"confirmed in Procore after: {error}")
            if current is None:
                return Result(step, Operation.FAIL, message=f"the {self.target.label} was deleted in Procore meanwhile")
            if tries > 1:
                return self._change(step, tries=tries - 1)
            return Result(step, Operation.FAIL, message=_unknown(error))
        except (ReconnectRequired, AuthenticationError):
            raise
        except ProcoreConnectError as error:
            return _failed(step, error)
        return Result(step, step.operation, remote, status_code=_SUCCESS_CODES[step.operation])


def _failed(step: Step, error: ProcoreConnectError) -> Result:
    return Result(step, Operation.FAIL, status_code=getattr(error, "status_code", None), message=str(error))


def _unknown(error: ProcoreConnectError, read_error: ProcoreConnectError | None = None) -> str:
    checked = f"; Procore could not be read to check ({read_error})" if read_error else ""
    return f"Procore's answer was lost ({error}){checked}. The next publish looks for the record in Procore " \
           "before sending it again."


class _Recorder:
    """Writes each result (entry status, attempt row) as it arrives, reports progress, keeps claims alive."""

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
        with session_scope(self.engine) as session:
            for result in results:
                if not result.sent:
                    self.report.error = result.message
                    continue
                resulting = self._end_claim(session, result)
                step = result.step
                self.report.outcomes[result.outcome] += 1
                if result.outcome in (Operation.FAIL, Operation.SKIP):
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

    def _end_claim(self, session: Session, result: Result) -> PublishStatus | None:
        step, entry_id = result.step, result.step.entry.id
        try:
            if result.outcome in (Operation.DELETE, Operation.REMOVE):
                return record_remote_deleted(session, entry_id=entry_id, token=self.token)
            if result.outcome in (Operation.FAIL, Operation.SKIP):
                return record_failed(session, entry_id=entry_id, token=self.token,
                                     message=result.message or "Procore refused it")
            remote = result.remote
            assert remote is not None
            assert step.project_id is not None
            return record_published(
                session, entry_id=entry_id, token=self.token, procore_id=remote.id,
                procore_project_id=step.project_id, sent_values=step.entry.values, sent_payload=step.payload,
                remote_updated_at=remote.updated_at,
            )
        except ClaimLost as error:
            result.outcome, result.message = Operation.FAIL, str(error)
            return None
