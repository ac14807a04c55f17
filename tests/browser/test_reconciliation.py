"""Reconciliation in the browser: a day edited in Procore is highlighted as drifting, and its details say why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from core.bootstrap import open_database
from core.config import Settings
from core.demo.generator import DemoSize, generate
from core.models.publishing import PublishModule, PublishStatus
from core.reconcile.compare import Finding
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.conftest import DEMO_END
from tests.core.publishing.engine_world import WEEK_START
from tests.dashboard_world import linked_app_world
from tests.databases import TestDatabases

MONDAY, TUESDAY = "2026-11-16", "2026-11-17"
HARBOR = "1002 Harbor Point Apartments"


@dataclass
class Drifted:
    app: RunningApp
    workers: int  # the edited log's workers before the edit in Procore
    day_workers: int  # Harbor Point's workers that Monday, in the time clock


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases) -> Iterator[Drifted]:
    """The demo week published to the emulator, then one of Harbor Point's Monday logs given 5 more workers there."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("reconciliation")
    with databases.database(data_dir / "app.sqlite3") as url:
        settings = Settings(data_dir=data_dir, database_url=url, demo_data=False)
        engine = open_database(settings)
        generate(engine, DemoSize(end_date=DEMO_END))
        linked = linked_app_world(settings, engine, frozenset({PublishModule.MANPOWER}))
        linked.publish(PublishModule.MANPOWER, sites=["1002"])
        monday = linked.entries(PublishModule.MANPOWER, job_site_id=linked.site_ids(["1002"])[0],
                                work_date=WEEK_START, status=PublishStatus.PUBLISHED)
        edited, workers = monday[0], int(monday[0].values["manpower"])
        linked.control("POST", "act", kind="manpower_log", id=edited.procore_id, action="update",
                       fields={"num_workers": workers + 5})
        with serve_app(data_dir, url) as running:
            yield Drifted(running, workers, sum(int(entry.values["manpower"]) for entry in monday))
        engine.dispose()


def _day(calendar: FrameLocator, day: str) -> Locator:
    return calendar.locator(f'td.fc-day[data-date="{day}"] .fc-event', has_text=HARBOR)


def test_a_day_edited_in_procore_is_highlighted_and_its_details_name_the_difference(
    drifted: Drifted, page: Page
) -> None:
    page.goto(f"{drifted.app.url}/reconciliation?date={MONDAY}")
    expect(page.get_by_role("heading", name="Reconciliation")).to_be_visible(timeout=60_000)
    calendar = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
    monday = _day(calendar, MONDAY)
    expect(monday).to_be_visible(timeout=90_000)
    wait_idle(page)

    monday = _day(calendar, MONDAY)
    expect(monday).to_contain_text("Drifts")
    expect(monday).to_contain_text(f"Time clock: workers {drifted.day_workers},")
    expect(monday).to_contain_text(f"Procore: workers {drifted.day_workers + 5},")
    assert monday.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(211, 47, 47)"
    tuesday = _day(calendar, TUESDAY)
    expect(tuesday).to_contain_text("Matches")
    assert tuesday.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(33, 195, 84)"

    monday.click()
    expect(page.get_by_role("heading", name=f"{HARBOR} · Mon 16 Nov 2026")).to_be_visible(timeout=30_000)
    details = page.get_by_test_id("stDataFrame").last
    expect(details).to_contain_text(f"Manpower log {Finding.CHANGED.value}")
    expect(details).to_contain_text(f"Workers: {drifted.workers} here, {drifted.workers + 5} in Procore")
