"""The import's per-field ownership setting: read it for an import, change it from setup or the command line."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, select

from core.access import Identity, Perm
from core.db import utcnow
from core.errors import ValidationError
from core.models.import_owners import ImportFieldOwner
from core.sync.import_changes import DEFAULT_OWNERS, GROUPS, Owner


def load_owners(session: Session) -> dict[str, Owner]:
    """Each field group's owner; a group never set is asked about (`Owner.ASK`)."""
    stored = {row.field_group: Owner(row.owner) for row in session.exec(select(ImportFieldOwner))}
    return {group: stored.get(group, DEFAULT_OWNERS[group]) for group in GROUPS}


def save_owners(session: Session, *, owners: Mapping[str, Owner | str], actor: Identity) -> dict[str, Owner]:
    """Set the owner of each field group in `owners`; returns every group's owner.

    Raises:
        ValidationError: a group or owner that does not exist (nothing is changed).
    """
    actor.require(Perm.PROCORE_SETUP)
    unknown = [group for group in owners if group not in GROUPS]
    bad = [str(owner) for owner in owners.values() if str(owner) not in {o.value for o in Owner}]
    if unknown or bad:
        raise ValidationError(
            f"Ownership was not changed: field groups are {', '.join(GROUPS)} and owners are "
            f"{', '.join(o.value for o in Owner)} (got {', '.join(unknown + bad)})."
        )
    for group, owner in owners.items():
        row = session.get(ImportFieldOwner, group) or ImportFieldOwner(field_group=group, owner=Owner(owner),
                                                                       updated_by=actor.email)
        row.owner, row.updated_by, row.updated_at = Owner(owner).value, actor.email, utcnow()
        session.add(row)
    session.flush()
    return load_owners(session)
