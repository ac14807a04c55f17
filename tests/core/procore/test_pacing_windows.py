"""Pacing with many requests in flight: answers out of order, and a fresh window whose end is not known yet."""

from __future__ import annotations

import random

import pytest

from core.procore.pacing import ANSWER_POLL, RateLimitPacer

LIMIT, RESET = 25, 1_010.0


class FakeClock:
    """Time that moves only when someone sleeps; `during_sleep` is what happens meanwhile (answers arrive)."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []
        self.during_sleep: list[dict[str, str]] = []
        self.pacer: RateLimitPacer | None = None

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.during_sleep and self.pacer is not None:
            self.pacer.observe(self.during_sleep.pop(0))


def headers(remaining: int, reset: float = RESET) -> dict[str, str]:
    return {"X-Rate-Limit-Limit": str(LIMIT), "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(reset)}


def paced() -> tuple[RateLimitPacer, FakeClock]:
    clock = FakeClock()
    clock.pacer = RateLimitPacer(clock=clock.time, sleep=clock.sleep)
    return clock.pacer, clock


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_answers_arriving_out_of_order_leave_the_rest_of_the_window_usable(seed: int) -> None:
    """16 requests in flight at once (two workers of eight threads) are answered in any order: the 8 the
    window still has room for (less the reserve) go before its reset, none waits for the reset."""
    pacer, clock = paced()
    for _ in range(16):
        pacer.acquire()
    answers = list(range(LIMIT - 1, LIMIT - 17, -1))  # Procore counted them 1st … 16th: Remaining 24 … 9
    random.Random(seed).shuffle(answers)
    for remaining in answers:
        pacer.observe(headers(remaining))

    for sent in range(17, 25):
        pacer.acquire()
        pacer.observe(headers(LIMIT - sent))

    assert clock.now < RESET  # all eight went before the window ended, spread evenly over it
    assert clock.slept == pytest.approx([10 / 8] * 7)


def test_the_window_ends_after_its_room_is_used_and_then_waits_for_the_reset() -> None:
    pacer, clock = paced()
    for _ in range(16):
        pacer.acquire()
    for remaining in range(9, 25):
        pacer.observe(headers(remaining))
    for _ in range(8):
        pacer.acquire()
        pacer.observe(headers(1))

    pacer.acquire()  # only the reserve is left

    assert clock.now == pytest.approx(RESET + 0.25)


def test_a_fresh_window_whose_end_is_unknown_lets_half_go_then_waits_for_its_first_answer() -> None:
    """Many threads and processes start a fresh window together: without an answer saying when it ends,
    more than half of it at once could overrun it, so the next caller waits for that answer."""
    pacer, clock = paced()
    pacer.acquire()
    pacer.observe(headers(1, reset=1_001))
    pacer.acquire()  # waits for the reset: the fresh window is assumed full
    started = clock.now
    for _ in range(11):
        pacer.acquire()  # 12 in flight, unanswered
    assert clock.now == started

    clock.during_sleep = [headers(LIMIT - 12, reset=started + 10)]
    pacer.acquire()

    assert clock.slept[-1] == ANSWER_POLL  # it waited for the answer, then went at once
    assert clock.now == pytest.approx(started + ANSWER_POLL)


def test_a_fresh_window_whose_answers_never_come_does_not_hold_callers_for_long() -> None:
    pacer, clock = paced()
    pacer.acquire()
    pacer.observe(headers(1, reset=1_001))
    pacer.acquire()
    started = clock.now
    for _ in range(12):
        pacer.acquire()

    assert clock.now - started <= 2.0 + ANSWER_POLL


def test_requests_sent_in_the_last_second_of_a_window_count_in_the_next_one_too() -> None:
    """`Reset` is rounded up to a second: Procore's window may already have ended, and those requests begun
    the next one, so the fresh window is not assumed full."""
    pacer, clock = paced()
    pacer.acquire()
    pacer.observe(headers(20))
    clock.now = RESET - 0.5
    for sent in range(1, 6):
        pacer.acquire()
        pacer.observe(headers(20 - sent))
    clock.now = RESET + 0.3  # the window has ended
    clock.during_sleep = [headers(LIMIT - 12, reset=RESET + 10)]

    went_at_once = 0
    while not clock.slept:
        pacer.acquire()
        went_at_once += 1

    assert went_at_once - 1 == 12 - 5  # (the last one waited) half the fresh window, less the 5 late ones
