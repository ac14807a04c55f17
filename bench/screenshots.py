"""The README's screenshots, made again from the running app: `python bench/screenshots.py [--out DIR]`.

Starts the app on the embedded default (a SQLite file and the built-in emulator in a fresh temporary
DATA_DIR, seeded with the demo data), walks a newcomer's path through it in Debian's Chromium (activate
Procore, authorize on the emulator's consent page, import, publish a week) and saves one PNG per main
screen, each taken once the app is idle (no running indicator). The app and the browser are stopped
whatever happens; a failure names the screen it was on.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import FrameLocator, Page, ViewportSize, expect, sync_playwright

from core.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, RunningApp, serve_app, wait_idle

VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
TALLEST = 2400  # px: a full-page picture stops here
# Streamlit scrolls inside its main section, not the document
CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
        .map(el => el.scrollHeight))"""
# The embedded default whatever the shell says: demo data, the built-in emulator, the queue in DATA_DIR
# (DATABASE_URL is passed empty: a SQLite file in DATA_DIR).
EMBEDDED = {"DEMO_DATA": "true", "PROCORE_API_URL": "", "PROCORE_LOGIN_URL": "", "JOBS_URL": "", "START_WORKER": "true",
            "ENVIRONMENT": "local", "PROCORE_CLIENT_ID": DEMO_CLIENT_ID, "PROCORE_CLIENT_SECRET": DEMO_CLIENT_SECRET}
SLOW = 90_000  # ms: a first visit, an import or a publish on a busy 2-core machine


class ScreenError(RuntimeError):
    """A screen could not be reached or drawn; the message names it."""


@dataclass(frozen=True)
class Screen:
    """One screenshot: its file name and how to bring it on (from where the screen before left the app)."""

    name: str
    reach: Callable[[Page, RunningApp], None]
    full_page: bool = True


def _settled(page: Page) -> None:
    """Idle (no running indicator) and drawn: no element still a grey placeholder while its code loads."""
    wait_idle(page)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


def _open(page: Page, app: RunningApp, path: str, heading: str) -> None:
    page.goto(f"{app.url}/{path}")
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=SLOW)
    _settled(page)


def getting_started(page: Page, app: RunningApp) -> None:
    _open(page, app, "", "Getting started")
    expect(page.get_by_text("Activate Procore · Next step")).to_be_visible()


def import_preview(page: Page, app: RunningApp) -> None:
    """Activate Procore, authorize on the emulator's consent page, choose the company, two-way and two
    modules, then preview the import."""
    _open(page, app, "integrations", "Integrations")
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("link", name="Open Procore setup").click()
    expect(page.get_by_role("heading", name="Procore setup")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="Authorize with Procore").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_text("Connected to Procore (Built-in emulator)")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("stSelectbox").filter(has_text="Procore company").click()
    page.get_by_role("option", name="Northwind Builders", exact=True).click()
    page.get_by_role("button", name="Use this company").click()
    page.get_by_text("Two-way integration").click()
    for label in ("Manpower (daily log manpower)", "Timecard (daily log timecards)"):
        page.get_by_text(label).click()
        expect(page.get_by_role("checkbox", name=label)).to_be_checked()
        wait_idle(page)
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("button", name="Apply all")).to_be_visible(timeout=SLOW)
    wait_idle(page)
    page.get_by_role("heading", name="5. Import from Procore").evaluate("el => el.scrollIntoView()")


def procore_setup(page: Page, app: RunningApp) -> None:
    page.get_by_role("button", name="Apply all").click()
    expect(page.get_by_text("Import applied: ")).to_be_visible(timeout=SLOW)
    wait_idle(page)


def _dashboard_week(page: Page, app: RunningApp, path: str, heading: str) -> FrameLocator:
    """A dashboard on last week (the demo data ends today, so this week is mostly empty)."""
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday() + 7)
    _open(page, app, f"{path}?date={monday.isoformat()}", heading)
    calendar = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
    expect(calendar.locator(".fc-event").first).to_be_visible(timeout=SLOW)
    wait_idle(page)
    return calendar


def manpower_week(page: Page, app: RunningApp) -> None:
    _dashboard_week(page, app, "manpower", "Manpower")


def day_preview(page: Page, app: RunningApp) -> None:
    calendar = page.frame_locator('iframe[title="streamlit_calendar.calendar"]')
    calendar.locator(".fc-event").first.click()
    day = page.get_by_role("heading", name=re.compile(r" · \w{3} \d+ \w{3} \d{4}$"))
    expect(day).to_be_visible(timeout=SLOW)
    wait_idle(page)
    page.get_by_text("Details", exact=True).click()
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_text("Preview of Publish")).to_be_visible(timeout=SLOW)
    _settled(page)
    day.evaluate("el => el.scrollIntoView()")


def run_history(page: Page, app: RunningApp) -> None:
    calendar = _dashboard_week(page, app, "manpower", "Manpower")
    page.get_by_role("button", name="Publish week").click()
    page.get_by_role("dialog").get_by_role("button", name="Queue the publish").click()
    # the app's own worker runs the job; the page reruns when it ends
    expect(calendar.locator(".fc-event", has_text="To do")).to_have_count(0, timeout=SLOW)
    _open(page, app, "run_history", "Run history")


def timecards(page: Page, app: RunningApp) -> None:
    _dashboard_week(page, app, "timecards", "Timecard")


def payroll(page: Page, app: RunningApp) -> None:
    _open(page, app, "payroll", "Payroll")


def automation(page: Page, app: RunningApp) -> None:
    _open(page, app, "automation", "Automation")


def data_mapping(page: Page, app: RunningApp) -> None:
    """Switch Procore setup to one-way (asked, then confirmed) and open Data mapping."""
    _open(page, app, "procore_setup", "Procore setup")
    page.get_by_text("One-way integration").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, change the mode").click()
    expect(page.get_by_role("radio", name=re.compile("^One-way integration"))).to_be_checked(timeout=SLOW)
    _open(page, app, "data_mapping", "Data mapping")


SCREENS = (  # in order: each starts where the one before left the app
    Screen("getting-started", getting_started),
    Screen("import-preview", import_preview, full_page=False),
    Screen("procore-setup", procore_setup),
    Screen("manpower-week", manpower_week),
    Screen("day-preview", day_preview, full_page=False),
    Screen("run-history", run_history),
    Screen("timecards", timecards),
    Screen("payroll", payroll, full_page=False),
    Screen("automation", automation),
    Screen("data-mapping", data_mapping),
)


@contextmanager
def _browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def _save(page: Page, target: Path, *, full_page: bool) -> None:
    """A PNG of the viewport, or of the whole page: Streamlit scrolls inside its main section, so for that the
    viewport grows to the content's height (at most TALLEST) while the picture is taken. The pointer rests
    on the empty right margin first, so no hover toolbar or tooltip shows."""
    page.mouse.move(VIEWPORT["width"] - 4, VIEWPORT["height"] // 2)
    if not full_page:
        _settled(page)
        page.screenshot(path=str(target))
        return
    height = int(page.evaluate(CONTENT_HEIGHT))
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, VIEWPORT["height"]), TALLEST)})
    try:
        _settled(page)
        page.screenshot(path=str(target))
    finally:
        page.set_viewport_size(VIEWPORT)


def _keep_failure(page: Page, app: RunningApp, name: str) -> None:
    """What the browser showed when a screen failed, and the app's log, in test-artifacts/ (ignored by git).
    Best effort: the screen's own error is the one to report."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"screenshot-{name}-failed.png"
    with suppress(PlaywrightError):
        page.screenshot(path=str(shot), full_page=True)
    shutil.copyfile(app.data_dir / "streamlit.log", ARTIFACTS / "screenshots-streamlit.log")
    print(f"the page as it was: {shot}; the app's log: {ARTIFACTS / 'screenshots-streamlit.log'}", file=sys.stderr)


def shoot(out: Path) -> list[Path]:
    """Serve the app on a fresh data directory and save every screen into `out`; returns the files."""
    if not CHROMIUM.exists():
        raise ScreenError(f"{CHROMIUM} is missing (apt-get install chromium)")
    expect.set_options(timeout=30_000)
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="screenshots-", ignore_cleanup_errors=True) as tmp, \
            serve_app(Path(tmp), "", EMBEDDED) as app, _browser_page() as page:
        for screen in SCREENS:
            target = out / f"{screen.name}.png"
            try:
                screen.reach(page, app)
                _save(page, target, full_page=screen.full_page)
            except Exception as error:
                _keep_failure(page, app, screen.name)
                first_line = str(error).strip().splitlines()[0]
                raise ScreenError(f"screen {screen.name!r} failed: {first_line}") from error
            print(f"saved {target}")
            saved.append(target)
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    saved = shoot(args.out)
    total = sum(path.stat().st_size for path in saved)
    print(f"{len(saved)} screenshots in {args.out}, {total / 1e6:.2f} MB in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
