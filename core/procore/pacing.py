"""Client-side pacing from Procore's `X-Rate-Limit-*` headers, shared by every caller of one connection.

Procore counts requests per token in two windows (hourly and a 10-second spike window) and reports
the nearer one in `X-Rate-Limit-Limit/Remaining/Reset`. While plenty is left, requests go at once.
When what is left falls to half the window or less, the rest is spread evenly until `Reset`, and when
only the reserve is left, callers wait for the reset. That keeps 429s away without slowing short jobs.
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
IN_FLIGHT_FORGOTTEN = 60.0  # seconds: a shared state untouched this long has nothing in flight (a process died)


@dataclass
class _Window:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None


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
    _in_flight: int = 0
    _retired_reset: float = 0.0  # Reset of the last window we saw end; late answers from it are ignored
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self) -> float:
        """Wait until one more request may be sent; returns the seconds waited."""
        with self._synced():
            wait = self._reserve_slot(self.clock())
        if wait > 0:
            self.sleep(wait)
        return wait

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Record a finished request and what its rate-limit headers said (if any)."""
        with self._synced():
            self._in_flight = max(0, self._in_flight - 1)
            parsed = _parse(headers or {})
            if parsed is not None:
                self._update(*parsed)

    @contextmanager
    def _synced(self) -> Iterator[None]:
        """This process's lock; with a shared state, also the processes' lock, and the state loaded and saved."""
        with self._lock:
            if self.shared is None:
                yield
                return
            with self.shared.locked() as state:
                self._load(state)
                yield
                state.update(window=asdict(self._window), next_slot=self._next_slot, in_flight=self._in_flight,
                             retired_reset=self._retired_reset, saved_at=self.clock())

    def _load(self, state: dict[str, Any]) -> None:
        if not state:
            return
        self._window = _Window(**state["window"])
        self._next_slot, self._retired_reset = float(state["next_slot"]), float(state["retired_reset"])
        recent = self.clock() - float(state["saved_at"]) < IN_FLIGHT_FORGOTTEN
        self._in_flight = int(state["in_flight"]) if recent else 0

    def _reserve_slot(self, now: float) -> float:
        window = self._window
        if window.reset_at is not None and now >= window.reset_at + constants.PACING_RESET_SLACK:
            self._retire(window)
        start = max(now, self._next_slot)
        self._next_slot = start
        if self._window.remaining is not None and self._window.reset_at is not None:
            start = self._pace(self._window, start)
        window = self._window
        if window.remaining is not None:
            window.remaining -= 1
        self._in_flight += 1
        return start - now

    def _pace(self, window: _Window, start: float) -> float:
        assert window.remaining is not None
        assert window.reset_at is not None
        usable = window.remaining - self.reserve
        if usable <= 0:
            start = max(start, window.reset_at + constants.PACING_RESET_SLACK)
            self._retire(window)
            self._next_slot = start
            return start
        if window.limit and usable > window.limit * BURST_FRACTION:
            return start
        self._next_slot = start + max(0.0, window.reset_at - start) / usable
        return start

    def _retire(self, window: _Window) -> None:
        """The window ends: start a fresh one, assumed full until Procore's next answer says otherwise."""
        self._retired_reset = max(self._retired_reset, window.reset_at or 0.0)
        self._window = _Window(limit=window.limit, remaining=window.limit)

    def _update(self, limit: int, remaining: int, reset_at: float) -> None:
        if reset_at <= self._retired_reset:
            return  # a late answer from a window that has ended
        window = self._window
        estimate = remaining - self._in_flight
        if window.reset_at is None or reset_at > window.reset_at:
            self._window = _Window(limit=limit, remaining=estimate, reset_at=reset_at)
        elif reset_at == window.reset_at:
            window.limit = limit
            window.remaining = estimate if window.remaining is None else min(window.remaining, estimate)


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
