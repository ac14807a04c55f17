"""What a publish would do to each entry in Procore: the plan a dry run shows and a publish carries out.

Planning reads the entries, maps their keys to Procore ids (one query per
entity), reads each project's records for the dates involved (one list call
per project, not one GET per entry), and decides per entry:

* create, when Procore has no record of it (after looking: a record left by a
  write whose answer was lost is adopted instead);
* update, when what Procore holds differs from the entry;
* delete, for a Deleted entry whose record still exists;
* nothing to write, when Procore already holds the values (keep, adopt) or the
  record is already gone (remove);
* skip, when someone changed or deleted the record in Procore since our last
  write (its `updated_at` moved): a plain publish never overwrites that; a
  force publish does, and recreates records deleted in Procore;
* fail, when the entry cannot be sent (a mapping gone since the last refresh);
* hold, when Procore already has hours for the person and day from elsewhere
  (`guard`): the entry becomes Non publishable; a force publish sends it;
* accept, when Keep Procore's version takes the changed record as it stands.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from core.models import CostCode, Crew
from core.models.mapping import Entity
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.entities import KEY_COLUMNS, PROJECT_SCOPED
from core.modules.registry import definition
from core.modules.targets import EntryIds, Names, Payload, Remote, Target, compared_fields, differences
from core.sync.resolver import Key, Resolution, resolve_batch

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_CREWS: Table = Crew.__table__  # type: ignore[attr-defined]
_COST_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_ENTRY_COLUMNS = [
    "id", "natural_key", "job_site_id", "work_date", "company_id", "crew_id", "employee_id", "pay_id_id",
    "cost_code_id", "values", "status", "release_status", "procore_id", "procore_project_id", "remote_updated_at",
    "published_payload",
]


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ADOPT = "adopt"  # Procore already holds the entry (a lost answer, or an earlier run); nothing to write
    KEEP = "keep"  # published, and Procore holds exactly these values
    REMOVE = "remove"  # a Deleted entry whose record is already gone from Procore
    SKIP = "skip"  # changed or deleted in Procore since our last write; only force overwrites
    FAIL = "fail"  # cannot be sent as it stands
    HOLD = "hold"  # Procore already has the person's hours for the day from elsewhere (`core.publishing.guard`)
    ACCEPT = "accept"  # Keep Procore's version: the record as Procore holds it becomes what was published


DONE_LABELS: dict[Operation, str] = {
    Operation.CREATE: "created", Operation.UPDATE: "updated", Operation.DELETE: "deleted",
    Operation.ADOPT: "found already in Procore", Operation.KEEP: "unchanged", Operation.REMOVE: "already deleted",
    Operation.SKIP: "skipped (changed in Procore)", Operation.FAIL: "failed",
    Operation.HOLD: "held (Procore already has the hours)", Operation.ACCEPT: "kept as Procore has them",
}
WRITES = frozenset({Operation.CREATE, Operation.UPDATE, Operation.DELETE})
OPERATION_LABELS: dict[Operation, str] = {
    Operation.CREATE: "Create", Operation.UPDATE: "Update", Operation.DELETE: "Delete",
    Operation.ADOPT: "Already in Procore", Operation.KEEP: "No change", Operation.REMOVE: "Already deleted",
    Operation.SKIP: "Changed in Procore", Operation.FAIL: "Cannot publish",
    Operation.HOLD: "Hours already in Procore", Operation.ACCEPT: "Keep Procore's version",
}
HELD = "Procore already has"  # opens the reason of an entry held by `core.publishing.guard`
# In a Failed entry's reasons: refused because its record changed in Procore (Republish cannot change that).
CHANGED_IN_PROCORE = ("changed in Procore after it was published", "was deleted in Procore; Force publish")


def refused_as_changed(reasons: Sequence[str]) -> bool:
    """Was the entry refused because its record changed in Procore? Then Force publish or Keep Procore's
    version ends it; Republish would only repeat the refusal."""
    return any(marker in reason for reason in reasons for marker in CHANGED_IN_PROCORE)


def retried_by_republish(status: PublishStatus | str, reasons: Sequence[str]) -> bool:
    """Can Republish change this entry's outcome? Failed and Deleted entries, except a refusal for a change in
    Procore (`claims.claim_condition` takes the same ones)."""
    if PublishStatus(status) is PublishStatus.FAILED:
        return not refused_as_changed(reasons)
    return PublishStatus(status) is PublishStatus.DELETED


@dataclass
class PlannedEntry:
    """One stored entry as planning reads it (`status` is the one before any claim)."""

    id: int
    natural_key: str
    job_site_id: int
    work_date: dt.date
    keys: dict[str, Any]
    values: dict[str, Any]
    status: PublishStatus
    procore_id: int | None
    procore_project_id: int | None
    remote_updated_at: dt.datetime | None
    published_payload: Payload | None


@dataclass
class Step:
    """What publishing does for one entry; `before` is Procore's record, `after` what would be written."""

    entry: PlannedEntry
    operation: Operation
    project_id: int | None = None
    remote_id: int | None = None
    payload: Payload | None = None
    before: Payload | None = None
    after: Payload | None = None
    message: str | None = None
    differs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    listed: Remote | None = None  # the record as Procore listed it

    @property
    def writes(self) -> bool:
        return self.operation in WRITES


def load_entries(session: Session, entry_ids: Collection[int]) -> list[PlannedEntry]:
    """The entries `entry_ids`, in id order; the status is the one a claim would release to."""
    if not entry_ids:
        return []
    query = select(*(_TABLE.c[name] for name in _ENTRY_COLUMNS)).where(_TABLE.c.id.in_(list(entry_ids)))
    entries = []
    for row in session.connection().execute(query.order_by(_TABLE.c.id)):
        data = dict(zip(_ENTRY_COLUMNS, row, strict=True))
        status = data["release_status"] if data["status"] == PublishStatus.PUBLISHING and data["release_status"] \
            else data["status"]
        entries.append(PlannedEntry(
            id=data["id"], natural_key=data["natural_key"], job_site_id=data["job_site_id"],
            work_date=data["work_date"],
            keys={name: data[name] for name in ("company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id")},
            values=dict(data["values"] or {}), status=PublishStatus(status), procore_id=data["procore_id"],
            procore_project_id=data["procore_project_id"], remote_updated_at=data["remote_updated_at"],
            published_payload=data["published_payload"],
        ))
    return entries


@dataclass
class Prepared:
    """Entries with the fields they would send, or why they cannot be sent."""

    payloads: dict[int, tuple[int, Payload]] = field(default_factory=dict)  # entry id → (project id, payload)
    failures: dict[int, str] = field(default_factory=dict)


def prepare(session: Session, *, company_id: int, target: Target, entries: Sequence[PlannedEntry]) -> Prepared:
    """Map each entry's keys to Procore ids (one query per entity) and build the fields it sends."""
    prepared = Prepared()
    sites = {(entry.job_site_id, None) for entry in entries}
    found = resolve_batch(session, company_id=company_id, wanted={Entity.JOB_SITE: sites})[Entity.JOB_SITE]
    project_of = {site: result.procore_id for (site, _), result in found.items()}
    wanted: dict[Entity, set[Key]] = defaultdict(set)
    for entry in entries:
        project = project_of.get(entry.job_site_id)
        for entity, local_id in _local_ids(target, entry).items():
            if local_id is not None:
                wanted[entity].add((local_id, project if entity in PROJECT_SCOPED else None))
    resolved = resolve_batch(session, company_id=company_id, wanted=wanted)
    names = _names(session, entries)
    for entry in entries:
        project = project_of.get(entry.job_site_id)
        reasons = [] if project is not None else [found[(entry.job_site_id, None)].reason or "job site not mapped"]
        ids: dict[Entity, int | None] = {}
        for entity, local_id in _local_ids(target, entry).items():
            if local_id is None or project is None:
                continue
            result: Resolution = resolved[entity][(local_id, project if entity in PROJECT_SCOPED else None)]
            ids[entity] = result.procore_id
            if result.reason:
                reasons.append(result.reason)
        if reasons:
            prepared.failures[entry.id] = "; ".join(reasons)
            continue
        assert project is not None
        entry_ids = EntryIds(
            project_id=project, vendor_id=ids.get(Entity.COMPANY), party_id=ids.get(Entity.EMPLOYEE),
            time_type_id=ids.get(Entity.PAY_ID), cost_code_id=ids.get(Entity.COST_CODE),
            classification_id=ids.get(Entity.PAY_CLASS),
        )
        payload = target.payload(entry.id, entry.work_date, entry.keys, entry.values, entry_ids, names)
        prepared.payloads[entry.id] = (project, payload)
    return prepared


def _local_ids(target: Target, entry: PlannedEntry) -> dict[Entity, int | None]:
    """Our ids of what the entry's module needs mapped besides its job site (pay classes come with the values)."""
    needed = definition(target.module).entities - {Entity.JOB_SITE}
    return {entity: entry.keys[column] if column in entry.keys else entry.values.get(column)
            for column, entity in KEY_COLUMNS.items() if entity in needed}


def _names(session: Session, entries: Sequence[PlannedEntry]) -> Names:
    crew_ids = {entry.keys["crew_id"] for entry in entries if entry.keys.get("crew_id") is not None}
    code_ids = {entry.keys["cost_code_id"] for entry in entries if entry.keys.get("cost_code_id") is not None}
    run = session.connection().execute
    crews_table, codes_table = _CREWS.c, _COST_CODES.c
    crews = {int(crew_id): str(name) for crew_id, name in run(
        select(crews_table.id, crews_table.name).where(crews_table.id.in_(crew_ids)))} if crew_ids else {}
    codes = {int(code_id): f"{code} {name}" for code_id, code, name in run(
        select(codes_table.id, codes_table.code, codes_table.name).where(codes_table.id.in_(code_ids))
    )} if code_ids else {}
    return Names(crews=crews, cost_codes=codes)


def owned_records(session: Session, *, module: PublishModule, project_ids: Collection[int]) -> set[int]:
    """Procore ids already held by entries of `module` in `project_ids` (never adopted by another entry)."""
    if not project_ids:
        return set()
    query = select(_TABLE.c.procore_id).where(
        _TABLE.c.module == module.value, _TABLE.c.procore_project_id.in_(list(project_ids)),
        _TABLE.c.procore_id.is_not(None),
    )
    return {int(value) for value in session.connection().execute(query).scalars()}


def decide(
    target: Target,
    entry: PlannedEntry,
    prepared: Prepared,
    remotes: Mapping[int, Sequence[Remote] | Exception],
    owned: set[int],
    *,
    force: bool,
    unpublish: bool = False,
    keep: bool = False,
) -> Step:
    """The step for one entry, given each project's listed records (`remotes`; the error when a list failed).

    `owned` holds Procore ids other entries already hold; an adopted record is added to it. `keep` (Keep
    Procore's version) accepts the entry's record as Procore holds it.
    """
    if entry.id in prepared.failures:
        return Step(entry, Operation.FAIL, message=prepared.failures[entry.id])
    project, payload = prepared.payloads[entry.id]
    ours = compared_fields(target, payload)
    if entry.procore_id is not None and entry.procore_project_id not in (None, project):
        return Step(entry, Operation.FAIL, project_id=project, message=(
            f"its job site now maps to another Procore project than the one holding its {target.label} "
            f"({entry.procore_project_id}); delete that {target.label} in Procore, then publish again"))
    listed = remotes.get(project)
    if listed is None or isinstance(listed, Exception):
        return Step(entry, Operation.FAIL, project_id=project,
                    message=f"Procore's {target.label}s of this project could not be read ({listed})")
    if keep:
        return _kept(target, entry, project, listed)
    if entry.procore_id is not None:
        return _published(target, entry, project, payload, ours, listed, force=force, unpublish=unpublish)
    match = next((remote for remote in listed if remote.id not in owned and remote.work_date == entry.work_date
                  and target.is_entry(remote, entry.id, payload)), None)
    if match is None:
        return Step(entry, Operation.CREATE, project_id=project, payload=payload, after=ours)
    owned.add(match.id)
    operation = Operation.ADOPT if match.fields == ours else Operation.UPDATE
    return Step(entry, operation, project_id=project, remote_id=match.id, payload=payload, before=match.fields,
                after=ours, message=f"found in Procore as {target.label} {match.id}", listed=match)


def _published(
    target: Target, entry: PlannedEntry, project: int, payload: Payload, ours: Payload, listed: Sequence[Remote],
    *, force: bool, unpublish: bool,
) -> Step:
    """The step for an entry Procore has (or had) a record of."""
    remote = next((remote for remote in listed if remote.id == entry.procore_id), None)
    deleting = unpublish or entry.status is PublishStatus.DELETED
    if remote is None:
        if deleting:
            return Step(entry, Operation.REMOVE, project_id=project, remote_id=entry.procore_id,
                        message=f"the {target.label} is already gone from Procore")
        if force:
            return Step(entry, Operation.CREATE, project_id=project, payload=payload, after=ours,
                        message=f"recreates the {target.label} deleted in Procore")
        return Step(entry, Operation.SKIP, project_id=project, remote_id=entry.procore_id, payload=payload,
                    after=ours, message=f"the {target.label} was deleted in Procore; Force publish recreates it")
    step = Step(entry, Operation.UPDATE, project_id=project, remote_id=remote.id, payload=payload,
                before=remote.fields, after=ours, listed=remote)
    if remote.approved and (deleting or remote.fields != ours):
        step.operation = Operation.FAIL
        step.message = f"the {target.label} is approved in Procore, which refuses to change or delete it; " \
                       "return it to pending in Procore, then publish again"
        return step
    if _changed_in_procore(entry, remote):
        step.differs = differences(target, entry.published_payload, remote.fields)
        if not force:
            step.operation = Operation.SKIP
            step.message = _conflict_message(target, step.differs, deleting=deleting)
            return step
    if deleting:
        step.operation, step.payload, step.after = Operation.DELETE, None, None
    elif remote.fields == ours:
        step.operation = Operation.KEEP
    return step


def _kept(target: Target, entry: PlannedEntry, project: int, listed: Sequence[Remote]) -> Step:
    """Keep Procore's version: the record's current fields become what this entry published."""
    remote = next((remote for remote in listed if remote.id == entry.procore_id), None)
    if remote is None:
        why = "it was never published" if entry.procore_id is None else f"the {target.label} was deleted in Procore"
        return Step(entry, Operation.FAIL, project_id=project, remote_id=entry.procore_id,
                    message=f"there is no Procore version to keep: {why}; Force publish sends ours")
    return Step(entry, Operation.ACCEPT, project_id=project, remote_id=remote.id, payload=dict(remote.fields),
                before=remote.fields, after=remote.fields, listed=remote,
                message=f"kept the {target.label} as Procore has it; the next change here publishes again")


def _changed_in_procore(entry: PlannedEntry, remote: Remote) -> bool:
    """Did someone change the record in Procore after our last write? Procore's `updated_at` says so."""
    if entry.remote_updated_at is None or remote.updated_at is None:
        return False
    return _instant(remote.updated_at) != _instant(entry.remote_updated_at)


def _instant(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _conflict_message(target: Target, differs: Mapping[str, tuple[Any, Any]], *, deleting: bool) -> str:
    what = "; ".join(f"{name}: {ours!r} → {theirs!r}" for name, (ours, theirs) in differs.items())
    fields = f" ({what})" if what else " (no published field differs)"
    verb = "delete" if deleting else "overwrite"
    return f"the {target.label} was changed in Procore after it was published{fields}; " \
           f"Publish does not {verb} it, Force publish does"
