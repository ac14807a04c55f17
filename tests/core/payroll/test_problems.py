"""A card's errors: each reason once with how many entries it stops, and where it is fixed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from core.dashboards.fixes import FixPlace
from core.models.payroll import BoardColumn
from core.models.publishing import PublishModule, PublishStatus
from core.payroll.board import board, move_card
from core.payroll.problems import card_problems
from tests.core.publishing.engine_world import Linked

WEEK = date(2026, 11, 16)


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({PublishModule.TIMESHEET})


def test_a_cards_errors_are_grouped_by_reason_with_where_to_fix_them(linked: Linked) -> None:
    site = linked.site_ids(["1001"])[0]
    linked.control("PUT", "config", faults={"503": 1.0}, retry_after=0)
    move_card(linked.settings, linked.engine, job_site_id=site, week_start=WEEK, to=BoardColumn.PUBLISH,
              actor=linked.admin)
    linked.control("PUT", "config", faults={"503": 0})
    statuses = next(card for card in board(linked.engine, week_start=WEEK) if card.job_site_id == site).statuses

    with Session(linked.engine) as session:
        stuck, reasons = card_problems(session, job_site_id=site, week_start=WEEK)

    assert stuck == statuses[PublishStatus.FAILED] + statuses[PublishStatus.NON_PUBLISHABLE]
    assert reasons["reason"].is_unique
    assert len(reasons) < stuck  # one line per reason, not per entry
    assert list(reasons["entries"]) == sorted(reasons["entries"], reverse=True)
    failed = reasons[reasons["place"].isna()]
    assert len(failed) == 1
    assert "Service Unavailable" in failed["reason"].iloc[0]
    assert failed["entries"].iloc[0] == statuses[PublishStatus.FAILED]  # Republish on the card retries them
    blocked = reasons[reasons["place"].notna()]
    assert set(blocked["place"]) == {FixPlace.PROCORE_SETUP}  # two-way: created in Procore, then imported
    assert blocked["entries"].sum() >= statuses[PublishStatus.NON_PUBLISHABLE]
