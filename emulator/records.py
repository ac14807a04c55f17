"""Record life cycle shared by every writable resource: locks, updates with history, soft deletes."""

from __future__ import annotations

from typing import Any

from emulator import errors
from emulator.serializers import user_ref
from emulator.store import Tx
from emulator.timeutil import next_stamp

Record = dict[str, Any]

LABELS = {
    "manpower_log": "Manpower Log",
    "quantity_log": "Quantity Log",
    "timecard_entry": "Timecard Entry",
    "timesheet": "Timesheet",
}


def lock_reason(tx: Tx, kind: str, record: Record) -> str | None:
    """Why the record may no longer be changed through the API, or None."""
    label = LABELS.get(kind, kind)
    if record.get("locked"):
        return f"This {label} is locked and can no longer be edited or deleted"
    status = record.get("approval_status") if kind == "timecard_entry" else record.get("status")
    if status in ("approved", "completed"):
        return f"This {label} has been {status} and can no longer be edited or deleted"
    if kind == "timecard_entry" and record.get("timesheet_id"):
        sheet = tx.get("timesheet", record["timesheet_id"], include_deleted=True)
        if sheet and (sheet.get("status") == "approved" or sheet.get("locked")):
            return "The timesheet of this Timecard Entry has been approved; it can no longer be edited"
    return None


def ensure_unlocked(tx: Tx, kind: str, record: Record) -> None:
    reason = lock_reason(tx, kind, record)
    if reason:
        raise errors.locked(reason)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def update(tx: Tx, kind: str, record: Record, changes: Record, *, actor_id: int) -> Record:
    """Apply changed fields; ``updated_at`` moves only when something changed, strictly forward."""
    changed = {k: v for k, v in changes.items() if record.get(k) != v}
    if not changed:
        return record
    stamp = next_stamp(record.get("updated_at"))
    if kind == "timecard_entry":
        actor = user_ref(tx, actor_id)
        tx.add_history(kind, record["id"], [
            {"column": column, "old_value": _text(record.get(column)), "new_value": _text(value),
             "created_at": stamp, "created_by": actor["name"] if actor else None}
            for column, value in changed.items()
        ])
    record.update(changed)
    record["updated_at"] = stamp
    tx.save(kind, record)
    return record


def soft_delete(tx: Tx, kind: str, record: Record, *, actor_id: int) -> Record:
    stamp = next_stamp(record.get("updated_at"))
    return update(tx, kind, record, {"deleted_at": stamp}, actor_id=actor_id)


def next_position(tx: Tx, kind: str, project_id: int, day: str) -> int:
    rows = tx.query(kind, project_id=project_id, date_from=day, date_to=day, deleted=None)
    return max((r.get("position") or 0 for r in rows), default=0) + 1


def new_record(**fields: Any) -> Record:
    stamp = next_stamp(None)
    return {"created_at": stamp, "updated_at": stamp, "deleted_at": None, "locked": False, **fields}
