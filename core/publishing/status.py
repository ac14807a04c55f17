"""The publish status machine: the legal moves as data, the one function that moves, and what each status allows.

Statuses (`core.models.publishing.PublishStatus`) and why each move exists:

* To do → Publishing (claimed by a publisher); → Non publishable (a value or
  mapping problem). A To do entry has no Procore record, so it never becomes
  Deleted: when its source goes, the entry is simply removed.
* Publishing → Published / Updated (written; Updated when the source changed
  while the write was in flight), Failed (Procore refused, or the outcome is
  unknown), Deleted (written, but the source vanished meanwhile), To do (the
  Procore record was deleted but the source came back). A claim released
  without a write returns to whatever the entry would be now (usually the
  status before the claim), so Publishing may also go back to Non publishable.
* Published → Updated (source changed), Deleted (source gone), Publishing
  (force publish), Non publishable (the changed values cannot be published).
* Updated → Publishing, Published (source changed back to what was sent),
  Non publishable, Deleted.
* Failed → Publishing (republish), Non publishable, and, when the values
  change, To do / Updated / Published (the failure was about the old values);
  Deleted when the source of a published entry goes.
* Deleted → Publishing (publishing deletes the Procore record, then the entry
  is removed), Published / Updated / Non publishable (the source came back).
* Non publishable → To do / Updated / Published (problem fixed), Deleted
  (source gone after a publish), Non publishable (reasons changed), Publishing
  (only a force publish, and only of an entry held because Procore already has
  the person's hours from elsewhere: `claims.claim_condition`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from core.errors import ProcoreConnectError
from core.models.publishing import PublishStatus

TO_DO = PublishStatus.TO_DO
PUBLISHING = PublishStatus.PUBLISHING
PUBLISHED = PublishStatus.PUBLISHED
UPDATED = PublishStatus.UPDATED
FAILED = PublishStatus.FAILED
DELETED = PublishStatus.DELETED
NON_PUBLISHABLE = PublishStatus.NON_PUBLISHABLE

ALLOWED: dict[PublishStatus, frozenset[PublishStatus]] = {
    TO_DO: frozenset({PUBLISHING, NON_PUBLISHABLE}),
    PUBLISHING: frozenset({TO_DO, PUBLISHED, UPDATED, FAILED, DELETED, NON_PUBLISHABLE}),
    PUBLISHED: frozenset({PUBLISHING, UPDATED, DELETED, NON_PUBLISHABLE}),
    UPDATED: frozenset({PUBLISHING, PUBLISHED, DELETED, NON_PUBLISHABLE}),
    FAILED: frozenset({PUBLISHING, TO_DO, PUBLISHED, UPDATED, DELETED, NON_PUBLISHABLE}),
    DELETED: frozenset({PUBLISHING, PUBLISHED, UPDATED, NON_PUBLISHABLE}),
    NON_PUBLISHABLE: frozenset({NON_PUBLISHABLE, TO_DO, PUBLISHED, UPDATED, DELETED, PUBLISHING}),
}
NEEDS_REASONS = frozenset({FAILED, NON_PUBLISHABLE})
KEEPS_REASONS = frozenset({PUBLISHING})  # a failure stays visible until the outcome is known


class InvalidTransition(ProcoreConnectError):
    """A status move the machine does not allow (a bug in the caller, never a user error)."""


class HasStatus(Protocol):
    """Anything with a publish status and its reasons (a PublishEntry, or a row being planned)."""

    status: PublishStatus
    reasons: list[str]


def can_move(source: PublishStatus | str, target: PublishStatus | str) -> bool:
    """True when ALLOWED has the move `source` → `target`."""
    return PublishStatus(target) in ALLOWED[PublishStatus(source)]


@dataclass
class Draft:
    """A status and its reasons being decided (for a new entry, or the release status of a claimed one)."""

    status: PublishStatus
    reasons: list[str] = field(default_factory=list)


def transition(entry: HasStatus, to: PublishStatus, *, reasons: Sequence[str] | None = None) -> None:
    """Move `entry` to `to`, the only code that sets a status.

    Failed and Non publishable need reasons (Procore's message; every problem
    found). Publishing keeps the reasons it had; every other status clears them.

    Raises:
        InvalidTransition: the move is not in ALLOWED, or reasons are missing.
    """
    source, target = PublishStatus(entry.status), PublishStatus(to)
    if not can_move(source, target):
        raise InvalidTransition(f"a publish entry cannot move from {label(source)} to {label(target)}")
    if target in NEEDS_REASONS and not reasons:
        raise InvalidTransition(f"moving to {label(target)} needs at least one reason")
    entry.status = target
    if target in NEEDS_REASONS:
        entry.reasons = list(reasons or [])
    elif target not in KEEPS_REASONS:
        entry.reasons = []


@dataclass(frozen=True)
class Facts:
    """What is known about one entry when deciding where it stands."""

    in_source: bool  # the time clock still has rows for the key
    published: bool  # a Procore record exists (procore_id is set)
    matches_published: bool  # the current values are the ones last sent
    values_changed: bool = False  # this refresh changed the values
    reasons: tuple[str, ...] = ()  # why the current values cannot be published


def settled_status(facts: Facts) -> PublishStatus | None:
    """Where an entry stands from the facts alone, ignoring problems; None means "remove the entry"."""
    if not facts.in_source:
        return DELETED if facts.published else None
    if not facts.published:
        return TO_DO
    return PUBLISHED if facts.matches_published else UPDATED


def refreshed_status(current: PublishStatus, facts: Facts) -> PublishStatus | None:
    """Where a refresh moves an entry that is not being published; None means "remove the entry".

    A failure stands until the values change (or someone publishes again),
    unless a problem now blocks publishing. Problems only matter for entries
    that have something to publish: a Published entry stays Published.
    """
    settled = settled_status(facts)
    if settled is None or settled is DELETED:
        return settled
    if PublishStatus(current) is FAILED and not facts.values_changed:
        return NON_PUBLISHABLE if facts.reasons else FAILED
    if settled is not PUBLISHED and facts.reasons:
        return NON_PUBLISHABLE
    return settled


class PublishAction(StrEnum):
    """What a person can ask for: the dashboards offer the first three; the payroll board also unpublishes."""

    PUBLISH = "publish"
    REPUBLISH = "republish"
    FORCE_PUBLISH = "force_publish"
    UNPUBLISH = "unpublish"  # delete the Procore records of published entries, which stay here as To do
    KEEP_PROCORE = "keep_procore"  # accept a record changed in Procore as it stands (the other way out of a conflict)


MENU_ACTIONS = (PublishAction.PUBLISH, PublishAction.REPUBLISH, PublishAction.FORCE_PUBLISH)


ACTIONS: dict[PublishAction, frozenset[PublishStatus]] = {
    PublishAction.PUBLISH: frozenset({TO_DO, UPDATED, DELETED}),
    PublishAction.REPUBLISH: frozenset({FAILED, DELETED}),
    PublishAction.FORCE_PUBLISH: frozenset(PublishStatus) - {NON_PUBLISHABLE, PUBLISHING},
    PublishAction.UNPUBLISH: frozenset({PUBLISHED, UPDATED, FAILED}),  # those with a Procore record
    PublishAction.KEEP_PROCORE: frozenset({FAILED}),  # refused because the record changed in Procore
}


def claimable(action: PublishAction) -> frozenset[PublishStatus]:
    """Statuses an `action` claims: those it offers that may move to Publishing."""
    return frozenset(status for status in ACTIONS[action] if can_move(status, PUBLISHING))


def actions_for(status: PublishStatus | str) -> tuple[PublishAction, ...]:
    """The actions a dashboard offers for an entry in `status`, in menu order."""
    return tuple(action for action in MENU_ACTIONS if PublishStatus(status) in ACTIONS[action])


@dataclass(frozen=True)
class StatusStyle:
    """How a status looks: label, Streamlit badge colour, hex colour for calendars, and a tooltip."""

    label: str
    colour: str
    hex: str
    description: str


STATUS_STYLES: dict[PublishStatus, StatusStyle] = {
    TO_DO: StatusStyle("To do", "blue", "#1c83e1", "Still needs to be published."),
    PUBLISHING: StatusStyle("Publishing", "violet", "#803df5", "Being published now."),
    PUBLISHED: StatusStyle("Published", "green", "#21c354", "Published to Procore."),
    UPDATED: StatusStyle("Updated", "orange", "#ff8700", "Published, then changed in the time clock."),
    FAILED: StatusStyle("Failed", "red", "#ff2b2b", "Could not be published."),
    DELETED: StatusStyle(
        "Deleted", "gray", "#808495", "Gone from the time clock after it was published; publishing deletes it."
    ),
    NON_PUBLISHABLE: StatusStyle("Non publishable", "red", "#a3000b", "A problem must be fixed before publishing."),
}
# Which status a calendar cell shows when its entries differ: the one needing attention first.
SUMMARY_ORDER: tuple[PublishStatus, ...] = (
    FAILED, NON_PUBLISHABLE, PUBLISHING, DELETED, UPDATED, TO_DO, PUBLISHED,
)


def label(status: PublishStatus | str) -> str:
    """The label people see for `status`."""
    return STATUS_STYLES[PublishStatus(status)].label


def summary_status(statuses: Iterable[PublishStatus | str]) -> PublishStatus | None:
    """The one status that stands for several entries (a calendar cell); None for no entries."""
    present = {PublishStatus(status) for status in statuses}
    return next((status for status in SUMMARY_ORDER if status in present), None)
