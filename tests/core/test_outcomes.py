"""The outcome model: the one tone rule, counts in order with plurals right, and each service's builder."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
import pytest

from core.dashboards.fixes import FixPlace
from core.models.mapping import Entity
from core.models.publishing import PublishModule, PublishStatus
from core.outcomes import (
    CHANGED_IN_PROCORE,
    Blocked,
    Outcome,
    Reason,
    Result,
    Stop,
    Tone,
    Work,
    grouped,
    of_import,
    of_move,
    of_refused_upload,
    of_run_report,
    of_sync,
    of_upload,
    ordered,
)
from core.publishing.plan import Operation, Step
from core.publishing.planned import PlannedEntry
from core.publishing.report import PublishRequest, RunReport
from core.sync.import_records import ImportReport, StepReport
from core.sync.lists import SyncReport
from core.timeclock.csv_import import ImportResult
from core.timeclock.csv_reading import CsvImportError, RowError

UNMAPPED = "Vendor Evergreen Drywall is not linked to a Procore vendor: map it on Data mapping > Vendors"


def _outcome(*counts: tuple[Result, int], stop: Stop | None = None) -> Outcome:
    return Outcome(Work.PUBLISH, "Publish", counts=ordered(dict(counts)), stop=stop)


@pytest.mark.parametrize(("counts", "stop", "tone"), [
    pytest.param([(Result.CREATED, 18), (Result.UPDATED, 2)], None, Tone.SUCCESS, id="all-went"),
    pytest.param([], None, Tone.SUCCESS, id="nothing-to-do"),
    pytest.param([(Result.CREATED, 18), (Result.NON_PUBLISHABLE, 19)], None, Tone.WARNING, id="non-publishable"),
    pytest.param([(Result.CREATED, 1), (Result.SKIPPED, 1)], None, Tone.WARNING, id="skipped"),
    pytest.param([(Result.HELD, 1)], None, Tone.WARNING, id="held"),
    pytest.param([(Result.CREATED, 3)], Stop("Cancelled by ana", failed=False), Tone.WARNING, id="cancelled"),
    pytest.param([(Result.CREATED, 3), (Result.NON_PUBLISHABLE, 2), (Result.FAILED, 1)], None, Tone.ERROR,
                 id="a-failure-wins"),
    pytest.param([(Result.CREATED, 3)], Stop("Stopped: Procore refused"), Tone.ERROR, id="stopped"),
])
def test_green_only_when_everything_went(counts: list[tuple[Result, int]], stop: Stop | None, tone: Tone) -> None:
    assert _outcome(*counts, stop=stop).tone is tone


def test_counts_come_in_one_order_without_zeros_and_with_plurals_right() -> None:
    outcome = _outcome((Result.NON_PUBLISHABLE, 19), (Result.DELETED, 0), (Result.CREATED, 18), (Result.UPDATED, 1))

    assert outcome.headline() == "Publish: 18 entries created, 1 entry updated, 19 entries Non publishable."


def test_a_preview_says_what_would_happen() -> None:
    outcome = Outcome(Work.PUBLISH, "Preview", planned=True, counts=ordered({Result.CREATED: 1, Result.FAILED: 2}))

    assert outcome.headline() == "Preview: 1 entry to create, 2 entries cannot be published."
    assert Outcome(Work.PUBLISH, "Preview", planned=True).headline() == "Preview: nothing would change."


def test_reasons_are_grouped_with_counts_most_first_and_numbers_that_differ_become_n() -> None:
    reasons = grouped(["line 4: unknown job site", "late", "line 9: unknown job site"])

    assert reasons == (Reason("line N: unknown job site", 2), Reason("late", 1))


def _step(entry_id: int, operation: Operation) -> Step:
    entry = PlannedEntry(id=entry_id, natural_key=f"k{entry_id}", job_site_id=1, work_date=date(2026, 11, 16),
                         keys={}, values={}, status=PublishStatus.TO_DO, procore_id=None, procore_project_id=None,
                         remote_updated_at=None, published_payload=None)
    return Step(entry=entry, operation=operation)


def test_a_publish_counts_its_non_publishable_entries_and_groups_why_with_where_to_fix_it() -> None:
    request = PublishRequest(module=PublishModule.MANPOWER, start=date(2026, 11, 16), end=date(2026, 11, 22))
    skipped, failed = _step(3, Operation.SKIP), _step(4, Operation.FAIL)
    report = RunReport(request=request, dry_run=False, outcomes=Counter({Operation.CREATE: 18}),
                       problems=[(skipped, "changed"), (failed, UNMAPPED)])
    entries = pd.DataFrame({"id": [1, 2, 5], "status": [PublishStatus.NON_PUBLISHABLE.value] * 2 + ["published"],
                            "reasons": [[UNMAPPED], [UNMAPPED, "No hours"], []]})

    outcome = of_run_report(report, title="#1 Publish", blocked=Blocked.of(entries))

    assert outcome.headline() == "#1 Publish: 18 entries created, 2 entries Non publishable."
    assert outcome.tone is Tone.WARNING
    assert outcome.reasons == (Reason(UNMAPPED, 1, FixPlace.DATA_MAPPING), Reason(CHANGED_IN_PROCORE, 1),
                               Reason(UNMAPPED, 2, FixPlace.DATA_MAPPING), Reason("No hours", 1, FixPlace.TIME_LOGS))


def test_a_preview_groups_why_entries_would_not_go() -> None:
    request = PublishRequest(module=PublishModule.MANPOWER, start=date(2026, 11, 16), end=date(2026, 11, 16))
    steps = [_step(1, Operation.CREATE), _step(2, Operation.FAIL), _step(3, Operation.FAIL)]
    for step in steps[1:]:
        step.message = UNMAPPED

    outcome = of_run_report(RunReport(request=request, dry_run=True, steps=steps), title="Preview")

    assert outcome.headline() == "Preview: 1 entry to create, 2 entries cannot be published."
    assert outcome.reasons == (Reason(UNMAPPED, 2, FixPlace.DATA_MAPPING),)


def test_an_import_counts_records_and_its_skipped_ones_warn_with_their_reason() -> None:
    report = ImportReport(steps={"vendors": StepReport("vendors", created=2, unchanged=1, skipped=["no name"]),
                                 "projects": StepReport("projects", updated=1)})

    outcome = of_import(report)

    assert outcome.headline() == "Import applied: 2 records created, 1 record updated, 1 record unchanged, " \
        "1 record skipped."
    assert (outcome.tone, outcome.reasons) == (Tone.WARNING, (Reason("no name", 1),))


def test_a_sync_of_a_list_that_could_not_run_is_skipped_with_what_to_do() -> None:
    reports = [SyncReport(Entity.COMPANY, fetched=3, added=3),
               SyncReport(Entity.COST_CODE, note="no mapped project yet: map projects first")]

    outcome = of_sync(reports, title="Sync")

    assert outcome.headline() == "Sync: 3 records created, 1 list not synced."
    assert outcome.tone is Tone.WARNING
    assert outcome.reasons == (Reason("Cost codes: no mapped project yet: map projects first", 1),)


def test_an_upload_is_green_when_imported_and_red_with_grouped_reasons_when_refused() -> None:
    assert of_upload(ImportResult(imported=1, kind="time log")).headline() == "CSV file: 1 time log imported."
    refused = of_refused_upload(CsvImportError([RowError(2, ("unknown job site 'X'",)),
                                                RowError(3, ("unknown job site 'X'", "no date"))]))

    assert refused.headline() == "CSV file, nothing was imported: 2 rows failed."
    assert (refused.tone, refused.reasons) == (Tone.ERROR, (Reason("unknown job site 'X'", 2), Reason("no date", 1)))


def test_a_move_is_green_when_it_went_and_red_with_why_when_refused() -> None:
    moved = of_move("1001 Riverside", "Publish", queued=True)
    refused = of_move("1001 Riverside", "Publish", refused="Not queued.")

    assert (moved.tone, moved.headline()) == (
        Tone.SUCCESS, "1001 Riverside to Publish: 1 card moved. Its week is queued for Procore.")
    assert of_move("1001 Riverside", "In review").headline() == "1001 Riverside to In review: 1 card moved."
    assert (refused.tone, refused.headline(), refused.reasons) == (
        Tone.ERROR, "1001 Riverside to Publish: 1 card not moved.", (Reason("Not queued.", 1),))
