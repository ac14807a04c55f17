"""Browser tests: the real app served by `streamlit run`, driven through Debian's Chromium.

Skipped when /usr/bin/chromium is absent (CI installs it). A failing test leaves
a screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.databases import TestDatabases

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    env: dict[str, str]


@contextmanager
def serve_app(
    data_dir: Path, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[RunningApp]:
    """`streamlit run app.py` on a free port, on the given database, stopped afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "PROCORE_REDIRECT_URI": f"http://127.0.0.1:{port}/procore_setup",
        **(extra_env or {}),
    }
    log = (data_dir / "streamlit.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, data_dir)
        yield RunningApp(url=url, data_dir=data_dir, env=env)
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the app: politely first, then for good (a loaded machine can keep Streamlit's shutdown waiting
    for seconds, and nothing of a test's app needs to be saved)."""
    process.terminate()
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_healthy(url: str, data_dir: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not start; see {data_dir / 'streamlit.log'}")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases) -> Iterator[RunningApp]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("app")
    with databases.database(data_dir / "app.sqlite3") as url, serve_app(data_dir, url) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (Playwright's default for them is 5 s): CI runs the suite on
    # SQLite and on PostgreSQL side by side, and a page rerun on that busy machine can take longer.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def wait_idle(page: object) -> None:
    """Wait until the app has finished its rerun (Streamlit's running indicator is gone)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=30_000)  # type: ignore[attr-defined]


def tick(page: object, label: str) -> None:
    """Tick the checkbox `label` and see it ticked once the app has rerun.

    A loaded machine can drop a click while the page is still rerunning after the one before (the box stays
    clear), or show a click it took only seconds later. So the box is clicked only while it is clear, and each
    click is given 10 s to show before the next: a second click too early would clear a box the first one ticked.
    """
    from playwright.sync_api import expect

    box = page.get_by_role("checkbox", name=label)  # type: ignore[attr-defined]
    for _attempt in range(3):
        if box.is_checked():
            break
        page.get_by_text(label).click()  # type: ignore[attr-defined]
        wait_idle(page)
        try:
            expect(box).to_be_checked(timeout=10_000)
        except AssertionError:
            continue  # the click was dropped: the box is still clear after 10 s
        break
    expect(box).to_be_checked()
