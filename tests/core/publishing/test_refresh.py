from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.models import PublishModule, PublishStatus
from core.publishing import PublishAction, entries_frame, refresh_entries, status_counts
from core.publishing.stored import stored_reasons, stored_states

M = PublishModule
S = PublishStatus
MON = date(2026, 11, 16)


def test_new_aggregates_become_to_do_entries_with_their_values(world) -> None:  # type: ignore[no-untyped-def]
    world.log("ann", hours=8, break_minutes=30)
    world.log("bob", hours=6)

    report = world.refresh(M.MANPOWER)

    [entry] = world.entries(M.MANPOWER)
    assert report.created == 1
    assert (entry.status, entry.reasons) == (S.TO_DO, [])
    assert entry.values == {"total_hours": 13.5, "manpower": 2, "average_hours": 6.75}
    assert (entry.job_site_id, entry.work_date, entry.company_id, entry.crew_id) == (
        world.ids["site"], MON, world.ids["company"], world.ids["crew"])
    assert entry.natural_key == f"{world.ids['site']}|2026-11-16|{world.ids['company']}|{world.ids['crew']}"


def test_refreshing_unchanged_data_touches_nothing(world) -> None:  # type: ignore[no-untyped-def]
    world.log()
    world.refresh(M.TIMECARD)
    [before] = world.entries(M.TIMECARD)
    version = before.version

    report = world.refresh(M.TIMECARD)

    [after] = world.entries(M.TIMECARD)
    assert (report.created, report.changed, report.unchanged) == (0, 0, 1)
    assert after.version == version


def test_editing_a_published_time_log_marks_the_entry_updated_and_editing_back_published(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log(hours=8)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))
    [entry] = world.entries(M.TIMECARD)
    assert entry.status == S.PUBLISHED

    world.edit(log, clock_out=log.clock_out.replace(hour=log.clock_out.hour + 1))
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.values["hours"], entry.published_values["hours"]) == (S.UPDATED, 9.0, 8.0)

    world.edit(log, clock_out=log.clock_out.replace(hour=log.clock_out.hour - 1))
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert entry.status == S.PUBLISHED


def test_an_entry_not_yet_published_takes_the_new_values_and_stays_to_do(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log(hours=8)
    world.refresh(M.TIMECARD)

    world.edit(log, break_minutes=30)
    report = world.refresh(M.TIMECARD)

    [entry] = world.entries(M.TIMECARD)
    assert (report.changed, entry.status, entry.values["hours"]) == (1, S.TO_DO, 7.5)


def test_deleting_the_time_logs_of_a_published_entry_marks_it_deleted(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log()
    world.refresh(M.MANPOWER)
    world.publish(world.entries(M.MANPOWER))

    world.delete(log)
    report = world.refresh(M.MANPOWER)

    [entry] = world.entries(M.MANPOWER)
    assert (entry.status, report.source_gone) == (S.DELETED, 1)
    assert entry.procore_id is not None
    assert entry.source_removed_at is not None


def test_an_entry_gone_from_its_source_keeps_when_that_was_first_seen(world, session) -> None:  # type: ignore[no-untyped-def]
    from core.publishing import claim_entries
    from core.publishing.claims import record_failed

    log = world.log()
    world.refresh(M.MANPOWER)
    world.publish(world.entries(M.MANPOWER))
    world.delete(log)
    world.refresh(M.MANPOWER)
    [entry] = world.entries(M.MANPOWER)
    first_seen = entry.source_removed_at
    assert claim_entries(session, entry_ids=[entry.id], token="t1") == [entry.id]
    record_failed(session, entry_id=entry.id, token="t1", message="Procore timed out")
    session.commit()
    assert world.entries(M.MANPOWER)[0].status == S.FAILED

    world.refresh(M.MANPOWER)  # the failure was about deleting a record whose source is still gone

    [entry] = world.entries(M.MANPOWER)
    assert (entry.status, entry.reasons, entry.source_removed_at) == (S.DELETED, [], first_seen)

def test_a_never_published_entry_vanishes_with_its_source(world) -> None:  # type: ignore[no-untyped-def]
    kept = world.log("ann")
    gone = world.log("bob", code="framing")
    world.refresh(M.TIMECARD)
    assert len(world.entries(M.TIMECARD)) == 2

    world.delete(gone)
    report = world.refresh(M.TIMECARD)

    assert report.removed == 1
    assert [e.employee_id for e in world.entries(M.TIMECARD)] == [kept.employee_id]


def test_a_deleted_entry_whose_source_comes_back_is_updated(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log(hours=8)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))
    world.delete(log)
    world.refresh(M.TIMECARD)

    world.log(hours=7)
    world.refresh(M.TIMECARD)

    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.source_removed_at) == (S.UPDATED, None)


def test_more_than_24_hours_on_one_timecard_is_not_publishable_until_fixed(world) -> None:  # type: ignore[no-untyped-def]
    world.log(start_hour=0, hours=12)
    late = world.log(start_hour=12.5, hours=13.5)  # same key: 25.5 hours on one day

    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.reasons) == (S.NON_PUBLISHABLE, ["more than 24 hours (25.5) on one day"])

    world.edit(late, clock_out=late.clock_in.replace(hour=late.clock_in.hour + 4))
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.reasons) == (S.TO_DO, [])


def test_a_refresh_reads_stored_reasons_as_their_text_and_parses_only_those_it_needs(world) -> None:  # type: ignore[no-untyped-def]
    world.log(start_hour=0, hours=12)
    world.log(start_hour=12.5, hours=13.5)
    world.refresh(M.TIMECARD)

    states = stored_states(world.session, M.TIMECARD, MON, MON + timedelta(days=6), None)

    # A week holds 100,000 entries: the driver parsing each one's JSON cost PostgreSQL a third of a recompute.
    [reasons] = states["reasons"].tolist()
    assert isinstance(reasons, str)
    assert stored_reasons(reasons) == ["more than 24 hours (25.5) on one day"]


def test_a_fractional_quantity_is_not_publishable(world) -> None:  # type: ignore[no-untyped-def]
    row = world.quantity("12.5")

    world.refresh(M.QUANTITY)
    [entry] = world.entries(M.QUANTITY)
    assert entry.reasons == ["Procore quantity logs take whole numbers; 12.5 CY is not one"]
    assert entry.status == S.NON_PUBLISHABLE

    world.quantity("0.5")  # 13 in all
    world.refresh(M.QUANTITY)
    [entry] = world.entries(M.QUANTITY)
    assert (entry.status, entry.values) == (S.TO_DO, {"unit_of_measure": "CY", "units": 13.0})
    assert row.units == 12.5


def test_mapping_problems_come_from_the_resolver_and_clear_when_mapped(world) -> None:  # type: ignore[no-untyped-def]
    world.log()
    world.mapping.projects.clear()

    world.refresh(M.MANPOWER)
    [entry] = world.entries(M.MANPOWER)
    assert (entry.status, entry.reasons) == (
        S.NON_PUBLISHABLE, ["Job site 1007 Bayfront Hotel is not mapped to a Procore project"])

    world.mapping.projects[world.ids["site"]] = 5001
    world.refresh(M.MANPOWER)
    [entry] = world.entries(M.MANPOWER)
    assert (entry.status, entry.reasons) == (S.TO_DO, [])


def test_a_mapping_change_gives_every_entry_it_blocks_its_new_state_and_keeps_their_values(world) -> None:  # type: ignore[no-untyped-def]
    for name, code in (("ann", "concrete"), ("bob", "concrete"), ("ann", "framing")):
        world.log(name, code=code)
    world.refresh(M.TIMECARD)
    before = {entry.id: (entry.version, entry.updated_at, entry.values) for entry in world.entries(M.TIMECARD)}
    world.mapping.projects.clear()

    report = world.refresh(M.TIMECARD)

    after = world.entries(M.TIMECARD)
    reason = "Job site 1007 Bayfront Hotel is not mapped to a Procore project"
    assert report.moves == {(S.TO_DO, S.NON_PUBLISHABLE): 3}
    assert {(entry.status, tuple(entry.reasons), entry.release_status, entry.source_removed_at) for entry in after} \
        == {(S.NON_PUBLISHABLE, (reason,), None, None)}
    assert [(entry.version, entry.values) for entry in after] == [
        (before[entry.id][0] + 1, before[entry.id][2]) for entry in after]
    assert all(entry.updated_at > before[entry.id][1] for entry in after)


def test_every_reason_is_listed_and_a_published_entry_returns_to_updated_when_fixed(world) -> None:  # type: ignore[no-untyped-def]
    log = world.log(start_hour=0, hours=10)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))
    world.mapping.projects.clear()
    world.edit(log, clock_out=log.clock_in.replace(day=log.clock_in.day + 1, hour=log.clock_in.hour + 2))  # 26 h

    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert entry.status == S.NON_PUBLISHABLE
    assert entry.reasons == ["Job site 1007 Bayfront Hotel is not mapped to a Procore project",
                             "more than 24 hours (26) on one day"]

    world.mapping.projects[world.ids["site"]] = 5001
    world.edit(log, clock_out=log.clock_in.replace(hour=log.clock_in.hour + 9))
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.reasons) == (S.UPDATED, [])


def test_a_refresh_leaves_publishing_entries_publishing_but_notes_their_new_values(world, session) -> None:  # type: ignore[no-untyped-def]
    from core.publishing import claim_entries, release_claim

    log = world.log(hours=8)
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert claim_entries(session, entry_ids=[entry.id], token="t1") == [entry.id]
    session.commit()

    world.edit(log, clock_out=log.clock_out.replace(hour=log.clock_out.hour + 1))
    world.refresh(M.TIMECARD)
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.values["hours"], entry.claim_token) == (S.PUBLISHING, 9.0, "t1")

    release_claim(session, token="t1")
    session.commit()
    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.claim_token, entry.release_status) == (S.TO_DO, None, None)


def test_a_published_entry_claimed_for_a_force_publish_stays_claimed_through_a_refresh(world, session) -> None:  # type: ignore[no-untyped-def]
    from core.publishing import PublishAction, claim_entries, release_claim

    world.log(hours=8)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))
    [entry] = world.entries(M.TIMECARD)
    assert claim_entries(session, entry_ids=[entry.id], token="t1", action=PublishAction.FORCE_PUBLISH) == [entry.id]
    session.commit()

    world.refresh(M.TIMECARD)  # nothing changed: the values still match what was published

    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.claim_token, entry.release_status) == (S.PUBLISHING, "t1", S.PUBLISHED)
    release_claim(session, token="t1")
    session.commit()
    assert world.entries(M.TIMECARD)[0].status == S.PUBLISHED


def test_refresh_only_touches_the_given_dates(world) -> None:  # type: ignore[no-untyped-def]
    world.log(day=MON)
    world.refresh(M.MANPOWER)
    [entry] = world.entries(M.MANPOWER)

    refresh_entries(world.session, module=M.MANPOWER, start=date(2026, 11, 17), end=date(2026, 11, 17))
    world.session.commit()

    assert [e.id for e in world.entries(M.MANPOWER)] == [entry.id]


def test_timesheets_carry_the_timecard_aggregates_as_entries_of_their_own(world) -> None:  # type: ignore[no-untyped-def]
    world.log("ann", hours=8)
    world.refresh(M.TIMECARD)
    world.refresh(M.TIMESHEET)

    [card] = world.entries(M.TIMECARD)
    [sheet] = world.entries(M.TIMESHEET)
    assert (sheet.natural_key, sheet.values) == (card.natural_key, card.values)
    assert sheet.id != card.id


def test_dashboard_frames_name_things_for_people(world) -> None:  # type: ignore[no-untyped-def]
    world.log("ann", hours=8)
    world.log("ann", hours=2, start_hour=15, pay="OT")
    world.log("bob", hours=6, code="framing")
    world.refresh(M.TIMECARD)
    world.mapping.projects.clear()
    world.log("bob", hours=30, start_hour=0, day=date(2026, 11, 17))
    world.refresh(M.TIMECARD)

    frame = entries_frame(world.session, module=M.TIMECARD, start=MON, end=date(2026, 11, 22))

    rows = frame[["work_date", "employee", "pay_class", "cost_code", "pay_id", "hours", "status_label"]]
    assert rows.values.tolist() == [
        [MON, "Ann Lee", "Foreman", "03-300", "OT", 2.0, "Non publishable"],  # by name, cost code, pay ID
        [MON, "Ann Lee", "Foreman", "03-300", "REG", 8.0, "Non publishable"],
        [MON, "Bob Ray", "Foreman", "06-100", "REG", 6.0, "Non publishable"],
        [date(2026, 11, 17), "Bob Ray", "Foreman", "03-300", "REG", 30.0, "Non publishable"],
    ]
    assert set(frame["job_site"]) == {"Bayfront Hotel"}
    only_mon = entries_frame(world.session, module=M.TIMECARD, start=MON, end=MON, statuses=[S.TO_DO])
    assert only_mon.empty

    counts = status_counts(world.session, module=M.TIMECARD, start=MON, end=date(2026, 11, 22))
    assert counts[["work_date", "non_publishable", "total", "summary_status"]].values.tolist() == [
        [MON, 3, 3, S.NON_PUBLISHABLE], [date(2026, 11, 17), 1, 1, S.NON_PUBLISHABLE],
    ]


def test_a_claim_landing_during_a_refresh_is_never_overwritten(world, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event
    from sqlmodel import Session

    from core.publishing import RefreshConflict, claim_entries

    log = world.log(hours=8)
    world.refresh(M.TIMECARD)
    world.publish(world.entries(M.TIMECARD))
    world.edit(log, clock_out=log.clock_out.replace(hour=log.clock_out.hour + 1))
    [entry] = world.entries(M.TIMECARD)

    claimed: list[bool] = []

    def claim_first(connection, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE publish_entry") and not claimed:
            claimed.append(True)
            with Session(engine) as publisher:
                assert claim_entries(publisher, entry_ids=[entry.id], token="fast",
                                     action=PublishAction.FORCE_PUBLISH) == [entry.id]
                publisher.commit()

    event.listen(engine, "before_cursor_execute", claim_first)
    with pytest.raises(RefreshConflict, match="1 publish entries changed during the refresh"):
        refresh_entries(world.session, module=M.TIMECARD, start=MON, end=MON)
    world.session.rollback()
    event.remove(engine, "before_cursor_execute", claim_first)

    [entry] = world.entries(M.TIMECARD)
    assert (entry.status, entry.claim_token) == (S.PUBLISHING, "fast")


def test_the_demo_world_refreshes_into_consistent_entries(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from core.aggregation import aggregate_manpower, load_time_logs

    start, end = date(2026, 11, 14), date(2026, 11, 20)
    with Session(demo_engine) as session:
        reports = {
            module: refresh_entries(session, module=module, start=start, end=end)
            for module in (M.MANPOWER, M.TIMECARD, M.QUANTITY)
        }
        session.commit()
        manpower = aggregate_manpower(load_time_logs(session, start=start, end=end))
        quantities = entries_frame(session, module=M.QUANTITY, start=start, end=end)
        counts = status_counts(session, module=M.MANPOWER, start=start, end=end)

    assert reports[M.MANPOWER].created == len(manpower) == counts["total"].sum()
    fractional = quantities[quantities["units"] % 1 != 0]
    assert not fractional.empty  # the demo world has some on purpose
    assert set(fractional["status"]) == {S.NON_PUBLISHABLE}
    assert all("take whole numbers" in reasons[0] for reasons in fractional["reasons"])
