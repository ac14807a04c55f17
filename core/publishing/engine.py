"""Publish, Republish and Force publish: entries to Procore, each exactly once, never over someone's change.

    report = publish(settings, engine, PublishRequest(module, start, end), actor=identity)
    report.summary()  # "12 created, 3 updated, 1 skipped (changed in Procore)"

A run refreshes the entries of the range from the time clock (`refresh`),
claims the ones the action may publish (`claims`: a second publisher, thread
or process, never writes the same entry), plans each one against what Procore
holds (`plan`), then writes on a bounded pool of threads through the client's
shared pacing (`writer`: bulk creates for timecards, one request per log
otherwise; a lost answer is looked for in Procore before any second try).
Every outcome is recorded as it arrives (`recorder`), so progress shows and a
crash loses nothing but in-flight answers, which the next run finds in Procore
and adopts instead of creating again. Records Procore holds twice for one
entry (a write that landed after its answer was given up on) are found in the
same listing and the copy is deleted (`duplicates`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from queue import Empty, SimpleQueue
from uuid import uuid4

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishEntry, PublishModule
from core.modules.registry import definition
from core.modules.targets import Remote, Target, date_window
from core.procore.bulk import run_concurrently
from core.procore.client import ProcoreClient
from core.procore.constants import DEFAULT_WORKERS
from core.publishing import audit
from core.publishing.claims import claim_condition, claim_entries, release_claim, release_stale_claims
from core.publishing.duplicates import Duplicate, Windows, doubtful_windows, find_duplicates, holders, merged
from core.publishing.guard import hold, who_holds
from core.publishing.plan import Operation, Step, decide
from core.publishing.planned import PlannedEntry, Prepared, load_entries, owned_records, prepare
from core.publishing.recorder import Recorder
from core.publishing.refresh import enabled_company, refresh
from core.publishing.report import Progress, PublishRequest, RunReport
from core.publishing.status import PublishAction
from core.publishing.stored import range_conditions
from core.publishing.writer import Result, Writer, batches

__all__ = ["Progress", "PublishRequest", "RunReport", "publish", "refresh", "required_permissions"]

STALE_CLAIM = timedelta(minutes=15)  # a claim not touched this long belongs to a publisher that stopped
GATHER_FOR = 0.05  # seconds the recorder waits for more results to write in the same pass
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
Listed = dict[int, Sequence[Remote] | Exception]  # each project's records, or why they could not be read
StopCheck = Callable[[], str | None]  # asked before each batch: why the run must stop, or None


def required_permissions(action: PublishAction, module: PublishModule | None = None) -> tuple[Perm, ...]:
    """What a person needs to run `action` on `module` (plus the module's own permissions: Payroll for timesheets)."""
    needed = (Perm.PUBLISH, Perm.FORCE_PUBLISH) if action is PublishAction.FORCE_PUBLISH else (Perm.PUBLISH,)
    return (*needed, *definition(module).permissions) if module is not None else needed


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
    claim_token: str | None = None,
    stop: StopCheck | None = None,
) -> RunReport:
    """Run `request` (see the module docstring); a dry run reads Procore but writes nothing there.

    Anyone who can see a dashboard may preview (a dry run); publishing needs `required_permissions`.
    A job passes `claim_token` (so whoever finds the job dead can release its claims) and `stop`:
    once it names a reason, batches not yet sent are not sent and their claims are released.

    Raises:
        PermissionDenied: `actor` may not run the action.
        ConfigurationError: Procore is not set up for this module.
    """
    for permission in () if dry_run else required_permissions(request.action, request.module):
        actor.require(permission)
    module = PublishModule(request.module)
    target = definition(module).target
    report = RunReport(request=request, dry_run=dry_run)
    with session_scope(engine) as session:
        company_id = enabled_company(session, module)
        if not dry_run:
            release_stale_claims(session, older_than=STALE_CLAIM)
    report.refresh = refresh(engine, module=module, start=request.start, end=request.end,
                             job_site_ids=request.job_site_ids, company_id=company_id)
    with session_scope(engine) as session:
        candidates = _candidates(session, request)
        doubts = {} if dry_run else doubtful_windows(session, module=module, start=request.start, end=request.end,
                                                     job_site_ids=request.job_site_ids)
    if not candidates and not doubts:
        return report
    own_client = client is None
    client = client or _open_client(settings, engine)
    try:
        if dry_run:
            with session_scope(engine) as session:
                entries = load_entries(session, candidates)
            report.steps = _Planner(engine, client, target, company_id, request, workers, {}).plan(entries)
            return report
        planner = _Planner(engine, client, target, company_id, request, workers, doubts)
        _run(engine, client, planner, actor, candidates, report, progress, claim_token or uuid4().hex, stop)
        return report
    finally:
        if own_client:
            client.close()


def _open_client(settings: Settings, engine: Engine) -> ProcoreClient:
    from core.procore.connection import open_client

    return open_client(settings, engine)


def _candidates(session: Session, request: PublishRequest) -> list[int]:
    """Ids of the entries in the request's scope that its action publishes."""
    query = select(_TABLE.c.id).where(
        *range_conditions(request.module, request.start, request.end, request.job_site_ids),
        claim_condition(request.action),
    )
    if request.entry_ids is not None:
        query = query.where(_TABLE.c.id.in_(list(request.entry_ids)))
    if request.action is PublishAction.UNPUBLISH:
        query = query.where(_TABLE.c.procore_id.is_not(None))
    return [int(entry_id) for entry_id in session.connection().execute(query.order_by(_TABLE.c.id)).scalars()]


class _Planner:
    """Prepares entries, lists each project's records once for the dates involved, and decides each step."""

    def __init__(self, engine: Engine, client: ProcoreClient, target: Target, company_id: int,
                 request: PublishRequest, workers: int, doubts: Windows) -> None:
        self.engine, self.client, self.target, self.company_id = engine, client, target, company_id
        self.request, self.workers = request, workers
        self.doubts = doubts  # also listed: where a write that was given up on may have landed since
        self.windows: Windows = {}
        self.listed: Listed = {}
        self.owned: set[int] = set()  # Procore ids entries hold, and those adopted while deciding

    def plan(self, entries: Sequence[PlannedEntry]) -> list[Step]:
        with session_scope(self.engine) as session:
            prepared = prepare(session, company_id=self.company_id, target=self.target, entries=entries)
            self.windows = merged(_windows(entries, prepared), self.doubts)
            self.owned = owned_records(session, module=self.target.module, project_ids=self.windows)
        listed = run_concurrently(lambda project: self.target.list_remote(self.client, project, *self.windows[project]),
                                  list(self.windows), workers=self.workers)
        self.listed = {outcome.item: outcome.error if outcome.error is not None else outcome.result or []
                       for outcome in listed}
        action = self.request.action
        force, unpublish = action is PublishAction.FORCE_PUBLISH, action is PublishAction.UNPUBLISH
        steps = [decide(self.target, entry, prepared, self.listed, self.owned, force=force, unpublish=unpublish,
                        keep=action is PublishAction.KEEP_PROCORE) for entry in entries]
        if force or not self.target.counts_hours or all(step.operation is not Operation.CREATE for step in steps):
            return steps
        with session_scope(self.engine) as session:
            found = who_holds(session, module=self.target.module, listed=self.listed, steps=steps)
        return hold(self.target, steps, self.listed, found)

    def duplicates(self, steps: Sequence[Step], *, taken: set[int]) -> list[Duplicate]:
        """Second copies of records in the listings read for the plan (see `core.publishing.duplicates`).

        `taken` adds the Procore ids the writer created or adopted.
        """
        with session_scope(self.engine) as session:
            held = holders(session, module=self.target.module, windows=self.windows, steps=steps)
        return find_duplicates(self.target, held, self.listed, self.owned | taken)


def _windows(entries: Sequence[PlannedEntry], prepared: Prepared) -> Windows:
    days: dict[int, set[date]] = defaultdict(set)
    for entry in entries:
        if entry.id in prepared.payloads:
            days[prepared.payloads[entry.id][0]].add(entry.work_date)
    return {project: date_window(dates) for project, dates in days.items()}


def _run(
    engine: Engine, client: ProcoreClient, planner: _Planner, actor: Identity, candidates: list[int],
    report: RunReport, progress: Progress | None, token: str, stop: StopCheck | None,
) -> None:
    target, request, workers = planner.target, planner.request, planner.workers
    with session_scope(engine) as session:
        report.run_id = audit.start_run(session, module=request.module, action=request.action.value,
                                        actor=actor.email, start=request.start, end=request.end)
        claimed = claim_entries(session, entry_ids=candidates, token=token, action=request.action)
    recorder = Recorder(engine, target.module, token, report, actor.email, progress)
    try:
        with session_scope(engine) as session:
            entries = load_entries(session, claimed)
        report.steps = planner.plan(entries)
        recorder.total = len(report.steps)
        recorder.record([Result(step, step.operation, step.listed, message=step.message)
                         for step in report.steps if not step.writes])
        writer = Writer(client, target, {step.remote_id for step in report.steps if step.remote_id is not None})
        _write(writer, recorder, target, report.steps, workers, stop)
        for duplicate in planner.duplicates(report.steps, taken=writer.owned):
            done = writer.remove_duplicate(duplicate)
            if done is not None:
                recorder.record_duplicate(duplicate, *done)
        report.error = writer.stopped
    finally:
        with session_scope(engine) as session:
            release_claim(session, token=token)
        recorder.finish()


def _write(writer: Writer, recorder: Recorder, target: Target, steps: Sequence[Step], workers: int,
           stop: StopCheck | None) -> None:
    """Send the steps that write, batch by batch on `workers` threads, recording the batches as they end:
    every batch that ended while the last ones were being recorded, together (one transaction)."""

    def send(batch: list[Step]) -> list[Result]:
        reason = stop() if stop is not None and not writer.stopped else None
        if reason:
            writer.stopped = reason  # batches in flight finish; the writer sends nothing more
        return writer.run(batch)

    ended: SimpleQueue[Future[list[Result]]] = SimpleQueue()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="publish") as pool:
        futures: list[Future[list[Result]]] = [pool.submit(send, batch) for batch in batches(
            target, [step for step in steps if step.writes])]
        for future in futures:
            future.add_done_callback(ended.put)
        waiting = len(futures)
        while waiting:
            ready = _ready(ended, waiting)
            waiting -= len(ready)
            recorder.record([result for future in ready for result in future.result()])


def _ready(ended: SimpleQueue[Future[list[Result]]], waiting: int) -> list[Future[list[Result]]]:
    """The next batch to end (waiting for it), and every other one of the `waiting` that ends within
    `GATHER_FOR` of it: a pass of the recorder costs about as much as the results it writes, so it
    takes several together."""
    ready = [ended.get()]
    until = time.monotonic() + GATHER_FOR
    while len(ready) < waiting:
        try:
            ready.append(ended.get(timeout=max(until - time.monotonic(), 0)))
        except Empty:
            break
    return ready
