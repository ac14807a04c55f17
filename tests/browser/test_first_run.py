"""A first run as a newcomer does it: the Getting started page alone leads from a fresh install through Procore
setup and an import to a first publish, and nothing the browser loads on the way leaves the machine (fonts and
icons included)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect
from sqlalchemy import create_engine

from core import setup
from core.db import session_scope
from core.ui.navigation import ALL_PAGES, PageSpec, sections
from tests.browser.conftest import RunningApp, tick, wait_idle
from tests.browser.test_procore_oauth import (
    allow_and_choose_two_way,
    fresh_app,  # noqa: F401 - the fixture: an app on a fresh data directory
)

MAIN_PAGES = ("", "time_logs", "job_sites", "employees", "payroll", "integrations", "procore_setup", "manpower",
              "run_history", "reconciliation", "automation", "role_permissions")


def _foreign_requests(app: RunningApp, page: Page) -> list[str]:
    """Collects every request the page makes to a host other than the app's own."""
    own = urlsplit(app.url).hostname
    foreign: list[str] = []

    def note(request: Request) -> None:
        host = urlsplit(request.url).hostname
        if host is not None and host != own:
            foreign.append(request.url)

    page.on("request", note)
    return foreign


def _step(page: Page, title: str, state: str) -> None:
    expect(page.get_by_text(f"{title} · {state}")).to_be_visible(timeout=60_000)


def _home(page: Page) -> None:
    """Open Getting started from the sidebar. Right after a setting changed the navigation (a page added), a
    loaded machine can drop the first click on a sidebar link while the new navigation is drawn (the link
    shows as chosen, the page stays): one more click is allowed, as a person would give."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Getting started")
    heading = page.get_by_role("heading", name="Getting started")
    link.click()
    try:
        expect(heading).to_be_visible(timeout=15_000)
    except AssertionError:
        wait_idle(page)
        link.click()
        expect(heading).to_be_visible(timeout=30_000)


def _enable(page: Page, module: str) -> None:
    """Tick a module on Procore setup (`tick`) and see the setup saved."""
    tick(page, module)
    expect(page.get_by_text("Setup is finished")).to_be_visible(timeout=30_000)


def test_getting_started_leads_a_first_run_to_a_first_publish(fresh_app: RunningApp, page: Page) -> None:  # noqa: F811
    foreign = _foreign_requests(fresh_app, page)
    page.goto(fresh_app.url)
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible(timeout=60_000)
    _step(page, "Activate Procore", "Next step")

    page.get_by_role("link", name="Go to Integrations").click()
    page.get_by_role("button", name="Activate").click()
    wait_idle(page)
    _home(page)
    _step(page, "Activate Procore", "Done")
    _step(page, "Authorize Procore Connect", "Next step")

    page.get_by_role("link", name="Go to Procore setup").click()
    page.get_by_role("link", name="Authorize with Procore").click()
    allow_and_choose_two_way(page)
    wait_idle(page)
    _enable(page, "Manpower (daily log manpower)")
    _home(page)
    for title in ("Authorize Procore Connect", "Choose the company", "Choose how to use Procore", "Choose the modules"):
        _step(page, title, "Done")
    _step(page, "Import from Procore", "Next step")

    page.get_by_role("link", name="Go to Procore setup").click()
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Apply all").click()
    expect(page.get_by_text("Import applied: ")).to_be_visible(timeout=60_000)
    _home(page)
    _step(page, "Import from Procore", "Done")
    _step(page, "Publish to Procore", "Next step")
    page.get_by_role("link", name="Go to Manpower").click()
    expect(page.get_by_role("heading", name="Manpower")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="Publish week").click()
    page.get_by_role("dialog").get_by_role("button", name="Queue the publish").click()
    expect(page.get_by_text("Queued job #1: Publish.", exact=False)).to_be_visible(timeout=30_000)
    # the app's own worker runs the job; the page reruns when it ends
    expect(page.get_by_text(re.compile(r"^#1 Publish · .*\d+ entries created"))).to_be_visible(timeout=90_000)
    _home(page)
    _step(page, "Publish to Procore", "Done")
    _step(page, "Schedule publishing", "Next step")
    assert foreign == []


def test_no_request_leaves_for_another_host_on_the_main_pages(fresh_app: RunningApp, page: Page) -> None:  # noqa: F811
    foreign = _foreign_requests(fresh_app, page)
    for path in MAIN_PAGES:
        page.goto(f"{fresh_app.url}/{path}")
        expect(page.get_by_test_id("stHeading").first).to_be_visible(timeout=60_000)
        wait_idle(page)
    assert foreign == []


def test_a_deep_link_to_a_page_that_is_off_explains_itself(fresh_app: RunningApp, page: Page) -> None:  # noqa: F811
    page.goto(f"{fresh_app.url}/data_mapping")
    expect(page.get_by_role("heading", name="Data mapping")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Procore is not active yet.")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("link", name="Activate Procore on Integrations").click()
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()


def _off_pages(app: RunningApp) -> list[PageSpec]:
    """The pages the app has that its navigation does not list now (its setup read from its own database)."""
    engine = create_engine(app.env["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            listed = {spec for specs in sections(setup.state(session)).values() for spec in specs}
    finally:
        engine.dispose()
    return [spec for spec in ALL_PAGES if spec not in listed]


def test_every_page_that_is_off_explains_itself_by_deep_link(fresh_app: RunningApp, page: Page) -> None:  # noqa: F811
    off = _off_pages(fresh_app)
    assert off  # whatever the tests before left set up, some page is off (a mode or a module)
    for spec in off:
        page.goto(f"{fresh_app.url}/{Path(spec.script).stem}")
        expect(page.get_by_role("heading", name=spec.title)).to_be_visible(timeout=60_000)
        expect(page.get_by_text(f"{spec.title} is off.")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_role("main").get_by_role("link").first).to_be_visible()  # the step that turns it on
