"""Which moves the board asks about first (a move that skips a column), and how it asks."""

from __future__ import annotations

import pytest

from core.models.payroll import BoardColumn
from core.payroll.board import Card, move_question, shown_in, skipped_columns

TO_DO, IN_REVIEW, APPROVED, PUBLISH = BoardColumn
ALL = tuple(BoardColumn)
WITHOUT_PUBLISH = (TO_DO, IN_REVIEW, APPROVED)


@pytest.mark.parametrize(("source", "target", "shown", "skipped"), [
    pytest.param(TO_DO, IN_REVIEW, ALL, (), id="to-do-to-the-next-column"),
    pytest.param(IN_REVIEW, APPROVED, ALL, (), id="in-review-to-the-next-column"),
    pytest.param(APPROVED, PUBLISH, ALL, (), id="approved-to-publish"),
    pytest.param(TO_DO, APPROVED, ALL, (IN_REVIEW,), id="to-do-to-approved-skips-review"),
    pytest.param(TO_DO, PUBLISH, ALL, (IN_REVIEW, APPROVED), id="to-do-to-publish-skips-two"),
    pytest.param(IN_REVIEW, PUBLISH, ALL, (APPROVED,), id="in-review-to-publish-skips-approved"),
    pytest.param(PUBLISH, TO_DO, ALL, (), id="back-from-publish-skips-nothing"),
    pytest.param(APPROVED, TO_DO, ALL, (), id="back-to-to-do-skips-nothing"),
    pytest.param(TO_DO, APPROVED, WITHOUT_PUBLISH, (IN_REVIEW,), id="without-publish-to-do-to-approved"),
    pytest.param(TO_DO, APPROVED, (TO_DO, APPROVED), (), id="a-column-not-shown-is-not-skipped"),
])
def test_a_move_forward_past_a_column_skips_it(
    source: BoardColumn, target: BoardColumn, shown: tuple[BoardColumn, ...], skipped: tuple[BoardColumn, ...]
) -> None:
    assert skipped_columns(source, target, shown) == skipped


def _card(column: BoardColumn = TO_DO) -> Card:
    return Card(job_site_id=1, number="1001", name="Main St", column=column, hours=40.0, employees=5)


@pytest.mark.parametrize(("target", "skipped", "question"), [
    (PUBLISH, (APPROVED,), "Move 1001 Main St from To do to Publish, skipping Approved?"),
    (PUBLISH, (IN_REVIEW, APPROVED), "Move 1001 Main St from To do to Publish, skipping In review and Approved?"),
    (IN_REVIEW, (), "Move 1001 Main St from To do to In review?"),
], ids=["one-skipped", "two-skipped", "none-skipped"])
def test_the_question_names_the_card_both_columns_and_what_it_skips(
    target: BoardColumn, skipped: tuple[BoardColumn, ...], question: str
) -> None:
    assert move_question(_card(), TO_DO, target, skipped) == question


def test_a_card_left_in_publish_without_timesheets_shows_and_moves_from_approved() -> None:
    card = _card(PUBLISH)
    assert shown_in(card, WITHOUT_PUBLISH) is APPROVED
    assert shown_in(card, ALL) is PUBLISH
    assert skipped_columns(shown_in(card, WITHOUT_PUBLISH), TO_DO, WITHOUT_PUBLISH) == ()
