from __future__ import annotations

import time

import pytest

from core.procore.bulk import run_concurrently
from core.procore.client import ProcoreClient
from core.procore.errors import NotFoundError
from core.procore.pacing import RateLimitPacer
from tests.core.procore.conftest import CountingTransport, Emulator


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
    assert all(isinstance(outcome.error, NotFoundError) for outcome in outcomes)


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


@pytest.mark.parametrize(("remaining", "expected_gap"), [(10, 10 / 9), (5, 10 / 4)])
def test_pacing_spreads_what_is_left_evenly_until_the_reset(remaining: int, expected_gap: float) -> None:
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
