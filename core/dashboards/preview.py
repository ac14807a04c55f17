"""A publish's plan as tables people read before they act: what changes in Procore, field by field.

The plan comes from a dry run (`publish(..., dry_run=True)`), which reads
Procore and writes nothing; after a real run the same tables say what was done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from core.publishing.plan import OPERATION_LABELS, Operation, Step

WRITES = (Operation.CREATE, Operation.UPDATE, Operation.DELETE)
CHANGE_COLUMNS = ["entry_id", "entry", "action", "field", "before", "after", "changed"]
CONFLICT_COLUMNS = ["entry_id", "entry", "field", "last_published", "in_procore_now", "outcome"]
OTHER_COLUMNS = ["entry_id", "entry", "outcome", "message"]
_CONFLICT_OUTCOMES = {
    Operation.SKIP: "Kept: only Force publish overwrites it",
    Operation.UPDATE: "Overwritten by Force publish",
    Operation.DELETE: "Deleted by Force publish",
}


def planned_changes(steps: Sequence[Step], names: Mapping[int, str]) -> pd.DataFrame:
    """One row per field of each record created, updated or deleted in Procore, with its before and after.

    `before` is Procore's value now (empty for a create), `after` the value
    written (empty for a delete); `changed` says whether the field moves.
    """
    rows = []
    for step in sorted((s for s in steps if s.operation in WRITES), key=lambda s: WRITES.index(s.operation)):
        before, after = step.before or {}, step.after or {}
        for field in _fields(before, after):
            old, new = before.get(field), after.get(field)
            rows.append([step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"),
                         OPERATION_LABELS[step.operation], field, _text(old), _text(new),
                         step.operation is not Operation.UPDATE or old != new])
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def changed_in_procore(steps: Sequence[Step], names: Mapping[int, str]) -> pd.DataFrame:
    """Fields someone changed in Procore since our last write, and what the plan does with each entry."""
    rows = [
        [step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"), field, _text(ours), _text(theirs),
         _CONFLICT_OUTCOMES.get(step.operation, OPERATION_LABELS[step.operation])]
        for step in steps
        for field, (ours, theirs) in step.differs.items()
    ]
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def other_outcomes(steps: Sequence[Step], names: Mapping[int, str]) -> pd.DataFrame:
    """Entries that write nothing to Procore (already there, changed or deleted in Procore, cannot be sent)."""
    rows = [[step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"), OPERATION_LABELS[step.operation],
             step.message or ""] for step in steps if step.operation not in WRITES]
    return pd.DataFrame(rows, columns=OTHER_COLUMNS)


def problems_frame(problems: Sequence[tuple[Step, str]], names: Mapping[int, str]) -> pd.DataFrame:
    """A run's problems: the entry and Procore's (or our) message."""
    rows = [[step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"), OPERATION_LABELS[step.operation],
             message] for step, message in problems]
    return pd.DataFrame(rows, columns=OTHER_COLUMNS)


def _fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [*after, *(name for name in before if name not in after)]


def _text(value: Any) -> str:
    """A field value as text: tables mix numbers, names and ids."""
    return "" if value is None else str(value)
