"""Data mapping in the browser: choose a Procore project in the grid's select column and save it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import setup
from core.access import local_admin
from core.bootstrap import open_database
from core.config import Settings
from core.db import session_scope
from core.models import JobSite
from core.models.mapping import Entity, LinkOrigin
from core.models.setup import SyncMode
from core.setup import Module
from core.sync.links import links_by_local
from core.sync.lists import records, sync_from_procore
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.conftest import connect_main_company
from tests.databases import TestDatabases


def _one_way_world(data_dir: Path, database_url: str) -> tuple[Settings, Engine, int]:
    """The demo world in one-way mode (manpower), connected to the emulator, with Procore's projects synced."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    engine = open_database(settings)
    company = connect_main_company(settings, engine)
    with session_scope(engine) as session:
        admin = local_admin(session)
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.ONE_WAY, actor=admin)
        setup.set_modules(session, modules=frozenset({Module.MANPOWER}), actor=admin)
    sync_from_procore(settings, engine, company_id=company, entities=[Entity.JOB_SITE], actor=admin)
    return settings, engine, company


@pytest.fixture
def mapping_app(
    tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases
) -> Iterator[tuple[RunningApp, Engine, int]]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("mapping")
    with databases.database(data_dir / "app.sqlite3") as url:
        _, engine, company = _one_way_world(data_dir, url)
        with serve_app(data_dir, url) as running:
            yield running, engine, company
        engine.dispose()


def _open_cell_editor(page: Page, grid: Locator, *, row: int, column: int) -> None:
    """Open a grid cell's editor: the grid is a canvas, so select the row's first cell and move with the keys.

    Rows are 35 px high under a 35 px header. The keys go to the grid only once it has the focus:
    sent to the tab list instead, the arrows would switch tabs.
    """
    grid.scroll_into_view_if_needed()  # the Suggestions panel above it can push it below the fold
    for _ in range(3):
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 30, box["y"] + 35 * (row + 1) + 17)
        if not grid.evaluate("el => el.contains(document.activeElement)"):
            page.wait_for_timeout(500)
            continue
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            expect(page.get_by_role("option").first).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            page.keyboard.press("Escape")
    raise AssertionError("the grid cell's editor did not open")


def test_choosing_a_procore_project_in_the_grid_and_saving_it(mapping_app: tuple[RunningApp, Engine, int],
                                                               page: Page) -> None:
    app, engine, company = mapping_app
    page.goto(f"{app.url}/data_mapping")
    expect(page.get_by_role("heading", name="Data mapping")).to_be_visible(timeout=60_000)
    wait_idle(page)  # a server's first visit by deep link reruns once (see core.ui.guard)
    projects = page.get_by_role("tab", name="Projects (8 unmapped)")
    projects.click()
    expect(projects).to_have_attribute("aria-selected", "true")
    wait_idle(page)
    grid = page.get_by_role("tabpanel", name="Projects (8 unmapped)").get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    # job site 1007 Bayfront Hotel (the 7th row), which Procore lacks: map it to the extra project 2001
    _open_cell_editor(page, grid, row=6, column=2)
    page.get_by_role("option", name="2001 · Warehouse Retrofit").click()
    page.keyboard.press("Escape")  # leave the cell; the edit is already in the grid
    wait_idle(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved 1 mapping change.")).to_be_visible()
    # the counts in the tab titles changed, and the person stays on the tab they were on
    expect(page.get_by_role("tab", name="Projects (7 unmapped)")).to_have_attribute("aria-selected", "true")
    with Session(engine) as session:
        bayfront = session.exec(select(JobSite).where(JobSite.number == "1007")).one()
        link = links_by_local(session, entity=Entity.JOB_SITE, company_id=company)[bayfront.id]  # type: ignore[index]
        warehouse = next(r for r in records(session, company_id=company, entity=Entity.JOB_SITE) if r.number == "2001")
        assert (link.procore_id, link.origin) == (warehouse.procore_id, LinkOrigin.MANUAL)
