"""Client-side pacing from Procore's `X-Rate-Limit-*` headers, shared by every caller of one connection.

Procore counts requests per connection in fixed windows (hourly, and a 10-second spike window) and
reports the nearer one in `X-Rate-Limit-Limit/Remaining/Reset`. While more than half a window is left,
requests go at once; then the rest is spread evenly until a second before `Reset`. When only the
reserve is left, callers wait until the window has surely ended, and the next one begins.

What a window has left is its limit less the larger of two counts: `sent`, every request that may
count in it (booked by any process of the connection), and `counted`, the most Procore said it had
counted. Procore counts a request when it arrives, which may be after the window it was booked in has
ended: a slow answer, a thread woken late, a queue at Procore (issue #18: carrying into the next window
only the requests booked in the last second of the one before met 429s when two processes shared a
limit). So when a window ends, every request booked and not yet answered is carried into the next one.
An answer's `Reset` says which window counted it; a request with no such answer (a timeout) that ended
in the window's last second is carried too (`Reset` is a whole second: the window may have ended up to
a second before it). A window is left once it has surely ended, not when its last slot is booked (left
early, it stopped hearing the answers that would have shown Procore counting more than we had).

When a window ends: Procore's spike window lasts 10 s, so it ends at most 10 s after the first answer
that named its `Reset` (the request answered was counted in it, so it had begun); any other window ends
by its `Reset`. Waiting for the `Reset` of a spike window would lose most of a second per window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from core.procore import constants
from core.procore.shared_pacing import SharedState, shared_state

BURST_FRACTION = 0.5  # requests go unpaced while more than this share of the window is left
IN_FLIGHT_FORGOTTEN = 90.0  # seconds after its slot a request is no longer in flight (it timed out, or died)
ANSWER_POLL = 0.02  # seconds between looks while a spent window's end is not known yet (its first answer is due)
LEAST_WAIT = 0.001  # seconds: a wait for a window's end is never shorter (a float sum may fall a hair short)
STATE_VERSION = 3  # the shared state's shape; another one (an older release's) is started afresh


@dataclass
class _Window:
    """One rate-limit window as the connection's callers count it."""

    limit: int | None = None
    reset_at: float | None = None  # Procore's `Reset` for it, from the first answer that named it
    ends_by: float | None = None  # from then on it has surely ended
    opened_at: float = 0.0  # when we began counting in it
    sent: int = 0  # requests that may count in it
    counted: int = 0  # the most Procore said it had counted in it
    late: int = 0  # answered so near its end that Procore may have counted them in the next window

    def left(self) -> int | None:
        return None if self.limit is None else self.limit - max(self.sent, self.counted)


@dataclass
class RateLimitPacer:
    """Thread-safe pacing for one Procore connection (one token's rate-limit windows).

    With `shared`, the state lives outside the process (see `core.procore.shared_pacing`), so
    every process publishing for the connection draws on one budget.
    """

    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    reserve: int = constants.PACING_RESERVE
    shared: SharedState | None = None
    _window: _Window = field(default_factory=_Window)
    _next_slot: float = 0.0
    _in_flight: list[float] = field(default_factory=list)  # the slots of requests booked and not yet answered
    _retired_reset: float = 0.0  # Reset of the last window we saw end; late answers from it change nothing
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self) -> float:
        """Wait until one more request may be sent; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._synced():
                wait, booked = self._book(self.clock())
            if wait > 0:
                self.sleep(wait)
                waited += wait
            if booked:
                return waited

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Record a finished request and what its rate-limit headers said (if any)."""
        with self._synced():
            if self._in_flight:
                self._in_flight.remove(min(self._in_flight))  # which one matters not: only how many, and how old
            self._record(_parse(headers or {}), self.clock())

    @contextmanager
    def _synced(self) -> Iterator[None]:
        """This process's lock; with a shared state, also the processes' lock, and the state loaded and saved."""
        with self._lock:
            if self.shared is None:
                self._forget_in_flight()
                yield
                return
            with self.shared.locked() as state:
                self._load(state)
                self._forget_in_flight()
                yield
                state.update(window=asdict(self._window), next_slot=self._next_slot, in_flight=self._in_flight,
                             retired_reset=self._retired_reset, version=STATE_VERSION)

    def _load(self, state: dict[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            return
        self._window = _Window(**state["window"])
        self._next_slot, self._retired_reset = float(state["next_slot"]), float(state["retired_reset"])
        self._in_flight = [float(slot) for slot in state["in_flight"]]

    def _forget_in_flight(self) -> None:
        """Requests booked long ago have ended: a process that died left them counted in flight."""
        oldest = self.clock() - IN_FLIGHT_FORGOTTEN
        self._in_flight = [slot for slot in self._in_flight if slot > oldest]

    def _book(self, now: float) -> tuple[float, bool]:
        """Book this request a slot: (seconds until it may go, True), or (seconds to wait before asking again,
        False) when its window is spent."""
        window = self._window
        ends_by = self._ends_by(window, now)
        if ends_by is not None and now >= ends_by:
            window = self._open(now)
            ends_by = self._ends_by(window, now)
        left = window.left()
        if left is not None and left <= self.reserve:
            return (ANSWER_POLL if ends_by is None else max(LEAST_WAIT, ends_by - now)), False
        start = max(now, self._next_slot)
        self._next_slot = start
        if left is not None and window.limit is not None and window.reset_at is not None:
            usable = left - self.reserve
            if usable <= window.limit * BURST_FRACTION:
                # Spread over the part of the window a request surely counts in (before its last second).
                deadline = window.reset_at - constants.PACING_RESET_ROUNDING
                self._next_slot = start + max(0.0, deadline - start) / usable
        window.sent += 1
        self._in_flight.append(start)
        return start - now, True

    def _ends_by(self, window: _Window, now: float) -> float | None:
        """When the window has surely ended; None while its first answer, which says, is on its way."""
        if window.ends_by is not None:
            return window.ends_by
        # No answer named its Reset yet. If none is on its way (they failed, or their process died),
        # take it for a spike window that began when we began counting in it.
        fallback = window.opened_at + constants.SPIKE_WINDOW + constants.PACING_RESET_ROUNDING
        return None if self._in_flight and now < fallback else fallback

    def _open(self, at: float, *, carried: int = 0) -> _Window:
        """The current window has ended: count in the next one every request that may count there."""
        old = self._window
        self._retired_reset = max(self._retired_reset, old.reset_at or 0.0)
        self._window = _Window(limit=old.limit, opened_at=at, sent=old.late + len(self._in_flight) + carried)
        return self._window

    def _record(self, parsed: tuple[int, int, float] | None, now: float) -> None:
        window = self._window
        if parsed is not None:
            limit, remaining, reset_at = parsed
            if reset_at <= self._retired_reset or (window.reset_at is not None and reset_at < window.reset_at):
                return  # counted in a window that has ended: it was carried into the next one then
            if window.reset_at is not None and reset_at > window.reset_at:
                window = self._open(now, carried=1)  # Procore began the next window before ours surely ended
            window.limit = limit
            window.counted = max(window.counted, limit - remaining)
            if window.reset_at is None:
                window.reset_at, window.ends_by = reset_at, self._surely_ended(window, reset_at, now)
            return  # its Reset says which window counted it
        if window.reset_at is None or now >= window.reset_at - constants.PACING_RESET_ROUNDING:
            window.late += 1  # no answer, or none that names a window: it may have been counted in the next one

    def _surely_ended(self, window: _Window, reset_at: float, now: float) -> float:
        """When the window whose first answer came `now` has surely ended.

        The answered request was counted in it, so it had begun by now; a spike window ends
        `SPIKE_WINDOW` later. It is taken for one when its Reset is no further off than that (rounded up)
        and everything Procore counted in it is ours since the last window ended (an hourly window named
        late in its hour has counted far more).
        """
        ends_by = reset_at + constants.PACING_RESET_SLACK
        spike = reset_at - now <= constants.SPIKE_WINDOW + constants.PACING_RESET_ROUNDING
        if spike and window.counted <= window.sent:
            ends_by = min(ends_by, now + constants.SPIKE_WINDOW + constants.PACING_WINDOW_SLACK)
        return ends_by


def _parse(headers: Mapping[str, str]) -> tuple[int, int, float] | None:
    try:
        return (
            int(headers["X-Rate-Limit-Limit"]),
            int(headers["X-Rate-Limit-Remaining"]),
            float(headers["X-Rate-Limit-Reset"]),
        )
    except (KeyError, ValueError):
        return None


_pacers: dict[tuple[str, str, str], RateLimitPacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(*, api_url: str, identity: str, shared_in: str | None = None) -> RateLimitPacer:
    """The process-wide pacer of one connection on `api_url`; with `shared_in` (a directory or a
    redis:// URL), its state is shared with every process that names the same place.

    Procore counts per token, so `identity` must name one connection as it was made (its slot, client
    id and when it was made), not just the app: a new connection, or a new Procore (an emulator started
    again on the same address), gets a fresh pacer instead of an old one's windows and waits.
    """
    key = (api_url.rstrip("/"), identity, shared_in or "")
    with _pacers_lock:
        if key not in _pacers:
            shared = shared_state(shared_in, f"{key[0]}|{identity}") if shared_in else None
            _pacers[key] = RateLimitPacer(shared=shared)
        return _pacers[key]
