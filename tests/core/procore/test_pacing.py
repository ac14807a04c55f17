from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.config import Settings
from core.procore.authorization import connect_client_credentials
from core.procore.bulk import run_concurrently
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.procore.errors import ProcoreNotFoundError
from core.procore.pacing import RateLimitPacer
from emulator import start_background
from tests.core.procore.conftest import SETUP_ADMIN, TEST_KEY, CountingTransport, Emulator
from tests.databases import TestDatabases


def test_two_hundred_calls_under_a_spike_limit_get_no_429(
    emulator: Emulator, service_client: ProcoreClient, transport: CountingTransport
) -> None:
    # Procore's spike window is 25 requests per 10 s; the emulator shrinks the window to 1 s so the
    # same shape of limit is crossed eight times in a few seconds instead of 80.
    emulator.configure(rate_limit_spike=25, rate_limit_spike_window=1)
    sent_before = transport.sent[("GET", "/rest/v1.0/me")]
    started = time.monotonic()

    outcomes = run_concurrently(lambda _: service_client.me(), range(200), workers=4)

    elapsed = time.monotonic() - started
    assert all(outcome.ok for outcome in outcomes)
    assert transport.statuses[429] == 0
    assert transport.sent[("GET", "/rest/v1.0/me")] - sent_before == 200
    assert elapsed >= 200 / 25 - 1  # at most 25 per window: at least seven window resets waited for


def test_bulk_outcomes_keep_item_order_and_errors(emulator: Emulator, service_client: ProcoreClient) -> None:
    project_id = emulator.project_id()

    outcomes = run_concurrently(
        lambda log_id: service_client.get_manpower_log(project_id=project_id, log_id=log_id), [1, 2, 3], workers=2
    )

    assert [outcome.item for outcome in outcomes] == [1, 2, 3]
    assert all(isinstance(outcome.error, ProcoreNotFoundError) for outcome in outcomes)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(reset),
    }


def test_pacing_lets_bursts_through_while_most_of_the_window_is_left() -> None:
    clock = FakeClock()
    pacer = RateLimitPacer(clock=clock.time, sleep=clock.sleep)
    for remaining in range(24, 14, -1):
        pacer.acquire()
        pacer.observe(_headers(25, remaining, 1_010))

    assert clock.slept == []


@pytest.mark.parametrize(("remaining", "expected_gap"), [(10, 9 / 9), (5, 9 / 4)])
def test_pacing_spreads_what_is_left_evenly_until_a_second_before_the_reset(
    remaining: int, expected_gap: float
) -> None:
    # Reset is a whole second: a request sent in the window's last second may count in the next one.
    clock = FakeClock()
    pacer = RateLimitPacer(clock=clock.time, sleep=clock.sleep)
    pacer.acquire()
    pacer.observe(_headers(25, remaining, 1_010))

    pacer.acquire()  # uses the slot at once, and books the next one a gap later
    pacer.acquire()

    assert clock.slept == [pytest.approx(expected_gap)]


def test_pacing_waits_for_the_reset_when_only_the_reserve_is_left() -> None:
    clock = FakeClock()
    pacer = RateLimitPacer(clock=clock.time, sleep=clock.sleep)
    pacer.acquire()
    pacer.observe(_headers(25, 1, 1_004))

    pacer.acquire()

    assert clock.slept == [pytest.approx(4.25)]


def _connected_client(settings: Settings, engine: Engine, company_id: int) -> ProcoreClient:
    connect_client_credentials(settings, engine, actor=SETUP_ADMIN, company_id=company_id)
    return open_client(settings, engine, sleep=lambda _: None)


def _me_within(client: ProcoreClient, seconds: float) -> bool:
    """Whether `client.me()` answers within `seconds` (a pacer holding it back would sleep far longer)."""
    answered = threading.Event()

    def call() -> None:
        client.me()
        answered.set()

    threading.Thread(target=call, daemon=True).start()
    return answered.wait(seconds)


def test_a_new_emulator_on_a_reused_address_is_not_paced_by_the_old_ones_windows(
    tmp_path: Path, databases: TestDatabases
) -> None:
    """Regression test for #16: pacers were kept per API address and app, so a new Procore (an emulator
    started again on the same port, as the next test does) inherited a spent window and waited an hour."""
    first = start_background(":memory:")
    port = int(urlsplit(first.base_url).port or 0)
    with databases.engine(tmp_path / "first.sqlite3") as engine:
        settings = _settings(tmp_path, first.base_url)
        company = int(httpx.get(f"{first.base_url}/_emulator/world").json()["companies"]["main"])
        httpx.put(f"{first.base_url}/_emulator/config", json={"rate_limit_spike": 3, "rate_limit_spike_window": 3600})
        spent = _connected_client(settings, engine, company)
        spent.me()  # the answer says: one request left in a window that ends in an hour
    first.stop()

    second = start_background(":memory:", port=port)
    try:
        with databases.engine(tmp_path / "second.sqlite3") as engine:
            fresh = _connected_client(_settings(tmp_path, second.base_url), engine, company)

            assert second.base_url == first.base_url
            assert _me_within(fresh, 5)
    finally:
        second.stop()


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, procore_api_url=url, procore_login_url=url, token_encryption_key=TEST_KEY)
