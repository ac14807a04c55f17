"""What a publish would do to each entry in Procore: the plan a dry run shows and a publish carries out.

Planning reads the entries and maps their keys to Procore ids (one query per
entity: `core.publishing.planned`), reads each project's records for the dates
involved (one list call per project, not one GET per entry), and decides per entry:

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.models.publishing import PublishStatus
from core.modules.targets import Payload, Remote, Target, compared_fields, differences
from core.publishing.planned import PlannedEntry, Prepared


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
