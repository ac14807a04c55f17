"""What a publish is asked to do (`PublishRequest`) and what it did (`RunReport`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.models.publishing import PublishModule
from core.publishing.entries import RefreshReport
from core.publishing.plan import DONE_LABELS, OPERATION_LABELS, Operation, Step
from core.publishing.status import PublishAction

Progress = Callable[[int, int, str], None]  # (entries done, entries in the run, summary so far)


@dataclass(frozen=True)
class PublishRequest:
    """What to publish: a module's entries in a date range, optionally some job sites or some entries."""

    module: PublishModule
    start: date
    end: date
    action: PublishAction = PublishAction.PUBLISH
    job_site_ids: frozenset[int] | None = None
    entry_ids: frozenset[int] | None = None


@dataclass
class RunReport:
    """What a publish did (or, for a dry run, would do)."""

    request: PublishRequest
    dry_run: bool
    run_id: int | None = None
    refresh: RefreshReport | None = None
    steps: list[Step] = field(default_factory=list)
    outcomes: Counter[Operation] = field(default_factory=Counter)
    problems: list[tuple[Step, str]] = field(default_factory=list)
    duplicates_removed: int = 0  # second copies of our records in Procore (a write that landed late), deleted
    error: str | None = None

    @property
    def planned(self) -> Counter[Operation]:
        return Counter(step.operation for step in self.steps)

    def summary(self) -> str:
        """One line for people: counts per outcome (planned ones for a dry run)."""
        counts, labels = (self.planned, OPERATION_LABELS) if self.dry_run else (self.outcomes, DONE_LABELS)
        if not counts and not self.duplicates_removed:
            return "Nothing to publish."
        parts = [f"{count} {_lower_first(labels[operation])}" for operation, count in
                 sorted(counts.items(), key=lambda item: list(Operation).index(item[0]))]
        if self.duplicates_removed:
            parts.append(f"{self.duplicates_removed} duplicate{'s' if self.duplicates_removed > 1 else ''} removed")
        return ("Would do: " if self.dry_run else "") + ", ".join(parts) + \
            (f". Stopped: {self.error}" if self.error else "")


def _lower_first(text: str) -> str:
    """'Changed in Procore' → 'changed in Procore': a label inside a sentence keeps its proper nouns."""
    return text[:1].lower() + text[1:]
