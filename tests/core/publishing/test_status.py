from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import pytest

from core.models.publishing import PublishStatus
from core.publishing.status import (
    ALLOWED,
    MENU_ACTIONS,
    STATUS_STYLES,
    Draft,
    Facts,
    InvalidTransition,
    PublishAction,
    actions_for,
    claimable,
    refreshed_status,
    summary_status,
    transition,
)

S = PublishStatus
# Rows: from; columns: to. Y = allowed. Written out by hand: the machine must match this page, not itself.
MOVES = """
                 to_do publishing published updated failed deleted non_publishable
to_do              .       Y         .        .       .      .        Y
publishing         Y       .         Y        Y       Y      Y        Y
published          .       Y         .        Y       .      Y        Y
updated            .       Y         Y        .       .      Y        Y
failed             Y       Y         Y        Y       .      Y        Y
deleted            .       Y         Y        Y       .      .        Y
non_publishable    Y       Y         Y        Y       .      Y        Y
"""


def _moves() -> list[tuple[S, S, bool]]:
    header, *rows = [line.split() for line in MOVES.strip().splitlines()]
    return [(S(row[0]), S(target), mark == "Y") for row in rows for target, mark in zip(header, row[1:], strict=True)]


def _id(case: tuple[S, S, bool]) -> str:
    source, target, allowed = case
    return f"{source.value} -> {target.value}: {'allowed' if allowed else 'refused'}"


@pytest.mark.parametrize("case", _moves(), ids=_id)
def test_every_move_of_the_machine(case: tuple[S, S, bool]) -> None:
    source, target, allowed = case
    entry = Draft(source, ["earlier problem"] if source in (S.FAILED, S.NON_PUBLISHABLE) else [])
    expectation: AbstractContextManager[object] = (
        nullcontext() if allowed else pytest.raises(InvalidTransition, match="cannot move from")
    )
    with expectation:
        transition(entry, target, reasons=["a reason"])
    assert entry.status == (target if allowed else source)


def test_the_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(PublishStatus) == set(STATUS_STYLES)
    assert len(_moves()) == len(PublishStatus) ** 2


def test_refused_move_names_both_statuses_for_people() -> None:
    with pytest.raises(InvalidTransition, match="from To do to Published"):
        transition(Draft(S.TO_DO), S.PUBLISHED)


@pytest.mark.parametrize(
    ("source", "target", "reasons", "expected"),
    [
        pytest.param(S.TO_DO, S.NON_PUBLISHABLE, ["Cost code 03-300 is not mapped"], ["Cost code 03-300 is not mapped"],
                     id="non publishable records every reason"),
        pytest.param(S.PUBLISHING, S.FAILED, ["422: hours must be at most 24"], ["422: hours must be at most 24"],
                     id="failed records Procore's message"),
        pytest.param(S.FAILED, S.PUBLISHING, None, ["earlier problem"],
                     id="publishing keeps the failure until the outcome"),
        pytest.param(S.NON_PUBLISHABLE, S.TO_DO, None, [], id="fixed problems are cleared"),
        pytest.param(S.PUBLISHING, S.PUBLISHED, ["ignored"], [], id="published has no reasons"),
    ],
)
def test_reasons_are_recorded_kept_or_cleared(
    source: S, target: S, reasons: list[str] | None, expected: list[str]
) -> None:
    entry = Draft(source, ["earlier problem"])
    transition(entry, target, reasons=reasons)
    assert entry.reasons == expected


@pytest.mark.parametrize("target", [S.FAILED, S.NON_PUBLISHABLE], ids=str)
def test_failed_and_non_publishable_need_a_reason(target: S) -> None:
    with pytest.raises(InvalidTransition, match="needs at least one reason"):
        transition(Draft(S.PUBLISHING), target, reasons=[])


def _facts(**changes: object) -> Facts:
    base: dict[str, object] = {"in_source": True, "published": True, "matches_published": True}
    return Facts(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "facts", "expected"),
    [
        pytest.param(S.TO_DO, _facts(published=False, matches_published=False), S.TO_DO, id="new values stay to do"),
        pytest.param(S.TO_DO, _facts(published=False, reasons=("x",)), S.NON_PUBLISHABLE, id="to do with a problem"),
        pytest.param(S.TO_DO, _facts(published=False, in_source=False), None, id="never published and gone: removed"),
        pytest.param(S.PUBLISHED, _facts(), S.PUBLISHED, id="published unchanged"),
        pytest.param(S.PUBLISHED, _facts(reasons=("x",)), S.PUBLISHED, id="published ignores problems while unchanged"),
        pytest.param(S.PUBLISHED, _facts(matches_published=False, values_changed=True), S.UPDATED,
                     id="published changed"),
        pytest.param(S.PUBLISHED, _facts(matches_published=False, values_changed=True, reasons=("x",)),
                     S.NON_PUBLISHABLE, id="published changed into something unpublishable"),
        pytest.param(S.PUBLISHED, _facts(in_source=False), S.DELETED, id="published and gone"),
        pytest.param(S.UPDATED, _facts(values_changed=True), S.PUBLISHED, id="updated changed back"),
        pytest.param(S.FAILED, _facts(matches_published=False), S.FAILED,
                     id="failure stands while values are unchanged"),
        pytest.param(S.FAILED, _facts(matches_published=False, reasons=("x",)), S.NON_PUBLISHABLE,
                     id="failed then a problem appears"),
        pytest.param(S.FAILED, _facts(published=False, matches_published=False, values_changed=True), S.TO_DO,
                     id="failed create with new values"),
        pytest.param(S.FAILED, _facts(matches_published=False, values_changed=True), S.UPDATED,
                     id="failed update with new values"),
        pytest.param(S.FAILED, _facts(in_source=False), S.DELETED, id="failed after publish and gone"),
        pytest.param(S.FAILED, _facts(published=False, in_source=False), None, id="failed create and gone: removed"),
        pytest.param(S.DELETED, _facts(matches_published=False, values_changed=True), S.UPDATED,
                     id="deleted came back changed"),
        pytest.param(S.DELETED, _facts(), S.PUBLISHED, id="deleted came back as published"),
        pytest.param(S.NON_PUBLISHABLE, _facts(published=False, matches_published=False), S.TO_DO, id="problem fixed"),
        pytest.param(S.NON_PUBLISHABLE, _facts(matches_published=False), S.UPDATED, id="problem fixed after publish"),
        pytest.param(S.NON_PUBLISHABLE, _facts(published=False, in_source=False), None, id="unpublishable and gone"),
    ],
)
def test_where_a_refresh_moves_an_entry(current: S, facts: Facts, expected: S | None) -> None:
    assert refreshed_status(current, facts) == expected
    if expected is not None and expected != current:
        assert expected in ALLOWED[current]


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        pytest.param(S.TO_DO, ("publish", "force_publish"), id="to do"),
        pytest.param(S.PUBLISHING, (), id="publishing"),
        pytest.param(S.PUBLISHED, ("force_publish",), id="published"),
        pytest.param(S.UPDATED, ("publish", "force_publish"), id="updated"),
        pytest.param(S.FAILED, ("republish", "force_publish"), id="failed"),
        pytest.param(S.DELETED, ("publish", "republish", "force_publish"), id="deleted"),
        pytest.param(S.NON_PUBLISHABLE, (), id="non publishable"),
    ],
)
def test_actions_offered_per_status(status: S, actions: tuple[str, ...]) -> None:
    assert actions_for(status) == tuple(PublishAction(a) for a in actions)


def test_every_offered_action_can_claim_what_it_offers() -> None:
    for action in MENU_ACTIONS:
        assert claimable(action) == {s for s in PublishStatus if action in actions_for(s)}
    assert claimable(PublishAction.UNPUBLISH) == {PublishStatus.PUBLISHED, PublishStatus.UPDATED, PublishStatus.FAILED}


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param([S.PUBLISHED, S.PUBLISHED], S.PUBLISHED, id="all published"),
        pytest.param([S.PUBLISHED, S.TO_DO], S.TO_DO, id="something to do"),
        pytest.param([S.TO_DO, S.FAILED, S.NON_PUBLISHABLE], S.FAILED, id="failures first"),
        pytest.param(["updated", "deleted"], S.DELETED, id="plain strings from the database"),
        pytest.param([], None, id="empty cell"),
    ],
)
def test_a_calendar_cell_shows_the_status_needing_attention_first(statuses: list[S], expected: S | None) -> None:
    assert summary_status(statuses) == expected
