"""The double-count guard: one person's hours for a day are never in Procore twice because of us.

Procore keeps Daily Log timecards, Timesheets, the company Timecard tool, My
Time and other apps' entries as one kind of record, timecard entries, and
counts them all (procore-api.md §4.8). Before a create, the project's entries
of that day (listed for the plan already) are read for the same person: one
that no entry of this module holds, from another source or from the module
this one excludes, means the hours would count twice. The entry is held as
Non publishable with the reason ("Procore already has 8.00 h for Ana King on
23 Nov from Procore Timesheets"); a force publish sends it anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Table, select
from sqlmodel import Session

from core.models import Employee
from core.models.publishing import PublishEntry, PublishModule
from core.modules.registry import definition
from core.modules.targets import Remote, Target
from core.publishing.plan import HELD, Operation, Step

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_EMPLOYEES: Table = Employee.__table__  # type: ignore[attr-defined]
Listed = Mapping[int, Sequence[Remote] | Exception]


@dataclass(frozen=True)
class Holders:
    """Which of our modules holds each listed record, and the names of the people in the plan."""

    module: PublishModule
    records: dict[int, PublishModule]  # Procore id → the module of the entry holding it
    origins: dict[str, PublishModule]  # origin_id (an entry id of ours) → that entry's module
    names: dict[int, str]  # employee id → name

    def ours(self, remote: Remote) -> bool:
        """Whether an entry of this module holds the record, or sent it (a lost answer not adopted yet)."""
        return self.records.get(remote.id) is self.module or (
            remote.origin_id is not None and self.origins.get(remote.origin_id) is self.module)

    def source(self, remote: Remote) -> str:
        """Where a record not ours came from: our other module, or what Procore shows."""
        other = self.records.get(remote.id) or (self.origins.get(remote.origin_id) if remote.origin_id else None)
        if other is not None:
            return f"our {definition(other).label.split(' (')[0]} publishing"
        return remote.source or "elsewhere in Procore"


def who_holds(session: Session, *, module: PublishModule, listed: Listed, steps: Sequence[Step]) -> Holders:
    """Who holds the records listed in the projects `steps` create in, among `module` and the module it
    excludes (they write the same records): one query for the held ones, one for the rest's `origin_id`."""
    modules = [found.value for found in (module, definition(module).excludes) if found is not None]
    projects = sorted({step.project_id for step in steps if step.operation is Operation.CREATE
                       and step.project_id is not None})
    run = session.connection().execute
    held = {int(procore_id): PublishModule(found) for procore_id, found in run(
        select(_TABLE.c.procore_id, _TABLE.c.module).where(
            _TABLE.c.module.in_(modules), _TABLE.c.procore_project_id.in_(projects),
            _TABLE.c.procore_id.is_not(None)))}
    unheld = [remote for project in projects if not isinstance(found := listed.get(project) or [], Exception)
              for remote in found if remote.id not in held]
    origins = sorted({int(r.origin_id) for r in unheld if r.origin_id is not None and r.origin_id.isdigit()})
    sent = run(select(_TABLE.c.id, _TABLE.c.module).where(_TABLE.c.module.in_(modules), _TABLE.c.id.in_(origins)))
    return Holders(
        module=module, records=held, origins={str(entry_id): PublishModule(found) for entry_id, found in sent},
        names=_names(session, {step.entry.keys.get("employee_id") for step in steps
                               if step.operation is Operation.CREATE} - {None}),
    )


def _names(session: Session, employee_ids: Collection[int | None]) -> dict[int, str]:
    if not employee_ids:
        return {}
    query = select(_EMPLOYEES.c.id, _EMPLOYEES.c.first_name, _EMPLOYEES.c.last_name).where(
        _EMPLOYEES.c.id.in_(list(employee_ids)))
    return {int(found): f"{first} {last}" for found, first, last in session.connection().execute(query)}


def hold(target: Target, steps: Sequence[Step], listed: Listed, found: Holders) -> list[Step]:
    """`steps`, with each create for a person who already has hours that day from elsewhere held instead."""
    if not target.counts_hours:
        return list(steps)
    return [_held(step, listed, found) if step.operation is Operation.CREATE else step for step in steps]


def _held(step: Step, listed: Listed, found: Holders) -> Step:
    records = listed.get(step.project_id or 0)
    party = (step.payload or {}).get("party_id")
    if records is None or isinstance(records, Exception) or party is None:
        return step
    others = [remote for remote in records if remote.work_date == step.entry.work_date
              and remote.fields.get("party_id") == party and not found.ours(remote)]
    if not others:
        return step
    return Step(step.entry, Operation.HOLD, project_id=step.project_id, payload=step.payload, after=step.after,
                message=held_reason(others, found, name=found.names.get(step.entry.keys.get("employee_id") or 0),
                                    day=step.entry.work_date))


def held_reason(others: Sequence[Remote], found: Holders, *, name: str | None, day: dt.date) -> str:
    """Why an entry is held: "Procore already has 8.00 h for Ana King on 23 Nov from Procore Timesheets"."""
    hours = sum((Decimal(str(remote.fields.get("hours") or 0)) for remote in others), Decimal(0))
    sources = " and ".join(dict.fromkeys(found.source(remote) for remote in others))
    ids = ", ".join(str(remote.id) for remote in others)
    return (f"{HELD} {hours:.2f} h for {name or 'this employee'} on {day.day} {day:%b} from {sources} "
            f"(timecard entry {ids}); publishing would count them twice. Force publish sends it anyway")
