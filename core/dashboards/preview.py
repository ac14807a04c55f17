"""A publish's plan as tables people read before they act: what changes in Procore, field by field.

The plan comes from a dry run (`publish(..., dry_run=True)`), which reads
Procore and writes nothing; after a real run the same tables say what was done.
Fields are named as the screens name them (`core.modules.fields`; internal keys
are left out) and `in_words` names the vendors, people, cost codes and time
types behind Procore's ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from core.modules.fields import ID_KINDS
from core.modules.registry import field_labels
from core.publishing.plan import OPERATION_LABELS, Operation, Step

WRITES = (Operation.CREATE, Operation.UPDATE, Operation.DELETE)
CHANGE_COLUMNS = ["entry_id", "entry", "action", "field", "before", "after", "changed"]
CONFLICT_COLUMNS = ["entry_id", "entry", "field", "last_published", "in_procore_now", "outcome"]
OTHER_COLUMNS = ["entry_id", "entry", "outcome", "message"]
VALUE_COLUMNS = ("before", "after", "last_published", "in_procore_now")
Name = Callable[[str, Any], str]  # ("vendor", 812) → "Apex Concrete"
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
    rows, labels = [], field_labels()
    for step in sorted((s for s in steps if s.operation in WRITES), key=lambda s: WRITES.index(s.operation)):
        before, after = step.before or {}, step.after or {}
        for field in _fields(before, after, labels):
            old, new = before.get(field), after.get(field)
            rows.append([step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"),
                         OPERATION_LABELS[step.operation], labels[field], _text(old), _text(new),
                         step.operation is not Operation.UPDATE or old != new])
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def changed_in_procore(steps: Sequence[Step], names: Mapping[int, str]) -> pd.DataFrame:
    """Fields someone changed in Procore since our last write, and what the plan does with each entry."""
    labels = field_labels()
    rows = [
        [step.entry.id, names.get(step.entry.id, f"#{step.entry.id}"), labels[field], _text(ours), _text(theirs),
         _CONFLICT_OUTCOMES.get(step.operation, OPERATION_LABELS[step.operation])]
        for step in steps
        for field, (ours, theirs) in step.differs.items() if field in labels
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


def in_words(table: pd.DataFrame, name: Name) -> pd.DataFrame:
    """`table` with the Procore ids of its id fields (Vendor, Employee, Cost code…) replaced by `name`'s names.

    Values that are no id (already named, or empty) stay as they are, so naming twice changes nothing.
    """
    if table.empty or "field" not in table.columns:
        return table
    kinds = {label: ID_KINDS[field] for field, label in field_labels().items() if field in ID_KINDS}
    named = table.copy()
    for column in (found for found in VALUE_COLUMNS if found in table.columns):
        named[column] = [name(kinds[label], int(value)) if label in kinds and str(value).isdigit() else value
                         for label, value in zip(table["field"], table[column], strict=True)]
    return named


def _fields(before: Mapping[str, Any], after: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The fields people see, in the order written: internal keys (no label) are left out."""
    return [name for name in [*after, *(name for name in before if name not in after)] if name in labels]


def _text(value: Any) -> str:
    """A field value as text: tables mix numbers, names and ids."""
    return "" if value is None else str(value)
