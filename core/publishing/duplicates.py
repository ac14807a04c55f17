"""Second copies of our records in Procore: a write that landed after its answer was given up on.

A create whose answer is lost is looked for in Procore and sent again only
when its record is absent; if the first write lands later still, Procore
holds two records of one entry. A publish that lists the project finds them:
a listed record no entry holds, recognised as an entry's own (by `origin_id`
for timecards, by date and values for logs) while that entry's record is
listed too, is a duplicate. The entry keeps the record it holds; the copy is
deleted and the audit says why. An entry whose attempts say an answer was lost
(`UNCERTAIN`) may have such a copy: for a day after that (`LATE_WRITES`),
every publish of its range lists its project and date, even when the entry
itself has nothing to publish.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlmodel import Session

from core.db import utcnow
from core.models.publishing import PublishAttempt, PublishEntry, PublishModule
from core.modules.targets import Payload, Remote, Target, date_window
from core.publishing.plan import Operation, Step
from core.publishing.planned import PlannedEntry, load_entries
from core.publishing.stored import range_conditions

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_ATTEMPTS: Table = PublishAttempt.__table__  # type: ignore[attr-defined]
UNCERTAIN = "Procore's answer was lost"  # in an attempt's message: a write of the entry may still land
LATE_WRITES = dt.timedelta(days=1)  # far beyond how late a write given up on lands; older doubts are settled
Windows = dict[int, tuple[dt.date, dt.date]]  # project → first and last day listed
_RECORD_GOES = frozenset({Operation.DELETE, Operation.REMOVE})  # the entry keeps no record: a copy is no duplicate


@dataclass(frozen=True)
class Holder:
    """An entry that holds a Procore record, with the fields that record was written with."""

    entry: PlannedEntry
    project_id: int
    remote_id: int
    payload: Payload


@dataclass(frozen=True)
class Duplicate:
    """A record Procore holds twice for one entry: `remote_id` goes, `kept_id` (the entry's) stays."""

    entry: PlannedEntry
    project_id: int
    remote_id: int
    kept_id: int
    label: str

    @property
    def reason(self) -> str:
        return (f"{self.label} {self.remote_id} was a second copy of this entry's {self.label} {self.kept_id} "
                "(a write that landed in Procore after its answer was lost)")


def doubtful_windows(
    session: Session, *, module: PublishModule, start: dt.date, end: dt.date, job_site_ids: Collection[int] | None
) -> Windows:
    """Projects and days of the range's entries that hold a record and lately lost an answer to a write."""
    uncertain = select(_ATTEMPTS.c.entry_id).where(_ATTEMPTS.c.message.contains(UNCERTAIN, autoescape=True),
                                                   _ATTEMPTS.c.attempted_at >= utcnow() - LATE_WRITES)
    query = select(_TABLE.c.procore_project_id, _TABLE.c.work_date).where(
        *range_conditions(module, start, end, job_site_ids), _TABLE.c.procore_id.is_not(None),
        _TABLE.c.id.in_(uncertain),
    )
    days: dict[int, set[dt.date]] = defaultdict(set)
    for project, day in session.connection().execute(query):
        days[int(project)].add(day)
    return {project: date_window(found) for project, found in days.items()}


def merged(first: Windows, second: Windows) -> Windows:
    """Each project's window covering both."""
    return {project: date_window([*first.get(project, ()), *second.get(project, ())])
            for project in first.keys() | second.keys()}


def holders(
    session: Session, *, module: PublishModule, windows: Windows, steps: Sequence[Step]
) -> list[Holder]:
    """Entries holding a record in the listed projects and dates: the run's steps first, then stored entries."""
    held = [Holder(step.entry, step.project_id, step.remote_id, step.entry.published_payload or step.payload or {})
            for step in steps if step.remote_id is not None and step.project_id is not None
            and step.operation not in _RECORD_GOES]
    in_run = {holder.entry.id for holder in held} | {step.entry.id for step in steps}
    stored = load_entries(session, [entry_id for entry_id in _held_ids(session, module, windows)
                                    if entry_id not in in_run])
    held.extend(Holder(entry, entry.procore_project_id, entry.procore_id, entry.published_payload or {})
                for entry in stored if entry.procore_id is not None and entry.procore_project_id is not None)
    return held


def _held_ids(session: Session, module: PublishModule, windows: Windows) -> list[int]:
    ids: list[int] = []
    for project, (start, end) in windows.items():
        query = select(_TABLE.c.id).where(
            _TABLE.c.module == module.value, _TABLE.c.procore_project_id == project,
            _TABLE.c.procore_id.is_not(None), _TABLE.c.work_date >= start, _TABLE.c.work_date <= end,
        )
        ids.extend(int(entry_id) for entry_id in session.connection().execute(query).scalars())
    return ids


def find_duplicates(
    target: Target, held: Iterable[Holder], remotes: Mapping[int, Sequence[Remote] | Exception], taken: set[int]
) -> list[Duplicate]:
    """Listed records nobody holds that are an entry's own while the entry's record is listed too.

    `taken` holds the Procore ids entries hold or adopted in this run; those are never duplicates.
    """
    found: list[Duplicate] = []
    seen = set(taken)
    for holder in held:
        listed = remotes.get(holder.project_id)
        if listed is None or isinstance(listed, Exception) or all(r.id != holder.remote_id for r in listed):
            continue
        for remote in listed:
            if remote.id not in seen and remote.work_date == holder.entry.work_date \
                    and target.is_entry(remote, holder.entry.id, holder.payload):
                seen.add(remote.id)
                found.append(Duplicate(holder.entry, holder.project_id, remote.id, holder.remote_id, target.label))
    return found
