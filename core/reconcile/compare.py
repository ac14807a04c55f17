"""Our entries against Procore's listed records, per job site and day: totals and the records that differ (pure).

A record in Procore is ours when an entry stores its id, or (timecards) when its
`origin_id` is one of our entry ids, or when an entry not yet linked finds it by
its values as publishing would (`Target.is_entry`). Anything else comes from
another source: a person in Procore, another integration.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.models.publishing import PublishModule, PublishStatus
from core.modules.amounts import Namer
from core.modules.targets import Payload, Remote, Target, differences
from core.reconcile.figures import Figures, day_figures


class Finding(StrEnum):
    ONLY_OURS = "only in the time clock"  # never published, or the publish failed
    DELETED_IN_PROCORE = "deleted in Procore"  # published, and gone from Procore since
    ONLY_PROCORE = "only in Procore"  # ours once, but the time clock no longer has it
    FOREIGN = "from another source"  # not created by us
    CHANGED = "fields differ"


@dataclass(frozen=True)
class Ours:
    """One of our entries as Procore should hold it: `fields` are the compared fields it sends (None: cannot)."""

    entry_id: int
    job_site_id: int
    work_date: dt.date
    status: PublishStatus
    fields: Payload | None
    procore_id: int | None = None
    project_id: int | None = None
    reason: str | None = None  # why it cannot be sent, when fields is None


@dataclass(frozen=True)
class Detail:
    """One record that differs: which side has it, both sides' fields, and the fields that differ."""

    finding: Finding
    entry_id: int | None = None
    remote_id: int | None = None
    ours: Payload | None = None
    theirs: Payload | None = None
    differs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    note: str | None = None


@dataclass
class Day:
    """One job-site day: our figures, Procore's, and the records behind a difference."""

    job_site_id: int
    work_date: dt.date
    ours: Figures
    theirs: Figures
    details: list[Detail]

    @property
    def drifts(self) -> bool:
        return bool(self.details) or self.ours != self.theirs


@dataclass
class _Side:
    ours: list[Payload] = field(default_factory=list)
    theirs: list[Payload] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)


def compare(
    target: Target, ours: Sequence[Ours], listed: Mapping[int, Sequence[Remote]], *,
    site_of_project: Mapping[int, int], owned: Collection[int], name: Namer,
) -> list[Day]:
    """Every job-site day either side has, in job site and date order (see the module docstring).

    `listed` holds each project's records of the range; `owned` the Procore ids any entry of the module stores.
    """
    remotes = {remote.id: remote for records in listed.values() for remote in records}
    taken = {o.procore_id for o in ours if o.procore_id is not None} | set(owned)
    sides: dict[tuple[int, dt.date], _Side] = defaultdict(_Side)
    matched: set[int] = set()
    for entry in ours:
        remote = _remote_of(target, entry, remotes, listed, (taken, matched))
        if remote is not None:
            matched.add(remote.id)
        _place(target, entry, remote, sides[(entry.job_site_id, entry.work_date)])
    origins = {str(entry.entry_id) for entry in ours}
    for project, records in listed.items():
        for remote in records:
            site = site_of_project.get(project)
            if remote.id in matched or site is None or remote.work_date is None:
                continue
            side = sides[(site, remote.work_date)]
            side.theirs.append(remote.fields)
            made_by_us = remote.id in taken or remote.origin_id in origins
            side.details.append(Detail(Finding.ONLY_PROCORE if made_by_us else Finding.FOREIGN,
                                       remote_id=remote.id, theirs=remote.fields))
    module = PublishModule(target.module)
    return [Day(site, day, day_figures(module, side.ours, name), day_figures(module, side.theirs, name),
                side.details) for (site, day), side in sorted(sides.items())]


def _remote_of(target: Target, entry: Ours, remotes: Mapping[int, Remote], listed: Mapping[int, Sequence[Remote]],
               held: tuple[Collection[int], ...]) -> Remote | None:
    """The record Procore holds for `entry`: by its stored id, or (not linked yet) found as publishing finds it.

    `held` are the id sets already spoken for (read, never copied: this runs once per entry).
    """
    if entry.procore_id is not None:
        return remotes.get(entry.procore_id)
    if entry.fields is None or entry.project_id is None:
        return None
    return next((remote for remote in listed.get(entry.project_id, ()) if not any(remote.id in ids for ids in held)
                 and remote.work_date == entry.work_date and target.is_entry(remote, entry.entry_id, entry.fields)),
                None)


def _place(target: Target, entry: Ours, remote: Remote | None, side: _Side) -> None:
    """Add `entry` (and its record) to its day's sides, with a detail when they differ."""
    if entry.status is PublishStatus.DELETED:
        if remote is not None:
            side.theirs.append(remote.fields)
            side.details.append(Detail(Finding.ONLY_PROCORE, entry_id=entry.entry_id, remote_id=remote.id,
                                       theirs=remote.fields, note="deleted in the time clock"))
        return
    if entry.fields is not None:
        side.ours.append(entry.fields)
    if remote is None:
        finding = Finding.DELETED_IN_PROCORE if entry.procore_id is not None else Finding.ONLY_OURS
        side.details.append(Detail(finding, entry_id=entry.entry_id, remote_id=entry.procore_id, ours=entry.fields,
                                   note=entry.reason))
        return
    side.theirs.append(remote.fields)
    changed = differences(target, entry.fields, remote.fields) if entry.fields is not None else {}
    if changed:
        side.details.append(Detail(Finding.CHANGED, entry_id=entry.entry_id, remote_id=remote.id, ours=entry.fields,
                                   theirs=remote.fields, differs=changed))
