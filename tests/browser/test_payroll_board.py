"""The payroll board in the browser: move a job site's week to Publish, by its control or by dragging it, and
see it published."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect
from sqlalchemy.engine import Engine

from core.bootstrap import open_database
from core.config import Settings
from core.db import session_scope
from core.jobs import jobs
from core.models import JobSite
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import entries_frame
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.browser.test_first_run import _foreign_requests
from tests.dashboard_world import linked_app_world
from tests.databases import TestDatabases

WEEK = "2026-11-16"


def _timesheet_world(data_dir: Path, database_url: str) -> Engine:
    """The demo world in two-way mode with the Timesheet module, imported from the emulator."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    engine = open_database(settings)
    linked_app_world(settings, engine, frozenset({PublishModule.TIMESHEET}))
    return engine


def _rename_site(engine: Engine, site_id: int, name: str) -> str:
    with session_scope(engine) as session:
        site = session.get(JobSite, site_id)
        assert site is not None
        old, site.name = site.name, name
    return old


@pytest.fixture
def payroll_app(
    tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases
) -> Iterator[tuple[RunningApp, Engine]]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("payroll")
    with databases.database(data_dir / "app.sqlite3") as url:
        engine = _timesheet_world(data_dir, url)
        with serve_app(data_dir, url) as running:
            yield running, engine
        engine.dispose()


def _open_week(page: Page, app: RunningApp) -> None:
    """The Payroll page on WEEK, typed into the date field as a person would."""
    page.goto(f"{app.url}/payroll")
    expect(page.get_by_role("heading", name="Payroll", exact=True)).to_be_visible(timeout=60_000)
    wait_idle(page)
    for part, value in zip(("year", "month", "day"), WEEK.split("-"), strict=True):
        page.get_by_role("spinbutton", name=f"{part}, Pay week").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close the calendar the date field opened
    page.get_by_role("heading", name="Payroll", exact=True).click()  # the date field takes the date on blur
    # The run the date started has drawn the week (the caption comes before the board) and replaced every
    # element of the run before: on a loaded machine that run can start after `wait_idle` has looked, and
    # the old board stays on the page, marked stale, until the new one replaces it.
    expect(page.get_by_text("Week of Monday 16 November 2026")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Publish (0)")).to_be_visible()
    # The drag board is drawn in a frame that takes its height once loaded, moving the cards below it:
    # wait for its cards before clicking anything under it.
    expect(_drag_board(page).locator(".sortable-item")).to_have_count(8)
    page.wait_for_timeout(500)


def _drag_board(page: Page) -> FrameLocator:
    """The drawn drag board: while a rerun replaces it, the old strip can linger for a moment with no height."""
    return page.frame_locator('iframe[title="streamlit_sortables.sortable_items"]:not([height="0"])')


def _drag_card(page: Page, title: str, source: Locator, target: Locator) -> None:
    """Drag a card from its column to another as a hand would, and let go once it shows there.

    A hand settles over the column before letting go: the component moves the card into the column hovered
    over, and a drop counts only once the card is in the column under the pointer. On a busy machine the frame
    takes a while to follow the pointer, so the pointer moves a little until the card shows there. A drag
    the frame missed altogether (it was still laying out its columns) is let go over the card's own column,
    which moves nothing, and made again.
    """
    item, landed = (column.locator(".sortable-item", has_text=title) for column in (source, target))
    for _attempt in range(3):
        start, end = item.bounding_box(), target.bounding_box()
        assert start is not None
        assert end is not None
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        page.mouse.move(start["x"] + start["width"] / 2 + 15, start["y"] + start["height"] / 2, steps=5)
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=25)
        for nudge in range(1, 9):
            if landed.count():
                page.wait_for_timeout(200)
                page.mouse.up()
                return
            page.mouse.move(end["x"] + end["width"] / 2 + nudge % 2 * 8, end["y"] + end["height"] / 2 + nudge,
                            steps=3)
            page.wait_for_timeout(250)
        back = source.bounding_box()
        assert back is not None
        page.mouse.move(back["x"] + back["width"] / 2, back["y"] + 10, steps=10)
        page.mouse.up()
        wait_idle(page)
        expect(item).to_have_count(1)
        page.wait_for_timeout(500)
    expect(landed).to_have_count(1)  # three drags missed: say where the card is instead


def _answer_move(page: Page, question: str) -> None:
    """The board asks before a move that skips columns: the question, then Move."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(question)
    dialog.get_by_role("button", name="Move", exact=True).click()


def _badge(card: Locator, status: str) -> Locator:
    """The card's count badge for one status ("Published 17"), not a sentence in its details that names it."""
    return card.get_by_text(re.compile(rf"^{re.escape(status)} \d+$"))


def _published(engine: Engine, site_id: int) -> None:
    """The worker sent the site's week to Procore: every entry Published but the Non publishable ones."""
    with session_scope(engine) as session:
        frame = entries_frame(session, module=PublishModule.TIMESHEET, start=date(2026, 11, 16),
                              end=date(2026, 11, 22), job_site_ids=[site_id])
    assert set(frame["status"]) <= {PublishStatus.PUBLISHED.value, PublishStatus.NON_PUBLISHABLE.value}
    assert (frame["status"] == PublishStatus.PUBLISHED.value).any()


def test_moving_a_card_to_publish_publishes_the_week(payroll_app: tuple[RunningApp, Engine], page: Page) -> None:
    app, engine = payroll_app
    _open_week(page, app)

    card, other = page.locator(".st-key-payroll_card_1"), page.locator(".st-key-payroll_card_2")
    # The chosen week's cards are drawn: the date's rerun is over, so none still on its way can read the
    # renamed site below.
    expect(other).to_contain_text("h · ")
    wait_idle(page)
    old_name = _rename_site(engine, 2, "Renamed while the board was open")
    card.scroll_into_view_if_needed()  # below the drag board; clicked while being scrolled to, it did not open
    page.wait_for_timeout(300)
    card.get_by_role("combobox").click()
    page.get_by_role("option", name="Publish").click()
    expect(card.get_by_role("button", name="Move to Publish")).to_be_visible()
    page.wait_for_timeout(1_500)  # time for a whole-board rerun to have redrawn the next card, were there one
    wait_idle(page)
    # a card's widgets rerun only that card: the board is not read (nor its week refreshed) again
    expect(other).to_contain_text(old_name)
    card.get_by_role("button", name="Move to Publish").click()
    _answer_move(page, "from To do to Publish, skipping In review and Approved?")

    expect(page.get_by_text("to Publish: 1 card moved.")).to_be_visible(timeout=60_000)
    expect(other).to_contain_text("Renamed while the board was open")  # a move redraws the whole board
    expect(page.get_by_role("heading", name="Publish (1)")).to_be_visible()
    # the week is queued as a job: the app's own worker publishes it, and the board reruns when it ends
    expect(_badge(page.locator(".st-key-payroll_card_1"), "Published")).to_be_visible(timeout=60_000)
    _published(engine, 1)


def test_a_card_dragged_to_publish_lands_there_and_its_week_is_queued(
    payroll_app: tuple[RunningApp, Engine], page: Page
) -> None:
    app, engine = payroll_app
    foreign = _foreign_requests(app, page)
    _open_week(page, app)
    drag = _drag_board(page)
    headers, bodies = drag.locator(".sortable-container-header"), drag.locator(".sortable-container-body")
    expect(headers).to_have_text(["To do", "In review", "Approved", "Publish"])
    item = bodies.nth(0).locator(".sortable-item", has_text="1001 Riverside Medical Center")
    expect(item).to_contain_text(" h · To do ")

    _drag_card(page, "1001 Riverside Medical Center", bodies.nth(0), bodies.nth(3))
    _answer_move(page, "Move 1001 Riverside Medical Center from To do to Publish, skipping In review and Approved?")

    expect(page.get_by_text("1001 Riverside Medical Center to Publish: 1 card moved. Its week is queued for Procore.")
           ).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Publish (1)")).to_be_visible()
    queued = jobs(engine)
    assert [(job.action, job.job_site_ids, job.start_date) for job in queued] == [("publish", [1], date(2026, 11, 16))]
    expect(_badge(page.locator(".st-key-payroll_card_1"), "Published")).to_be_visible(timeout=60_000)
    _published(engine, 1)
    # Once the job's end has redrawn the board (its titles count entries per status), the drag board shows
    # the card in Publish.
    wait_idle(page)
    expect(bodies.nth(3)).to_contain_text("1001 Riverside Medical Center · ")
    expect(bodies.nth(3)).to_contain_text(" · Published ")
    expect(bodies.nth(0)).not_to_contain_text("1001 Riverside Medical Center")
    assert foreign == []  # the drag board's front end ships in its wheel: nothing is fetched from elsewhere
