"""Run history: every publish (jobs of the queue, and runs made outside it), its outcomes and its problems grouped.

    frame = run_history(engine, HistoryFilter(module="manpower", trigger="scheduled"))
    problems = run_problems(engine, run_ids=[...])  # reason, entries, place (where it is fixed, or None)
    digest = failure_digest(engine, module="manpower")  # the last scheduled runs' problems

A publish that was not a job (a command-line publish without --background, or one
run before the queue existed) has a run row only; its trigger is cli for the
command line's identity and manual otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Column, ColumnElement, Select, Table, case, func, select
from sqlalchemy.engine import Connection, Engine, RowMapping

from core.access import COMMAND_LINE_EMAIL
from core.dashboards.fixes import fix_place
from core.db import session_scope
from core.jobs.drift import DRIFT_REASON
from core.jobs.scheduled_runs import retries_on_its_own
from core.models.jobs import JobTrigger, PublishJob
from core.models.publishing import PublishAttempt, PublishRun, PublishStatus

OUTCOMES = ("created", "updated", "deleted", "found", "skipped", "failed")
HISTORY_COLUMNS = ["started", "trigger", "who", "module", "action", "scope", "state", *OUTCOMES, "duration_s",
                   "job_id", "run_id", "detail"]
PROBLEM_COLUMNS = ["reason", "entries", "place"]
_OUTCOME_OF_ACTION = {"create": "created", "update": "updated", "delete": "deleted", "reconcile": "found",
                      "skip": "skipped"}
_JOBS: Table = PublishJob.__table__  # type: ignore[attr-defined]
_RUNS: Table = PublishRun.__table__  # type: ignore[attr-defined]
_ATTEMPTS: Table = PublishAttempt.__table__  # type: ignore[attr-defined]
# A count or an id in a message ("about 7 s", "(4567)") differs per entry; versions and paths stay.
_NUMBER = re.compile(r"(?<![\w./{])\d+(?:\.\d+)?(?![\w/}])")


@dataclass(frozen=True)
class HistoryFilter:
    """Which runs to list: any of module, trigger, state, and the days they started (UTC)."""

    module: str | None = None
    trigger: str | None = None
    state: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 200


def run_history(engine: Engine, wanted: HistoryFilter) -> pd.DataFrame:
    """The runs matching `wanted`, newest first, with counts per outcome and duration (HISTORY_COLUMNS)."""
    with session_scope(engine) as session:
        connection = session.connection()
        rows = [_job_row(job) for job in connection.execute(_jobs_query(wanted)).mappings()]
        rows += [row for row in map(_run_row, connection.execute(_runs_query(wanted)).mappings())
                 if _wanted(row, wanted)]
        rows = sorted(rows, key=lambda row: row["started"], reverse=True)[:wanted.limit]
        counts = _outcome_counts(connection, [int(row["run_id"]) for row in rows if row["run_id"] is not None])
    for row in rows:
        row.update(counts.get(row["run_id"], dict.fromkeys(OUTCOMES, 0)))
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    frame[["job_id", "run_id"]] = frame[["job_id", "run_id"]].astype("Int64")
    return frame


def with_counts_text(history: pd.DataFrame) -> pd.DataFrame:
    """`history` with a column `entries` saying its counts per outcome in one short text ("132 created,
    2 failed"), for a table that has no room for a column per outcome."""
    texts = [", ".join(f"{row[name]} {name}" for name in OUTCOMES if row[name]) or "none"
             for row in history[list(OUTCOMES)].to_dict("records")]
    return history.assign(entries=texts)


def run_problems(engine: Engine, *, run_ids: list[int], job_errors: list[str] | None = None) -> pd.DataFrame:
    """The failed and skipped entries of the runs, grouped by reason with counts, most first (PROBLEM_COLUMNS).

    `place` is where the reason is fixed (`core.dashboards.fixes.FixPlace`), or None for a failure that
    goes away on its own (the next scheduled run retries it) and a record changed in Procore.
    """
    rows: list[tuple[str, str, int | None]] = []
    if run_ids:
        query = select(_ATTEMPTS.c.action, _ATTEMPTS.c.status_code, _ATTEMPTS.c.message).where(
            _ATTEMPTS.c.run_id.in_(run_ids),
            (_ATTEMPTS.c.resulting_status == PublishStatus.FAILED.value) | (_ATTEMPTS.c.action == "skip"))
        with session_scope(engine) as session:
            rows = [(str(action), str(message or ""), code)
                    for action, code, message in session.connection().execute(query)]
    problems = [(reason_of(message), _place(action, code, message)) for action, message, code in rows]
    problems += [(reason_of(error), _place("error", None, error)) for error in job_errors or []]
    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    frame = pd.DataFrame(problems, columns=["reason", "place"])
    counted = frame.groupby(["reason"], sort=False).agg(entries=("place", "size"), place=("place", "first"))
    return counted.reset_index().sort_values(["entries", "reason"], ascending=[False, True],
                                             ignore_index=True)[PROBLEM_COLUMNS]


def run_outcomes(engine: Engine, *, run_id: int) -> dict[str, int]:
    """How many of the run's attempts ended in each outcome (OUTCOMES)."""
    with session_scope(engine) as session:
        return _outcome_counts(session.connection(), [run_id])[run_id]


def failure_digest(engine: Engine, *, module: str, runs: int = 5) -> pd.DataFrame:
    """The problems of `module`'s last `runs` scheduled jobs, grouped by reason (see `run_problems`), and the
    job-site days where Procore and the time clock differed after the latest (`core.jobs.drift`)."""
    query = select(_JOBS.c.run_id, _JOBS.c.error, _JOBS.c.drift).where(
        _JOBS.c.module == module, _JOBS.c.trigger == JobTrigger.SCHEDULED.value,
        _JOBS.c.finished_at.is_not(None)).order_by(_JOBS.c.id.desc()).limit(runs)
    with session_scope(engine) as session:
        found = session.connection().execute(query).all()
    problems = run_problems(engine, run_ids=[int(run) for run, _, _ in found if run is not None],
                            job_errors=[str(error) for run, error, _ in found if error and run is None])
    # Only the latest run's drift: a day that drifted in every run is one day to look at, not five.
    drifting = next((lines for _, _, lines in found if lines is not None), None) or []
    if not drifting:
        return problems
    extra = pd.DataFrame([{"reason": DRIFT_REASON, "entries": len(drifting), "place": None}])
    return pd.concat([problems, extra], ignore_index=True)[PROBLEM_COLUMNS]


def reason_of(message: str) -> str:
    """A message as a reason several entries share: numbers that differ per entry become N."""
    return _NUMBER.sub("N", message.strip()) or "No reason given"


def _place(action: str, status_code: int | None, message: str) -> str | None:
    if action == "skip" or retries_on_its_own(status_code, message):
        return None
    return fix_place(message).value


def _jobs_query(wanted: HistoryFilter) -> Select[tuple[object, ...]]:
    query = select(_JOBS).order_by(_JOBS.c.id.desc()).limit(wanted.limit)
    for column, value in ((_JOBS.c.module, wanted.module), (_JOBS.c.trigger, wanted.trigger),
                          (_JOBS.c.state, wanted.state)):
        if value:
            query = query.where(column == value)
    return query.where(*_between(_JOBS.c.created_at, wanted))


def _runs_query(wanted: HistoryFilter) -> Select[tuple[object, ...]]:
    """Runs no job ran (a job's run is listed with its job)."""
    of_jobs = select(_JOBS.c.run_id).where(_JOBS.c.run_id.is_not(None))
    query = select(_RUNS).where(_RUNS.c.id.not_in(of_jobs)).order_by(_RUNS.c.id.desc()).limit(wanted.limit)
    if wanted.module:
        query = query.where(_RUNS.c.module == wanted.module)
    return query.where(*_between(_RUNS.c.started_at, wanted))


def _between(column: Column[datetime], wanted: HistoryFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if wanted.since:
        conditions.append(column >= _midnight(wanted.since))
    if wanted.until:
        conditions.append(column < _midnight(wanted.until + timedelta(days=1)))
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _job_row(job: RowMapping) -> dict[str, Any]:
    return {
        "started": job["started_at"] or job["created_at"], "trigger": job["trigger"], "who": job["requested_by"],
        "module": job["module"], "action": job["action"],
        "scope": _scope(job["start_date"], job["end_date"], job["job_site_ids"], job["entry_ids"]),
        "state": job["state"], "duration_s": _seconds(job["started_at"], job["finished_at"]),
        "job_id": job["id"], "run_id": job["run_id"], "detail": job["error"] or job["summary"],
    }


def _run_row(run: RowMapping) -> dict[str, Any]:
    by_command_line = run["requested_by"] == COMMAND_LINE_EMAIL
    return {
        "started": run["started_at"], "trigger": (JobTrigger.CLI if by_command_line else JobTrigger.MANUAL).value,
        "who": run["requested_by"], "module": run["module"], "action": run["action"],
        "scope": _days(run["start_date"], run["end_date"]),  # a run outside the queue keeps no job sites
        "state": "done" if run["finished_at"] is not None else "running",
        "duration_s": _seconds(run["started_at"], run["finished_at"]), "job_id": None, "run_id": run["id"],
        "detail": "",
    }


def _wanted(row: dict[str, Any], wanted: HistoryFilter) -> bool:
    """A run row passes the filters its query could not apply (its trigger and state are derived)."""
    return (not wanted.trigger or row["trigger"] == wanted.trigger) and (not wanted.state or
                                                                       row["state"] == wanted.state)


def _outcome_counts(connection: Connection, run_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per run id: how many attempts ended in each outcome."""
    counts: dict[int, dict[str, int]] = {run: dict.fromkeys(OUTCOMES, 0) for run in run_ids}
    if not run_ids:
        return counts
    outcome = case((_ATTEMPTS.c.resulting_status == PublishStatus.FAILED.value, "failed"),
                   *((_ATTEMPTS.c.action == action, label) for action, label in _OUTCOME_OF_ACTION.items()),
                   else_="found")
    query = select(_ATTEMPTS.c.run_id, outcome.label("outcome"), func.count().label("n")).where(
        _ATTEMPTS.c.run_id.in_(run_ids)).group_by(_ATTEMPTS.c.run_id, outcome)
    for run, found, count in connection.execute(query):
        counts[int(run)][str(found)] += int(count)
    return counts


def _days(start: date | None, end: date | None) -> str:
    return f"{start}" if start == end else f"{start} .. {end}"


def _scope(start: date, end: date, sites: list[int] | None, entries: list[int] | None) -> str:
    days = _days(start, end)
    if entries:
        return f"{days}, {len(entries)} entries"
    if sites:
        return f"{days}, {len(sites)} job site{'s' if len(sites) > 1 else ''}"
    return f"{days}, all job sites"


def _seconds(started: datetime | None, finished: datetime | None) -> float | None:
    return round((finished - started).total_seconds(), 1) if started and finished else None
