"""The OAuth round trip as a person does it: app → Procore's consent page (the emulator) → back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, tick
from tests.databases import TestDatabases


@pytest.fixture
def fresh_app(tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases) -> Iterator[RunningApp]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("oauth")
    with databases.database(data_dir / "app.sqlite3") as url, serve_app(data_dir, url) as running:
        yield running


def _to_consent_page(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/integrations")
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("link", name="Open Procore setup").click()
    expect(page.get_by_role("heading", name="Procore setup")).to_be_visible()
    page.get_by_role("link", name="Authorize with Procore").click()
    expect(page.get_by_text("Jordan Avery")).to_be_visible()


def allow_and_choose_two_way(page: Page) -> None:
    """On Procore's consent page: allow, then choose the company and the two-way integration."""
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_text("Connected to Procore (Built-in emulator)")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSelectbox").filter(has_text="Procore company").click()
    page.get_by_role("option", name="Northwind Builders", exact=True).click()
    page.get_by_role("button", name="Use this company").click()
    page.get_by_text("Two-way integration").click()


def test_allow_connects_and_shows_the_connection(fresh_app: RunningApp, page: Page) -> None:
    _to_consent_page(fresh_app, page)
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_text("Connected to Procore (Built-in emulator) as Jordan Avery")).to_be_visible(timeout=60_000)
    assert "code=" not in page.url  # the one-time code does not linger in the address bar
    expect(page.get_by_text("Procore company")).to_be_visible()
    page.reload()
    expect(page.get_by_role("cell", name="Jordan Avery")).to_be_visible(timeout=60_000)


def test_deny_changes_nothing_and_says_so(fresh_app: RunningApp, page: Page) -> None:
    _to_consent_page(fresh_app, page)
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_text("Procore authorization was denied, so nothing changed")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("link", name="Authorize with Procore")).to_be_visible()


def test_a_new_user_sets_up_procore_and_imports_in_the_browser(fresh_app: RunningApp, page: Page) -> None:
    _to_consent_page(fresh_app, page)
    allow_and_choose_two_way(page)
    for label in ("Manpower (daily log manpower)", "Timecard (daily log timecards)",
                  "Timesheet (Procore timesheets, through the payroll board)"):
        tick(page, label)
    # Timesheet turned Timecard off (the toast saying so is checked in the page test; here it may have faded)
    expect(page.get_by_role("checkbox", name="Timecard (daily log timecards)")).not_to_be_checked()
    expect(page.get_by_text("Setup is finished")).to_be_visible()
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Apply all").click(timeout=60_000)
    expect(page.get_by_text("Import applied: ")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Payroll items").first).to_be_visible()  # two-way adds the payroll items page
    page.screenshot(path=str(fresh_app.data_dir / "setup-finished.png"), full_page=True)
