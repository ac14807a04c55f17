"""A run's one-line summary keeps Procore capitalised inside the sentence."""

from __future__ import annotations

from collections import Counter
from datetime import date

from core.models.publishing import PublishModule
from core.publishing import PublishRequest, RunReport
from core.publishing.plan import Operation

DAY = date(2026, 11, 16)


def _report(**counts: int) -> RunReport:
    request = PublishRequest(module=PublishModule.MANPOWER, start=DAY, end=DAY)
    counted = Counter({Operation(name): count for name, count in counts.items()})
    return RunReport(request=request, dry_run=False, outcomes=counted)


def test_a_skip_says_changed_in_procore_with_a_capital() -> None:
    assert _report(create=2, skip=1).summary() == "2 created, 1 skipped (changed in Procore)"


def test_a_record_found_in_procore_keeps_the_capital_too() -> None:
    assert _report(adopt=1).summary() == "1 found already in Procore"
