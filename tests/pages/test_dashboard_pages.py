"""The Manpower, Timecard and Production quantity dashboards, each page run by AppTest on the linked demo world.

Calendar clicks are seeded through session state (stack notes §4): the
calendar's key holds the value the component would send.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core import access
from core.config import Settings, get_settings
from core.dashboards.calendar import Span, event_id
from core.db import session_scope
from core.models import Company
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import STATUS_STYLES, status_counts
from core.timeclock.csv_reading import counted
from core.ui.dashboard import calendar_key
from core.ui.widgets import LONG_TEXT, LONG_WIDTH, wrapped_row_height
from tests.conftest import stop_emulators_under
from tests.core.publishing.engine_world import WEEK_START, Linked, delete_source, lengthen_break
from tests.pages.conftest import ROOT
from tests.pages.workers import TestWorker

MANPOWER, TIMECARD, QUANTITY = PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY
PAGES = {MANPOWER: "pages/manpower.py", TIMECARD: "pages/timecards.py", QUANTITY: "pages/production_quantities.py"}
TITLES = {MANPOWER: "Manpower", TIMECARD: "Timecard", QUANTITY: "Production quantity"}
COLUMNS = {
    MANPOWER: ["Company", "Crew tag", "Total hours", "Manpower", "Average hours", "Status"],
    TIMECARD: ["Employee", "Pay class", "Cost code", "Pay ID", "Payroll item", "Duration (hours)", "Status"],
    QUANTITY: ["Cost code", "UM", "Units", "Status"],
}
SUNDAY = date(2026, 11, 22)  # the week shown runs Monday to Sunday
AUTH = {"client_id": "x", "client_secret": "y", "cookie_secret": "z" * 20,
        "redirect_uri": "http://localhost/oauth2callback", "server_metadata_url": "http://localhost/.well-known"}


@pytest.fixture
def linked(linked_app: Linked) -> Linked:
    """The demo world linked for the three dashboards (a copy of one linked once per run: see conftest.py)."""
    return linked_app


@pytest.fixture
def worker(linked: Linked) -> TestWorker:
    """A worker the page can see; the test drains the queue with it (in this process)."""
    found = TestWorker(get_settings())
    found.present()
    return found


def stop_emulator(settings: Settings) -> None:
    stop_emulators_under(Path(settings.data_dir))


def _key(module: PublishModule, name: str) -> str:
    return f"{module.value}_dash_{name}"


def _open(module: PublishModule, **state: Any) -> AppTest:
    """The module's page on the demo week, with `state` seeded (keys without the module prefix)."""
    at = AppTest.from_file(str(ROOT / PAGES[module]), default_timeout=60)
    at.session_state[_key(module, "day")] = WEEK_START
    for name, value in state.items():
        at.session_state[_key(module, name)] = value
    return at.run()


def _click_day(at: AppTest, module: PublishModule, site_id: int, day: date = WEEK_START, *,
               details: bool = False) -> AppTest:
    """What the calendar sends when a person clicks the job-site day's event."""
    at.session_state[calendar_key(module, Span.WEEK, WEEK_START)] = {
        "callback": "eventClick", "eventClick": {"event": {"id": event_id(site_id, day), "title": "…"}},
    }
    at.session_state[_key(module, "details")] = details
    return at.run()


def _calendar(at: AppTest) -> dict[str, Any]:
    (element,) = [e for e in at.main if type(e).__name__ == "UnknownElement" and hasattr(e.proto, "json_args")
                  and "events" in e.proto.json_args]
    return json.loads(element.proto.json_args)  # type: ignore[no-any-return]


def _events(at: AppTest) -> dict[str, dict[str, Any]]:
    return {event["id"]: event for event in _calendar(at)["events"]}


def _buttons(at: AppTest) -> dict[str, Any]:
    return {button.label: button for button in at.button}


def _counts(linked: Linked, module: PublishModule, site_id: int, day: date = WEEK_START) -> dict[str, int]:
    with Session(linked.engine) as session:
        row = status_counts(session, module=module, start=day, end=day, job_site_ids=[site_id]).iloc[0]
    return {status.value: int(row[status.value]) for status in PublishStatus if row[status.value]}


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("module", list(PAGES))
def test_before_setup_is_finished_each_dashboard_says_where_to_finish_it(
    open_page: Callable[..., AppTest], module: PublishModule
) -> None:
    at = open_page(PAGES[module])

    _ok(at)
    assert at.title[0].value == TITLES[module]
    assert "Procore setup is not finished" in at.info[0].value
    assert "Fix on" not in str(at.main)


@pytest.mark.parametrize("app_modules", [frozenset({MANPOWER})], ids=["manpower"])
def test_a_module_not_enabled_on_setup_says_so(app_modules: frozenset[PublishModule], linked_app: Linked) -> None:
    at = _open(TIMECARD)

    _ok(at)
    assert "Timecard publishing is not enabled" in at.info[0].value


@pytest.mark.parametrize(
    ("module", "figure"),
    [(MANPOWER, " manpower · "), (TIMECARD, " timecards · "), (QUANTITY, "05-100 2 TON")],
    ids=["manpower", "timecard", "quantity"],
)
def test_the_week_shows_each_job_site_day_with_its_figures_and_its_status_colour(
    linked: Linked, module: PublishModule, figure: str
) -> None:
    at = _open(module)

    _ok(at)
    with Session(linked.engine) as session:
        counts = status_counts(session, module=module, start=WEEK_START, end=SUNDAY)
    events = _events(at)
    assert set(events) == {event_id(site, day) for site, day in zip(counts["job_site_id"], counts["work_date"],
                                                                    strict=True)}
    (site,) = linked.site_ids(["1001"])
    monday = events[event_id(site, WEEK_START)]
    assert monday["title"].startswith("1001 Riverside Medical Center\n")
    assert figure in monday["title"]
    summary = counts.set_index(["job_site_id", "work_date"]).loc[(site, WEEK_START), "summary_status"]
    assert monday["backgroundColor"] == STATUS_STYLES[PublishStatus(str(summary))].hex
    options = _calendar(at)["options"]
    assert options["initialView"] == "dayGridWeek"
    assert options["initialDate"] == "2026-11-16"
    job_sites = at.dataframe[0].value
    assert "1001 Riverside Medical Center" in list(job_sites["job_site"])


def test_a_day_mixing_statuses_shows_a_count_per_status(linked: Linked) -> None:
    (site,) = linked.site_ids(["1001"])

    at = _open(MANPOWER)

    counts = _counts(linked, MANPOWER, site)
    assert set(counts) == {"to_do", "non_publishable"}
    title = _events(at)[event_id(site, WEEK_START)]["title"]
    assert title.endswith(f"To do {counts['to_do']} · Non publishable {counts['non_publishable']}")


def test_the_status_filter_keeps_the_days_with_an_entry_in_that_status(linked: Linked) -> None:
    at = _open(MANPOWER, statuses=["non_publishable"])

    _ok(at)
    titles = [event["title"] for event in _events(at).values()]
    assert titles
    assert all("Non publishable" in title for title in titles)
    assert len(titles) < len(_events(_open(MANPOWER)))


def test_month_view_and_the_arrows_move_the_range(linked: Linked) -> None:
    month = _open(MANPOWER, span=Span.MONTH)
    _ok(month)
    assert _calendar(month)["options"]["initialView"] == "dayGridMonth"
    assert {event["start"][:7] for event in _events(month).values()} == {"2026-11"}
    assert len(_events(month)) > len(_events(_open(MANPOWER)))

    week = _open(MANPOWER)
    week.button(key=_key(MANPOWER, "next")).click().run()

    _ok(week)
    assert week.session_state[_key(MANPOWER, "day")] == date(2026, 11, 23)
    assert _events(week) == {}  # the demo time clock ends on Friday 20
    assert week.query_params["date"] == "2026-11-23"


def test_a_link_with_a_date_opens_that_week(linked: Linked) -> None:
    at = AppTest.from_file(str(ROOT / PAGES[MANPOWER]), default_timeout=60)
    at.query_params["date"] = "2026-11-18"
    at.run()

    _ok(at)
    assert _calendar(at)["options"]["initialDate"] == "2026-11-18"
    assert _events(at)


def test_an_edit_shows_on_the_very_next_rerun(linked: Linked) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _open(MANPOWER)
    before = _events(at)[event_id(site, WEEK_START)]["title"]
    lengthen_break(linked, linked.entries(MANPOWER, job_site_id=site, work_date=WEEK_START)[0], minutes=60)

    at.run()

    _ok(at)
    after = _events(at)[event_id(site, WEEK_START)]["title"]
    assert after != before
    assert after.split("\n")[1].split(" · ")[1] != before.split("\n")[1].split(" · ")[1]  # the hours changed


def test_selecting_job_sites_narrows_the_calendar_to_them(linked: Linked) -> None:
    at = _open(MANPOWER)
    first = int(at.dataframe[0].value["job_site_id"].iloc[0])

    at.session_state[_key(MANPOWER, "sites")] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    _ok(at)
    assert {event["extendedProps"]["job_site_id"] for event in _events(at).values()} == {first}
    assert any(m.value.startswith("**Total hours per day · ") for m in at.markdown)  # one job site: its chart


def test_clicking_a_day_opens_it_with_its_statuses_the_actions_they_allow_and_a_chart(linked: Linked) -> None:
    (site,) = linked.site_ids(["1001"])

    at = _click_day(_open(MANPOWER), MANPOWER, site)

    _ok(at)
    assert at.subheader[0].value == "1001 Riverside Medical Center · Mon 16 Nov 2026"
    counts = _counts(linked, MANPOWER, site)
    badges = [m.value for m in at.markdown]
    assert f":blue-badge[To do {counts['to_do']}]" in badges
    assert f":red-badge[Non publishable {counts['non_publishable']}]" in badges
    buttons = _buttons(at)
    assert {"Publish day", "Force publish day"} <= set(buttons)
    assert "Republish day" not in buttons
    assert any(m.value == "**Total hours per day · 1001 Riverside Medical Center**" for m in at.markdown)
    assert at.get("vega_lite_chart")


@pytest.mark.parametrize("module", list(PAGES))
def test_details_list_the_modules_columns_with_a_csv_download(linked: Linked, module: PublishModule) -> None:
    (site,) = linked.site_ids(["1002"])

    at = _click_day(_open(module), module, site, details=True)

    _ok(at)
    details = at.dataframe[1]
    labels = {name: config.get("label") for name, config in json.loads(details.proto.columns).items()}
    shown = [labels[name] for name in details.value.columns if labels.get(name)]
    assert shown[: len(COLUMNS[module])] == COLUMNS[module]
    assert len(details.value) == sum(_counts(linked, module, site).values())
    downloads = [d.proto.label for d in at.get("download_button")]
    assert f"Download {module.value}-{site}-2026-11-16 CSV" in downloads
    assert f"Download {module.value}-calendar CSV" in downloads


def test_errors_name_the_missing_mapping_and_link_to_where_it_is_fixed(linked: Linked) -> None:
    (site,) = linked.site_ids(["1001"])

    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)

    _ok(at)
    errors = next(e for e in at.expander if e.label.startswith("Errors:"))
    assert errors.label == "Errors: 1 crew cannot be published"
    reasons = [m.value for m in errors.markdown]
    assert any("Evergreen Drywall is not linked to a Procore vendor" in reason for reason in reasons)
    # Regression test for #22: the details' Reasons column cut its reasons
    details = at.dataframe[1]
    longest = max(len(text) for text in details.value["reasons"])
    assert longest > LONG_TEXT
    assert json.loads(details.proto.columns)["reasons"]["width"] == LONG_WIDTH
    assert details.proto.row_height == wrapped_row_height(longest)
    # run on its own the page has no navigation: the link names the page instead
    assert any("Fix on Procore setup" in caption.value for caption in errors.caption)


def test_errors_link_to_the_fixing_page_in_the_app(linked: Linked) -> None:
    (site,) = linked.site_ids(["1001"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PAGES[MANPOWER])
    at.session_state[_key(MANPOWER, "day")] = WEEK_START

    _click_day(at, MANPOWER, site, details=True)

    _ok(at)
    links = [(link.proto.label, link.proto.page) for link in at.get("page_link")]
    assert ("Fix on Procore setup", "procore_setup") in links


def test_preview_shows_what_publish_would_create_and_sends_nothing(linked: Linked) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)
    to_do = _counts(linked, MANPOWER, site)["to_do"]

    at.button(key=_key(MANPOWER, "preview")).click().run()

    _ok(at)
    assert f"Preview of Publish (nothing was sent): {counted(to_do, 'entry')} to create." in \
        [s.value for s in at.success]
    assert f"Created in Procore ({to_do})" in [tab.label for tab in at.tabs]
    table = next(frame for frame in at.dataframe if "field" in frame.value.columns)
    created = table.value
    assert set(created["field"]) == {"Date", "Vendor", "Workers", "Hours per worker", "Notes"}  # never API names
    with Session(linked.engine) as session:
        vendors = set(session.exec(select(Company.name)).all())
    assert set(created.loc[created["field"] == "Vendor", "after"]) <= vendors  # named, not Procore ids
    assert "entry_id" not in table.proto.column_order  # our ids stay in the CSV only
    assert _counts(linked, MANPOWER, site) == {"to_do": to_do}


def test_publish_queues_a_job_and_the_day_turns_published_once_a_worker_ran_it(
    linked: Linked, worker: TestWorker
) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)
    to_do = _counts(linked, MANPOWER, site)["to_do"]

    at.button(key=_key(MANPOWER, "details_publish")).click().run()

    _ok(at)
    assert any(i.value.startswith("Queued job #1: Publish.") for i in at.info)
    job = "**#1 Publish · Mon 16 Nov 2026 · 1002 Harbor Point Apartments**"
    assert f"{job} · queued · asked by admin@localhost" in [m.value for m in at.markdown]
    assert _counts(linked, MANPOWER, site) == {"to_do": to_do}  # nothing sent in the page's run

    worker.drain()
    at.run()

    _ok(at)
    assert f"#1 Publish · Mon 16 Nov 2026 · 1002 Harbor Point Apartments: {counted(to_do, 'entry')} created." in \
        [s.value for s in at.success]
    assert f":green-badge[Published {to_do}]" in [m.value for m in at.markdown]
    event = _events(at)[event_id(site, WEEK_START)]
    assert event["title"].endswith("\nPublished")
    assert event["backgroundColor"] == STATUS_STYLES[PublishStatus.PUBLISHED].hex
    assert _counts(linked, MANPOWER, site) == {"published": to_do}


def test_publishing_a_day_from_the_calendar_publishes_only_that_day(linked: Linked, worker: TestWorker) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site)

    at.button(key=f"{_key(MANPOWER, 'day_action')}_publish").click().run()
    worker.drain()

    _ok(at)
    assert set(_counts(linked, MANPOWER, site)) == {"published"}
    assert set(_counts(linked, MANPOWER, site, date(2026, 11, 17))) == {"to_do"}


def test_force_publish_asks_first_shows_what_it_overwrites_and_then_overwrites_it(
    linked: Linked, worker: TestWorker
) -> None:
    (site,) = linked.site_ids(["1002"])
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    entry = linked.entries(MANPOWER, job_site_id=site, work_date=WEEK_START)[0]
    linked.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="update",
                   fields={"num_workers": 99})
    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)

    at.button(key=_key(MANPOWER, "details_force")).click().run()

    _ok(at)
    assert any("overwrites Procore" in w.value for w in at.warning)
    assert any(s.value.startswith("Preview of Force publish (nothing was sent): ") for s in at.success)
    assert _opened_result_tab(at) == "Updated in Procore (1)"  # not the empty Created tab before it
    overwritten = next(f.value for f in at.dataframe if "in_procore_now" in f.value.columns)
    assert overwritten[["entry_id", "field", "in_procore_now"]].values.tolist() == [[entry.id, "Workers", "99"]]
    (log,) = [log for log in linked.remote("manpower", entry.procore_project_id) if log.id == entry.procore_id]
    assert log.num_workers == 99  # nothing sent yet

    at.button(key=_key(MANPOWER, "confirm_force_yes")).click().run()
    worker.drain()
    at.run()

    _ok(at)
    assert any(s.value.startswith("#1 Force publish · ") and ": 1 entry updated" in s.value for s in at.success)
    (log,) = [log for log in linked.remote("manpower", entry.procore_project_id) if log.id == entry.procore_id]
    assert log.num_workers == entry.values["manpower"]


def _opened_result_tab(at: AppTest) -> str:
    """The tab a preview's result opens on (its tab container's default)."""
    def blocks(node: Any) -> Iterator[Any]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from blocks(child)

    container = next(block for block in blocks(at.main) if getattr(block, "type", None) == "tab_container"
                     and any(tab.label.startswith("Changed in Procore") for tab in block.children.values()))
    return str(list(container.children.values())[container.proto.tab_container.default_tab_index].label)


def test_cancelling_force_publish_sends_nothing(linked: Linked) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)
    at.button(key=_key(MANPOWER, "details_force")).click().run()

    at.button(key=_key(MANPOWER, "confirm_force_no")).click().run()

    _ok(at)
    assert not any("overwrites Procore" in w.value for w in at.warning)
    assert set(_counts(linked, MANPOWER, site)) == {"to_do"}


def test_failed_and_deleted_entries_each_offer_republish(linked: Linked, worker: TestWorker) -> None:
    (site,) = linked.site_ids(["1002"])
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    changed, gone = linked.entries(MANPOWER, job_site_id=site, work_date=WEEK_START)[:2]
    linked.control("POST", "act", kind="manpower_log", id=changed.procore_id, action="delete")
    lengthen_break(linked, changed)
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    delete_source(linked, gone)
    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)
    assert {_counts(linked, MANPOWER, site)[s] for s in ("failed", "deleted")} == {1}

    _ok(at)
    assert "Republish day" in _buttons(at)
    rows = [m.value for m in at.markdown if m.value.startswith((":red-badge[Failed] **", ":gray-badge[Deleted] **"))]
    assert any("deleted in Procore" in row for row in rows)
    assert len(rows) == 2

    at.button(key=f"{_key(MANPOWER, 'republish')}_{gone.id}").click().run()
    worker.drain()
    at.run()

    _ok(at)
    assert any(s.value.endswith(" · 1 entry: 1 entry deleted.") and "Republish" in s.value for s in at.success)
    assert linked.entries(MANPOWER, id=gone.id) == []  # its Procore record deleted, the entry went with it
    assert _counts(linked, MANPOWER, site)["failed"] == 1  # the other one was not asked for


def _signed_in(app_db: Engine, monkeypatch: pytest.MonkeyPatch, role: str) -> AppTest:
    monkeypatch.setenv("AUTH", json.dumps(AUTH))
    email = f"{role.lower()}@example.com"
    with session_scope(app_db) as session:
        access.save_user(session, email=email, role_name=role, actor=access.local_admin(session))
    at = AppTest.from_file(str(ROOT / PAGES[MANPOWER]), default_timeout=60)
    at.user = {"is_logged_in": True, "email": email}
    at.session_state[_key(MANPOWER, "day")] = WEEK_START
    return at.run()


def test_a_viewer_sees_the_dashboard_read_only(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> None:
    (site,) = linked.site_ids(["1002"])

    at = _click_day(_signed_in(linked.engine, monkeypatch, "Viewer"), MANPOWER, site, details=True)

    _ok(at)
    assert _events(at)
    buttons = _buttons(at)
    for label in ("Publish day", "Force publish day", "Publish", "Force publish all"):
        assert buttons[label].disabled, label
    assert any(c.value.startswith("Read-only: Needs 'Publish to Procore'") for c in at.caption)
    at.button(key=_key(MANPOWER, "preview")).click().run()  # anyone may see what Publish would do
    _ok(at)
    assert any("nothing was sent" in alert.value for alert in [*at.success, *at.warning, *at.error])


def test_publishing_without_force_permission_cannot_force(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> None:
    (site,) = linked.site_ids(["1002"])

    at = _click_day(_signed_in(linked.engine, monkeypatch, "Payroll"), MANPOWER, site, details=True)

    _ok(at)
    buttons = _buttons(at)
    assert [buttons[label].disabled for label in ("Publish day", "Publish", "Force publish day", "Force publish all")] \
        == [False, False, True, True]
    assert buttons["Force publish all"].help == "Needs 'Publish to Procore' and 'Force publish'"
