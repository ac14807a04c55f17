"""Import preview: the two-way import run in a transaction that is rolled back, and what it would change.

The preview runs the very steps the import runs (`core.sync.importer`), so it
can never disagree with what applying does; it only reads from Procore and
leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Identity, Perm
from core.config import Settings
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.sync.import_changes import TIME_ZONES, ChangeGate, ChangeKind, FieldChange, Owner, RecordChange
from core.sync.import_owners import load_owners
from core.sync.importer import STEPS, Progress, import_steps


@dataclass(frozen=True)
class ImportPreview:
    """What applying the import would change, with the owners it was computed for."""

    changes: tuple[RecordChange, ...]
    owners: dict[str, Owner]

    def of_kind(self, kind: ChangeKind) -> list[RecordChange]:
        return [change for change in self.changes if change.kind is kind]

    @property
    def moving(self) -> list[RecordChange]:
        """Changes that move published work which the admin decides on (Procore-owned ones always apply)."""
        return [c for c in self.changes if c.moves_published_work and _asked(c, self.owners)]

    @property
    def moved_logs(self) -> int:
        return sum(change.moved_logs for change in self.moving)

    @property
    def updated_entries(self) -> int:
        return sum(change.updated_entries for change in self.moving)

    @property
    def empty(self) -> bool:
        return not self.changes


def _asked(change: RecordChange, owners: dict[str, Owner]) -> bool:
    return owners.get(TIME_ZONES) is Owner.ASK and any(f.kept is None for f in change.fields if f.name == "time_zone")


def preview_import(
    settings: Settings, engine: Engine, *, actor: Identity, company_id: int, steps: Iterable[str] = STEPS,
    progress: Progress | None = None, client: ProcoreClient | None = None, owners: Mapping[str, Owner] | None = None,
) -> ImportPreview:
    """What `run_import` with the same lists would change, computed and rolled back (Procore is only read).

    `owners` lay field owners over the stored ones, for a preview of a setting not saved yet.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup.
        ConfigurationError, ProcoreAPIError: Procore is not connected or refused.
    """
    actor.require(Perm.PROCORE_SETUP)
    with Session(engine) as session:
        try:
            gate = ChangeGate({**load_owners(session), **(owners or {})})
            opened = open_client(settings, engine, company_id=company_id) if client is None else nullcontext(client)
            with opened as procore:
                report = import_steps(lambda: _same(session), procore, company_id=company_id, steps=steps, gate=gate,
                                      progress=progress, read_first=True)  # one session: no Procore call in it
        finally:
            session.rollback()
    return ImportPreview(tuple(report.changes), dict(gate.owners))


@contextmanager
def _same(session: Session) -> Iterator[Session]:
    yield session


def _value(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)


def field_text(change: FieldChange) -> str:
    """"time_zone: America/Chicago → Asia/Tokyo", with why ours is kept when it is."""
    text = f"{change.name}: {_value(change.old)} → {_value(change.new)}"
    return text if change.kept is None else f"{text} (kept: {change.kept})"


def moving_text(change: RecordChange) -> str:
    """"moves 12 time logs to another work date; 5 published entries become Updated"."""
    return (f"moves {change.moved_logs} time log{'s' * (change.moved_logs != 1)} to another work date; "
            f"{change.updated_entries} published entr{'ies' if change.updated_entries != 1 else 'y'} "
            "become Updated")


def preview_lines(preview: ImportPreview) -> list[str]:
    """The preview as plain lines (the command line prints them)."""
    if preview.empty:
        return ["Nothing to change: our lists match Procore's."]
    lines: list[str] = []
    for kind in ChangeKind:
        found = preview.of_kind(kind)
        if found:
            lines.append(f"{kind.value.capitalize()} ({len(found)}):")
        for change in found:
            lines.append(f"  {change.list_name}: {change.record}")
            lines += [f"      {field_text(field)}" for field in change.fields]
            if change.moved_logs:
                lines.append(f"      {moving_text(change)}")
    if preview.moving:
        lines.append(f"Changes that move published work: {len(preview.moving)} job site(s), {preview.moved_logs} "
                     f"time logs to another work date, {preview.updated_entries} published entries made Updated.")
    owners = ", ".join(f"{group.replace('_', ' ')}: {owner.value}" for group, owner in preview.owners.items())
    lines.append(f"Field owners: {owners}.")
    return lines
