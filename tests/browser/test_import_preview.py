"""The import preview in the browser: Procore renamed an employee and moved a project's time zone; the admin
previews, sees both (and what the time zone would move), and applies without the change that moves published
work (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from core.bootstrap import open_database
from core.config import Settings
from core.demo.generator import DemoSize, generate
from core.models.publishing import PublishModule
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.conftest import DEMO_END
from tests.core.publishing.engine_world import Linked
from tests.core.sync.import_world import FAR_EAST, employee_of, rename_and_move, site_of
from tests.dashboard_world import linked_app_world
from tests.databases import TestDatabases


@pytest.fixture(scope="module")
def changed_in_procore(
    tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases,
) -> Iterator[tuple[RunningApp, Linked, Engine]]:
    """The demo time clock linked two-way (Timecard), site 1001 published, then changed in Procore; served."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("import_preview")
    with databases.database(data_dir / "app.sqlite3") as url:
        settings = Settings(data_dir=data_dir, database_url=url, demo_data=False)
        engine = open_database(settings)
        generate(engine, DemoSize(end_date=DEMO_END))
        linked = rename_and_move(linked_app_world(settings, engine, frozenset({PublishModule.TIMECARD})))
        with serve_app(data_dir, url) as running:
            yield running, linked, engine
        engine.dispose()


def test_preview_then_apply_without_moving_published_work(
    page: Page, changed_in_procore: tuple[RunningApp, Linked, Engine],
) -> None:
    app, linked, _engine = changed_in_procore
    zone, employee = site_of(linked).time_zone, employee_of(linked)
    page.goto(f"{app.url}/procore_setup")
    expect(page.get_by_role("heading", name="5. Import from Procore")).to_be_visible(timeout=60_000)
    wait_idle(page)

    page.get_by_role("button", name="Preview import").click()

    expect(page.get_by_text("What the import would change")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"first_name: {employee.first_name} → Anabel")).to_be_visible()
    expect(page.get_by_text(f"time_zone: {zone} → {FAR_EAST}")).to_be_visible()
    expect(page.get_by_text("published entries become Updated (republish them afterwards)")).to_be_visible()
    assert site_of(linked).time_zone == zone  # a preview changes nothing

    page.get_by_role("button", name="Apply without the changes that move published work").click()

    expect(page.get_by_text("Import applied: ")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"time_zone stays {zone} (moves published work)")).to_be_visible()
    assert site_of(linked).time_zone == zone
    assert employee_of(linked).first_name == "Anabel"
