from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp, serve_app
from tests.databases import TestDatabases


def test_fresh_app_opens_on_getting_started_and_lists_demo_time_logs(app: RunningApp, page: Page) -> None:
    page.goto(app.url)
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Time logs").click()
    expect(page.get_by_role("heading", name="Time logs")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Local single-user mode")).to_be_visible()
    expect(page.get_by_text("hours worked")).to_be_visible()


def test_first_visit_by_deep_link_gets_the_real_navigation(
    tmp_path: Path, browser: Browser, databases: TestDatabases
) -> None:
    """Regression guard: a server's first visit straight to a page must run the guard and app.py's navigation."""
    with databases.database(tmp_path / "app.sqlite3") as url, serve_app(tmp_path, url) as app:
        page = browser.new_page()
        page.goto(f"{app.url}/role_permissions")
        expect(page.get_by_role("heading", name="Role permissions")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Local single-user mode")).to_be_visible()
        sidebar = page.get_by_test_id("stSidebarNav")
        expect(sidebar.get_by_text("Time clock")).to_be_visible()
        expect(sidebar.get_by_text("Role permissions")).to_be_visible()
        expect(sidebar.get_by_text("role permissions", exact=True)).to_have_count(0)
        page.close()
