"""Pacing across rate-limit windows with requests in flight, against the emulator's own window counting
(`emulator.ratelimit`) on a virtual clock: no sleeps, every interleaving written out or seeded."""

from __future__ import annotations

import heapq
import itertools
import random
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from core.procore.pacing import RateLimitPacer
from core.procore.shared_pacing import FileState
from emulator import ratelimit
from emulator.store import SCHEMA, Tx

LIMIT = 25


class Procore:
    """The emulator's fixed windows (each begins with the first request after the last one ended; Reset is
    its end rounded up to a second), counting each request at the virtual time it arrives."""

    def __init__(self, window: int = 10) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.executescript(SCHEMA)
        self.config = {"rate_limit_spike": LIMIT, "rate_limit_spike_window": window,
                       "rate_limit_hourly": 100_000, "rate_limit_hourly_window": 3600}
        self.refused = 0

    def count(self, at: float) -> dict[str, str]:
        verdict = ratelimit.consume(Tx(self.conn), "app/1", self.config, at)
        self.refused += not verdict.allowed
        return verdict.headers


class Turns:
    """Threads that take turns on a virtual clock: one runs at a time, until it sleeps or waits for an
    answer; time then moves to whatever is due next (a thread's wake-up, Procore counting a request)."""

    def __init__(self, now: float) -> None:
        self.now = now
        self._due: list[tuple[float, int, Callable[[], None] | threading.Event]] = []
        self._order = itertools.count()  # at the same time: first come, first done
        self._idle = threading.Event()

    def time(self) -> float:
        return self.now

    def at(self, when: float, due: Callable[[], None] | threading.Event) -> None:
        heapq.heappush(self._due, (when, next(self._order), due))

    def sleep(self, seconds: float) -> None:
        turn = threading.Event()
        self.at(self.now + seconds, turn)
        self.wait(turn)

    def wait(self, turn: threading.Event) -> None:
        """Give up the turn until `turn` is set by what is due."""
        self._idle.set()
        turn.wait()
        turn.clear()

    def start(self, work: Callable[[], None]) -> None:
        turn = threading.Event()

        def run() -> None:
            turn.wait()
            try:
                work()
            finally:
                self._idle.set()

        threading.Thread(target=run, daemon=True).start()
        self.at(self.now, turn)

    def run(self) -> None:
        while self._due:
            when, _, due = heapq.heappop(self._due)
            self.now = max(self.now, when)
            if isinstance(due, threading.Event):
                self._idle.clear()
                due.set()
                assert self._idle.wait(10), "a thread neither slept nor waited"
            else:
                due()


def paced_by(turns: Turns, shared: FileState | None = None) -> RateLimitPacer:
    return RateLimitPacer(clock=turns.time, sleep=turns.sleep, shared=shared)


def request(paced: RateLimitPacer, procore: Procore, turns: Turns, there: float = 0.0, back: float = 0.0,
            answer: bool = True) -> None:
    """One request through the pacer: Procore counts it `there` seconds after it goes, and its answer
    (with Procore's headers, or none as after a timeout) comes `back` seconds later."""
    paced.acquire()
    answered = threading.Event()
    headers: list[dict[str, str]] = []

    def counted() -> None:
        headers.append(procore.count(turns.now))
        turns.at(turns.now + back, answered)

    turns.at(turns.now + there, counted)
    turns.wait(answered)
    paced.observe(headers[0] if answer else None)


def requests(paced: RateLimitPacer, procore: Procore, turns: Turns, count: int, *, back: float = 0.0,
             answer: bool = True) -> Callable[[], None]:
    """A thread's work: `count` requests one after another, each counted as it goes."""
    def work() -> None:
        for _ in range(count):
            request(paced, procore, turns, back=back, answer=answer)
    return work


def acquiring(paced: RateLimitPacer, turns: Turns, went: list[float]) -> Callable[[], None]:
    """A thread's work: wait for a slot, and note when it came."""
    def work() -> None:
        paced.acquire()
        went.append(turns.now)
    return work


def test_requests_booked_before_a_windows_last_second_but_counted_after_its_end_are_carried() -> None:
    """Regression test for #18: a window carried into the next only the requests booked in its last
    second (Reset is rounded up to one). Two requests booked earlier reached Procore after the window had
    ended (slow requests, a thread woken late): Procore counted them in the next window, which pacing then
    let eight threads fill to the limit less the reserve, and the 26th request counted in it met a 429."""
    procore, turns = Procore(), Turns(1_000.3)  # the first window ends at 1010.3; its Reset says 1011
    paced = paced_by(turns)

    def slow() -> None:
        turns.sleep(5)
        request(paced, procore, turns, there=1_010.5 - turns.now, back=1.5)  # booked at 1005.3

    turns.start(requests(paced, procore, turns, 20, back=0.5))  # the first window, bar the two and the reserve
    turns.start(slow)
    turns.start(slow)
    for _ in range(8):  # then eight threads, their answers half a second behind
        turns.at(1_011.0, lambda: turns.start(requests(paced, procore, turns, 5, back=0.5)))
    turns.run()

    assert procore.refused == 0


def test_the_next_window_is_taken_whole_at_once_when_nothing_is_in_flight() -> None:
    procore, turns = Procore(), Turns(1_000.3)
    paced = paced_by(turns)
    turns.start(requests(paced, procore, turns, LIMIT - 1))
    turns.run()
    sent_before = turns.now

    went: list[float] = []
    for _ in range(LIMIT - 1):
        turns.start(acquiring(paced, turns, went))
    turns.run()

    assert sent_before < 1_010
    assert went == [pytest.approx(1_010.35)] * (LIMIT - 1)  # all at once, 10 s after the window's first answer


def test_a_spike_window_ends_ten_seconds_after_its_first_answer_not_at_its_rounded_reset() -> None:
    procore, turns = Procore(), Turns(1_000.2)  # Reset says 1011; the window ends at 1010.2
    paced = paced_by(turns)
    turns.start(requests(paced, procore, turns, LIMIT - 1))
    turns.run()

    turns.start(requests(paced, procore, turns, 1))  # the window is spent: this one waits for the next
    turns.run()

    assert turns.now == pytest.approx(1_010.25)
    assert procore.refused == 0


def test_a_window_longer_than_the_spike_window_is_waited_for_until_its_reset() -> None:
    turns = Turns(1_000.0)
    paced = paced_by(turns)
    paced.acquire()
    paced.observe({"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "1", "X-Rate-Limit-Reset": "4600"})

    went: list[float] = []
    turns.start(acquiring(paced, turns, went))
    turns.run()

    assert went == [pytest.approx(4_600.25)]


def test_a_request_unanswered_near_a_windows_end_counts_in_the_next_one_too() -> None:
    """No answer (a timeout) says which window counted it: in the window's last second, it may be the next."""
    procore, turns = Procore(), Turns(1_000.5)  # the window ends at 1010.5; its Reset says 1011
    paced = paced_by(turns)
    turns.start(requests(paced, procore, turns, 12))
    turns.run()
    for when in (1_005.0, 1_010.2, 1_010.3):
        turns.at(when, lambda: turns.start(requests(paced, procore, turns, 1, answer=False)))
    turns.run()
    turns.at(1_011.0, lambda: None)
    turns.run()

    went: list[float] = []

    def answered_long_after() -> None:
        acquiring(paced, turns, went)()
        turns.sleep(30)
        paced.observe(None)

    for _ in range(LIMIT):
        turns.start(answered_long_after)
    turns.run()

    assert went.count(went[0]) == LIMIT - 1 - 2  # the next window at once, less the two and the reserve


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("window", [1, 10])
def test_two_processes_sharing_a_limit_meet_no_429_whatever_the_timing(tmp_path: Path, seed: int, window: int) -> None:
    """Two processes (their pacers share one state file) of six threads each, as in
    tests/core/jobs/test_shared_pacing.py; Procore counts each request a while after it was sent and
    answers a while later, and three requests in ten are slow (up to half a window each way)."""
    rng = random.Random(seed)
    procore, turns = Procore(window), Turns(1_000.0 + rng.random())
    pacers = [paced_by(turns, FileState(tmp_path / "pacing.json")) for _ in range(2)]
    started, threads, each = turns.now, 12, 17

    def travel() -> float:
        return rng.choice([0.002, 0.01, 0.05]) if rng.random() > 0.3 else rng.uniform(0.05, 0.5) * window

    def thread(paced: RateLimitPacer) -> Callable[[], None]:
        def work() -> None:
            for _ in range(each):
                request(paced, procore, turns, there=travel(), back=travel())
        return work

    for n in range(threads):
        turns.start(thread(pacers[n % 2]))
    turns.run()

    assert procore.refused == 0
    if window == 10:  # the windows are used (virtual time: the first window's 25 go at once)
        assert turns.now - started <= (threads * each - LIMIT) / LIMIT * window * 1.5
