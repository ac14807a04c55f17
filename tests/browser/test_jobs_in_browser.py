"""A publish started in the browser goes on after its tab is closed: the app's own worker runs it to its end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.engine import Engine

from core.bootstrap import open_database
from core.config import Settings
from core.db import session_scope
from core.demo.generator import DemoSize, generate
from core.jobs import jobs
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishModule, PublishStatus
from core.procore.endpoints import resolve_endpoints
from core.publishing import status_counts
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.conftest import DEMO_END
from tests.core.jobs.test_workers import wait_for
from tests.dashboard_world import linked_app_world
from tests.databases import TestDatabases

MONDAY, SUNDAY = date(2026, 11, 16), date(2026, 11, 22)
LATENCY_MS = 300  # per Procore request: the week takes some seconds to publish, time enough to close the tab


@pytest.fixture
def jobs_app(tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases) -> Iterator[tuple[RunningApp, Engine]]:
    """The linked demo world served by `streamlit run`, which starts its own worker, with a slow Procore."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("jobs")
    with databases.database(data_dir / "app.sqlite3") as url:
        settings = Settings(data_dir=data_dir, database_url=url, demo_data=False)
        engine = open_database(settings)
        generate(engine, DemoSize(end_date=DEMO_END))
        linked_app_world(settings, engine, frozenset({PublishModule.MANPOWER}))
        api = resolve_endpoints(settings).api_url  # the emulator's settings live in its state file, shared by all
        httpx.put(f"{api}/_emulator/config", json={"latency_ms": LATENCY_MS}, timeout=10).raise_for_status()
        with serve_app(data_dir, url) as running:
            yield running, engine
        engine.dispose()


def _to_do(engine: Engine) -> int:
    with session_scope(engine) as session:
        counts = status_counts(session, module=PublishModule.MANPOWER, start=MONDAY, end=SUNDAY)
    return int(counts[PublishStatus.TO_DO.value].sum())


def test_a_week_publish_goes_on_after_its_tab_is_closed(
    jobs_app: tuple[RunningApp, Engine], page: Page, browser: Browser
) -> None:
    app, engine = jobs_app
    page.goto(f"{app.url}/manpower?date={MONDAY}")
    expect(page.get_by_role("heading", name="Manpower")).to_be_visible(timeout=60_000)
    wait_idle(page)
    to_do = _to_do(engine)
    assert to_do > 0

    page.get_by_role("button", name="Publish week").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"{to_do} would be sent to Procore", exact=False)).to_be_visible(timeout=30_000)
    dialog.get_by_role("button", name="Queue the publish").click()
    expect(page.get_by_text("Queued job #1: Publish.", exact=False)).to_be_visible(timeout=30_000)
    (job,) = jobs(engine)
    assert job.trigger == JobTrigger.RANGE

    page.close()  # the tab goes while the job is queued or running
    assert jobs(engine)[0].state in (JobState.QUEUED, JobState.RUNNING)

    wait_for("the job to end", lambda: jobs(engine)[0].state not in (JobState.QUEUED, JobState.RUNNING))
    (job,) = jobs(engine)
    assert job.state == JobState.DONE, job.error
    assert _to_do(engine) == 0
    again = browser.new_page()
    again.goto(f"{app.url}/manpower?date={MONDAY}")
    done = re.compile(rf"^#1 Publish · 16 Nov – 22 Nov 2026 · all job sites · range: {to_do} entries created\b")
    expect(again.get_by_text(done)).to_be_visible(timeout=60_000)
    again.close()
