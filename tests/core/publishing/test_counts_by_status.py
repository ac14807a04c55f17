from __future__ import annotations

from datetime import date

import pandas as pd

from core.models.publishing import PublishStatus
from core.publishing.dashboard import counts_by_status

MON, TUE = date(2026, 11, 16), date(2026, 11, 17)


def _long(*rows: tuple[int, date, str, int]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["job_site_id", "work_date", "status", "n"], dtype=object)


def test_each_cell_counts_its_statuses_and_rows_naming_the_same_cell_and_status_add_up() -> None:
    counts = counts_by_status(_long(
        (7, TUE, "published", 2), (3, TUE, "to_do", 1), (7, MON, "failed", 1), (7, TUE, "published", 3),
        (7, TUE, "to_do", 1), (3, MON, "non_publishable", 4),
    ))

    assert counts[["job_site_id", "work_date"]].to_numpy().tolist() == [[3, MON], [3, TUE], [7, MON], [7, TUE]]
    seven_tuesday = counts.iloc[3]
    assert (seven_tuesday["published"], seven_tuesday["to_do"], seven_tuesday["failed"]) == (5, 1, 0)
    assert counts["total"].tolist() == [4, 1, 1, 6]
    assert counts["summary_status"].tolist()[1:3] == [PublishStatus.TO_DO, PublishStatus.FAILED]


def test_a_cell_whose_only_status_is_unknown_is_kept_with_nothing_counted() -> None:
    counts = counts_by_status(_long((5, MON, "archived", 2), (5, TUE, "to_do", 1)))

    assert counts["total"].tolist() == [0, 1]
    assert pd.isna(counts["summary_status"].iloc[0])


def test_no_rows_make_no_cells_with_every_column() -> None:
    counts = counts_by_status(_long())

    assert counts.empty
    assert [*counts.columns[:2], *counts.columns[-2:]] == ["job_site_id", "work_date", "total", "summary_status"]
