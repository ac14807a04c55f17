"""How a piece of work ended, for people: counts per outcome, reasons grouped with counts, and one tone.

    outcome = of_run_report(report, title="#12 Publish · Mon 16 Nov 2026", blocked=error_reasons(entries))
    outcome.tone        # Tone.WARNING: some entries are Non publishable
    outcome.headline()  # "#12 Publish · Mon 16 Nov 2026: 18 entries created, 19 entries Non publishable."

Every publish, import, sync, upload, move and undo ends with one `Outcome`, shown by
`core.ui.outcome.show_outcome`. The tone is decided here only (`Outcome.tone`):
green when everything went, a warning when something was skipped or not
publishable (or the work was cancelled), an error when something failed. The
builders below turn what each service returns into an Outcome; they never
change what the services do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from core.dashboards.fixes import FixPlace, error_reasons, fix_place
from core.jobs.history import reason_of
from core.models.publishing import PublishStatus
from core.publishing.plan import Operation
from core.publishing.undo import UndoKind, UndoReport
from core.timeclock.csv_reading import counted

if TYPE_CHECKING:
    from core.publishing.report import RunReport
    from core.sync.import_records import ImportReport
    from core.sync.lists import SyncReport
    from core.timeclock.csv_import import ImportResult
    from core.timeclock.csv_reading import CsvImportError


class Work(StrEnum):
    """The kind of work that ended."""

    PUBLISH = "publish"
    IMPORT = "import"
    SYNC = "sync"
    UPLOAD = "upload"
    MOVE = "move"
    UNDO = "undo"


class Tone(StrEnum):
    """How the outcome is shown: green, amber or red."""

    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class _Kind(NamedTuple):
    label: str  # after the count: "12 entries created"
    tone: Tone  # what a non-zero count makes of the whole outcome (SUCCESS: nothing)
    noun: str | None = None  # counted in its own noun ("2 duplicates removed"), not the outcome's


class Result(Enum):
    """One outcome an entry (record, row) can end with, in the order they are listed."""

    CREATED = _Kind("created", Tone.SUCCESS)
    UPDATED = _Kind("updated", Tone.SUCCESS)
    DELETED = _Kind("deleted", Tone.SUCCESS)
    RESTORED = _Kind("restored", Tone.SUCCESS)
    WRITTEN_AGAIN = _Kind("written again", Tone.SUCCESS)
    IMPORTED = _Kind("imported", Tone.SUCCESS)
    LINKED = _Kind("linked", Tone.SUCCESS)
    MOVED = _Kind("moved", Tone.SUCCESS)
    FOUND = _Kind("found already in Procore", Tone.SUCCESS)
    UNCHANGED = _Kind("unchanged", Tone.SUCCESS)
    ALREADY_DELETED = _Kind("already deleted", Tone.SUCCESS)
    KEPT = _Kind("kept as Procore has them", Tone.SUCCESS)
    GONE = _Kind("no longer in Procore", Tone.SUCCESS)
    BACK = _Kind("back in Procore", Tone.SUCCESS)
    DUPLICATE_REMOVED = _Kind("removed", Tone.SUCCESS, noun="duplicate")
    SKIPPED = _Kind("skipped", Tone.WARNING)
    LIST_SKIPPED = _Kind("not synced", Tone.WARNING, noun="list")
    HELD = _Kind("held (Procore already has the hours)", Tone.WARNING)
    NON_PUBLISHABLE = _Kind("Non publishable", Tone.WARNING)
    FAILED = _Kind("failed", Tone.ERROR)
    NOT_MOVED = _Kind("not moved", Tone.ERROR)


# A preview's counts say what would happen.
PLANNED_LABELS: dict[Result, str] = {
    Result.CREATED: "to create", Result.UPDATED: "to update", Result.DELETED: "to delete",
    Result.SKIPPED: "to skip (changed in Procore)", Result.FAILED: "cannot be published",
    Result.HELD: "to hold (Procore already has the hours)", Result.KEPT: "to keep as Procore has them",
}
_OF_OPERATION: dict[Operation, Result] = {
    Operation.CREATE: Result.CREATED, Operation.UPDATE: Result.UPDATED, Operation.DELETE: Result.DELETED,
    Operation.ADOPT: Result.FOUND, Operation.KEEP: Result.UNCHANGED, Operation.REMOVE: Result.ALREADY_DELETED,
    Operation.SKIP: Result.SKIPPED, Operation.FAIL: Result.FAILED, Operation.HOLD: Result.HELD,
    Operation.ACCEPT: Result.KEPT,
}
# Run history's outcome columns (`core.jobs.history.OUTCOMES`).
HISTORY_RESULTS: dict[str, Result] = {"created": Result.CREATED, "updated": Result.UPDATED,
                                      "deleted": Result.DELETED, "found": Result.FOUND,
                                      "skipped": Result.SKIPPED, "failed": Result.FAILED}
CHANGED_IN_PROCORE = "Changed in Procore since it was published: Force publish or Keep Procore's version on its day"
RETRIED = "retried by the next scheduled run, or settled on the module's dashboard"
_REFUSED = (Operation.FAIL, Operation.SKIP)
_UNDONE = {UndoKind.DELETE: Result.DELETED, UndoKind.RESTORE: Result.RESTORED, UndoKind.RECREATE: Result.WRITTEN_AGAIN}


@dataclass(frozen=True)
class Reason:
    """Why some entries did not go: the text, how many it concerns, where it is fixed (if anywhere)."""

    text: str
    count: int
    place: FixPlace | None = None
    hint: str = ""  # said instead of a link when there is no place


@dataclass(frozen=True)
class Stop:
    """The work ended before it was through: cancelled (a warning) or stopped by an error."""

    text: str
    failed: bool = True


@dataclass(frozen=True)
class Outcome:
    """What one piece of work ended with (see the module docstring)."""

    work: Work
    title: str
    noun: str = "entry"
    counts: tuple[tuple[Result, int], ...] = ()
    reasons: tuple[Reason, ...] = ()
    stop: Stop | None = None
    planned: bool = False  # a preview: nothing was written
    details: tuple[str, ...] = field(default=())  # lines that belong to no reason (fields an import kept)
    details_title: str = "Details"
    note: str = ""  # said after the counts ("Its week is queued for Procore.")

    @property
    def tone(self) -> Tone:
        """Error when anything failed, warning when anything was skipped, held or not publishable (or the
        work was cancelled), success only otherwise: the one rule for every page."""
        tones = {result.value.tone for result, _ in self.counts}
        if Tone.ERROR in tones or (self.stop is not None and self.stop.failed):
            return Tone.ERROR
        return Tone.WARNING if Tone.WARNING in tones or self.stop is not None else Tone.SUCCESS

    def count(self, result: Result) -> int:
        return dict(self.counts).get(result, 0)

    def count_text(self) -> str:
        """"18 entries created, 1 entry updated, 19 entries Non publishable" (or "nothing to do")."""
        parts = [f"{counted(number, result.value.noun or self.noun)} {self._label(result)}"
                 for result, number in self.counts]
        return ", ".join(parts) or ("nothing to do" if not self.planned else "nothing would change")

    def headline(self) -> str:
        after = "".join(f" {text}" for text in (self.stop.text if self.stop else "", self.note) if text)
        return f"{self.title}: {self.count_text()}.{after}"

    def _label(self, result: Result) -> str:
        return PLANNED_LABELS.get(result, result.value.label) if self.planned else result.value.label


def ordered(counts: Mapping[Result, int]) -> tuple[tuple[Result, int], ...]:
    """Counts in `Result` order, zero counts dropped."""
    return tuple((result, counts[result]) for result in Result if counts.get(result, 0) > 0)


def grouped(texts: Iterable[str], *, place: Callable[[str], FixPlace | None] = lambda _: None,
            hint: str = "") -> tuple[Reason, ...]:
    """Texts as reasons with counts, most first; where texts differ only by their numbers they are one reason
    with N for the numbers (`core.jobs.history.reason_of`). `place` finds where a reason is fixed
    (`core.dashboards.fixes.fix_place`)."""
    found: dict[str, Counter[str]] = {}
    for text in texts:
        found.setdefault(reason_of(text), Counter())[text.strip()] += 1
    shown = {(key if len(originals) > 1 else next(iter(originals))): originals.total()
             for key, originals in found.items()}
    return tuple(Reason(text, count, place(text), hint)
                 for text, count in sorted(shown.items(), key=lambda pair: (-pair[1], pair[0])))


@dataclass(frozen=True)
class Blocked:
    """The Non publishable entries of a scope: how many, and their reasons grouped (reason, entries, place)."""

    entries: int
    reasons: pd.DataFrame

    @classmethod
    def of(cls, entries: pd.DataFrame) -> Blocked:
        """From entries with status and reasons (`core.publishing.dashboard.entries_frame`)."""
        blocked = int((entries["status"] == PublishStatus.NON_PUBLISHABLE.value).sum()) if len(entries) else 0
        return cls(blocked, error_reasons(entries) if blocked else pd.DataFrame(columns=["reason", "entries", "place"]))


def reasons_of_frame(problems: pd.DataFrame, *, hint: str = RETRIED) -> tuple[Reason, ...]:
    """Reasons from a frame of reason, entries, place (`core.jobs.history.run_problems`,
    `core.dashboards.fixes.error_reasons`); a reason with no place gets `hint`."""
    return tuple(Reason(str(text), int(count), FixPlace(place) if place else None, "" if place else hint)
                 for text, count, place in problems[["reason", "entries", "place"]].itertuples(index=False))


def of_run_report(report: RunReport, *, title: str, blocked: Blocked | None = None) -> Outcome:
    """A publish (or its preview, when the report is a dry run) with the Non publishable entries of its scope."""
    counts: Counter[Result] = Counter()
    for operation, number in (report.planned if report.dry_run else report.outcomes).items():
        counts[_OF_OPERATION[operation]] += number
    counts[Result.DUPLICATE_REMOVED] = report.duplicates_removed
    reasons = [*_step_reasons(report), *_blocked(blocked, counts)]
    return Outcome(Work.PUBLISH, title, counts=ordered(counts), reasons=tuple(reasons), planned=report.dry_run,
                   stop=Stop(f"Stopped: {report.error}") if report.error else None)


def _step_reasons(report: RunReport) -> tuple[Reason, ...]:
    """Why entries failed or were skipped (a preview: why they would be)."""
    problems = [(step, step.message or "") for step in report.steps if step.operation in _REFUSED] \
        if report.dry_run else report.problems
    skipped = [message for step, message in problems if step.operation is Operation.SKIP]
    others = [message for step, message in problems if step.operation is not Operation.SKIP]
    return grouped(others, place=fix_place) + ((Reason(CHANGED_IN_PROCORE, len(skipped)),) if skipped else ())


def _blocked(blocked: Blocked | None, counts: Counter[Result]) -> tuple[Reason, ...]:
    if blocked is None or not blocked.entries:
        return ()
    counts[Result.NON_PUBLISHABLE] += blocked.entries
    return reasons_of_frame(blocked.reasons, hint="")


def of_job_counts(title: str, counts: Mapping[str, int], problems: pd.DataFrame, *,
                  blocked: Blocked | None = None, stop: Stop | None = None) -> Outcome:
    """A finished publish job: its run's outcome counts by history column (`core.jobs.history.OUTCOMES`),
    its problems (`run_problems`) and the Non publishable entries of its scope (`error_reasons`)."""
    found: Counter[Result] = Counter({HISTORY_RESULTS[name]: number for name, number in counts.items()
                                      if name in HISTORY_RESULTS})
    reasons = reasons_of_frame(problems) + _blocked(blocked, found)
    return Outcome(Work.PUBLISH, title, counts=ordered(found), reasons=reasons, stop=stop)


def of_import(report: ImportReport, *, title: str = "Import applied") -> Outcome:
    """An import from Procore: records created, updated, linked, unchanged, skipped (with why)."""
    counts: Counter[Result] = Counter()
    skipped: list[str] = []
    for step in report.steps.values():
        counts.update({Result.CREATED: step.created, Result.UPDATED: step.updated, Result.LINKED: step.linked,
                       Result.UNCHANGED: step.unchanged, Result.SKIPPED: len(step.skipped)})
        skipped += step.skipped
    kept = tuple(f"{c.record}: {f.name} stays {f.old} ({f.kept})" for c in report.changes for f in c.fields
                 if f.kept)
    return Outcome(Work.IMPORT, title, noun="record", counts=ordered(counts), reasons=grouped(skipped),
                   details=kept, details_title="Changes left out")


def of_sync(reports: Sequence[SyncReport], *, title: str) -> Outcome:
    """A sync of Procore lists (on Data mapping): records new, changed, no longer in Procore, back; a list
    that could not sync (no mapped project yet) is skipped with its note, which says what to do there."""
    counts: Counter[Result] = Counter()
    notes: list[str] = []
    for report in reports:
        counts.update({Result.CREATED: report.added, Result.UPDATED: report.updated, Result.GONE: report.flagged,
                       Result.BACK: report.restored})
        if report.note:
            notes.append(report.summary())
    counts[Result.LIST_SKIPPED] += len(notes)
    return Outcome(Work.SYNC, title, noun="record", counts=ordered(counts),
                   reasons=grouped(notes),
                   details=tuple(report.summary() for report in reports if not report.note))


def of_upload(result: ImportResult) -> Outcome:
    """A CSV file imported whole."""
    return Outcome(Work.UPLOAD, "CSV file", noun=result.kind, counts=ordered({Result.IMPORTED: result.imported}))


def of_refused_upload(error: CsvImportError) -> Outcome:
    """A CSV file refused: nothing imported, each bad row's reasons grouped (the lines are listed apart)."""
    reasons = grouped(reason for row in error.errors for reason in row.reasons)
    return Outcome(Work.UPLOAD, "CSV file, nothing was imported", noun="row",
                   counts=ordered({Result.FAILED: len(error.errors)}), reasons=reasons)


def of_move(card: str, to: str, *, queued: bool = False, refused: str = "") -> Outcome:
    """A payroll card moved to the column `to` (its week queued for Procore when `queued`), or refused with why."""
    if refused:
        return Outcome(Work.MOVE, f"{card} to {to}", noun="card", counts=ordered({Result.NOT_MOVED: 1}),
                       reasons=(Reason(refused, 1),))
    return Outcome(Work.MOVE, f"{card} to {to}", noun="card", counts=ordered({Result.MOVED: 1}),
                   note="Its week is queued for Procore." if queued else "")


def of_undo(report: UndoReport) -> Outcome:
    """An undo of a publish run: records deleted, restored, written again, left alone (why), failed (why)."""
    plan = report.plan
    if plan.undone_by is not None:
        return Outcome(Work.UNDO, f"Run {plan.run_id} was undone already (by run {plan.undone_by})", noun="record")
    counts: Counter[Result] = Counter({_UNDONE[kind]: number for kind, number in report.done.items()})
    left = [item.left_alone for item in plan.items if item.left_alone]
    counts[Result.SKIPPED] += len(left)
    counts[Result.FAILED] += len(report.failed)
    reasons = grouped([message for _, message in report.failed]) + grouped(left)
    return Outcome(Work.UNDO, f"Run {plan.run_id} undone as run {report.undo_run_id}", noun="record",
                   counts=ordered(counts), reasons=reasons)
