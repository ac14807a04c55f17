from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp


def test_fresh_app_opens_on_demo_time_logs(app: RunningApp, page: Page) -> None:
    page.goto(app.url)
    expect(page.get_by_role("heading", name="Time logs")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Local single-user mode")).to_be_visible()
    expect(page.get_by_text("hours worked")).to_be_visible()


def test_deep_link_to_a_page_still_runs_the_guard(app: RunningApp, page: Page) -> None:
    """Regression guard: a first visit straight to a page script must not skip the page guard."""
    page.goto(f"{app.url}/role_permissions")
    expect(page.get_by_role("heading", name="Role permissions")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Local single-user mode")).to_be_visible()
