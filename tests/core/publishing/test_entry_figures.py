"""The figures a calendar cell adds up are copied into each entry's columns with its values, by every writer.

The calendar sums these columns (`core.dashboards.queries.day_summary`); a column left behind by a write
of `values` would show a figure the time clock no longer has.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import PublishEntry, PublishModule, PublishStatus
from core.publishing import claim_entries, refresh
from core.publishing.status import PublishAction
from tests.core.publishing.conftest import MON
from tests.core.publishing.double_count_world import SITE, held
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, delete_source, lengthen_break
from tests.core.publishing.figures_check import disagreeing
from tests.dashboard_world import DASHBOARD_MODULES

M, S = PublishModule, PublishStatus
MODULES = [M.MANPOWER, M.TIMECARD, M.QUANTITY]


def _figures(entry: PublishEntry) -> tuple[object, ...]:
    return entry.figure_count, entry.figure_amount, entry.figure_unit


def test_new_entries_carry_the_figures_of_their_values(world) -> None:  # type: ignore[no-untyped-def]
    world.log("ann", hours=8, break_minutes=30)
    world.log("bob", hours=6, code="framing")
    world.quantity("2.5")
    world.quantity("1.25", day=MON + timedelta(days=1), unit="TON")

    for module in MODULES:
        world.refresh(module)

    assert [_figures(e) for e in world.entries(M.MANPOWER)] == [(2, 13.5, None)]
    assert sorted(_figures(e) for e in world.entries(M.TIMECARD)) == [(1, 6.0, None), (1, 7.5, None)]
    assert sorted(_figures(e) for e in world.entries(M.QUANTITY)) == [(1, 1.25, "TON"), (1, 2.5, "CY")]
    assert disagreeing(world.session.connection()) == []


def test_an_edit_rewrites_the_figures_with_the_values(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log("ann", hours=8)
    quantity = world.quantity("2.5")
    for module in MODULES:
        world.refresh(module)
    world.publish(world.entries(M.TIMECARD))

    world.edit(log, break_minutes=60)
    world.edit(quantity, units=quantity.units + 1, unit_of_measure="TON")
    for module in MODULES:
        world.refresh(module)

    [card] = world.entries(M.TIMECARD)
    assert (card.status, _figures(card)) == (S.UPDATED, (1, 7.0, None))
    assert [_figures(e) for e in world.entries(M.MANPOWER)] == [(1, 7.0, None)]
    assert [_figures(e) for e in world.entries(M.QUANTITY)] == [(1, 3.5, "TON")]
    assert disagreeing(world.session.connection()) == []


def test_an_entry_being_published_gets_the_figures_of_its_new_values(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log("ann", hours=8)
    world.refresh(M.TIMECARD)
    [card] = world.entries(M.TIMECARD)
    claim_entries(world.session, entry_ids=[card.id], token="publisher")
    world.session.commit()

    world.edit(log, clock_out=log.clock_out + timedelta(hours=2))
    world.refresh(M.TIMECARD)

    [card] = world.entries(M.TIMECARD)
    assert (card.status, card.values["hours"], _figures(card)) == (S.PUBLISHING, 10.0, (1, 10.0, None))
    assert disagreeing(world.session.connection()) == []


def test_a_deleted_source_keeps_the_entrys_figures_with_its_values(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log("ann", hours=8)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))

    world.delete(log)
    world.refresh(M.TIMECARD)

    [card] = world.entries(M.TIMECARD)
    assert (card.status, _figures(card)) == (S.DELETED, (1, 8.0, None))
    assert disagreeing(world.session.connection()) == []


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return DASHBOARD_MODULES


def _agree(linked: Linked) -> None:
    with linked.engine.connect() as connection:
        assert disagreeing(connection) == []


def test_figures_agree_with_values_through_publish_force_keep_and_republish(linked: Linked) -> None:
    for module in MODULES:
        linked.publish(module, sites=SITE)
    _agree(linked)
    manpower, card = held(linked, M.MANPOWER)[0], held(linked, M.TIMECARD)[0]
    linked.control("POST", "act", kind="manpower_log", id=manpower.procore_id, action="update",
                   fields={"num_workers": 99})
    linked.control("POST", "act", kind="timecard_entry", id=card.procore_id, action="update", fields={"hours": "9.5"})
    lengthen_break(linked, manpower)
    lengthen_break(linked, card)

    for module in (M.MANPOWER, M.TIMECARD):  # refused: changed in Procore since published
        linked.publish(module, sites=SITE)
    _agree(linked)
    assert {linked.entries(M.MANPOWER, id=manpower.id)[0].status,
            linked.entries(M.TIMECARD, id=card.id)[0].status} == {S.FAILED}
    linked.publish(M.MANPOWER, sites=SITE, action=PublishAction.FORCE_PUBLISH)
    linked.publish(M.TIMECARD, sites=SITE, action=PublishAction.KEEP_PROCORE)
    _agree(linked)
    lengthen_break(linked, card)
    linked.publish(M.TIMECARD, sites=SITE)
    linked.publish(M.TIMECARD, sites=SITE, action=PublishAction.REPUBLISH)
    _agree(linked)
    delete_source(linked, manpower)
    refresh(linked.engine, module=M.MANPOWER, start=WEEK_START, end=WEEK_END)
    _agree(linked)

    gone, kept = linked.entries(M.MANPOWER, id=manpower.id)[0], linked.entries(M.TIMECARD, id=card.id)[0]
    assert (gone.status, gone.figure_amount) == (S.DELETED, gone.values["total_hours"])
    assert (kept.status, kept.figure_amount) == (S.PUBLISHED, kept.values["hours"])
    assert kept.figure_amount == pytest.approx(card.values["hours"] - 1)  # two breaks of 30 minutes longer
    linked.publish(M.MANPOWER, sites=SITE)  # deletes the record in Procore and the entry
    _agree(linked)
