"""Two fixed rate-limit windows per access token (hourly and spike), kept in the state file.

Every request made with a valid token counts, whatever its status (rejected ones included).
The ``X-Rate-Limit-*`` triple describes the window with fewer requests left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from emulator.store import Tx


@dataclass(frozen=True)
class Window:
    name: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]


def windows(config: dict[str, Any]) -> tuple[Window, Window]:
    return (
        Window("spike", config["rate_limit_spike"], config["rate_limit_spike_window"]),
        Window("hourly", config["rate_limit_hourly"], config["rate_limit_hourly_window"]),
    )


def consume(tx: Tx, token: str, config: dict[str, Any], now: float) -> Verdict:
    """Count one request against both windows of ``token``."""
    states: list[tuple[Window, int, float]] = []
    for window in windows(config):
        row = tx.conn.execute(
            "SELECT started, count FROM rate_windows WHERE token = ? AND window = ?",
            (token, window.name),
        ).fetchone()
        started, count = (row[0], row[1]) if row else (now, 0)
        if now >= started + window.seconds:
            started, count = now, 0
        count += 1
        tx.conn.execute(
            "INSERT INTO rate_windows (token, window, started, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(token, window) DO UPDATE SET started = excluded.started, count = excluded.count",
            (token, window.name, started, count),
        )
        states.append((window, count, started))
    allowed = all(count <= window.limit for window, count, _ in states)
    window, count, started = min(states, key=lambda s: s[0].limit - s[1])
    headers = {
        "X-Rate-Limit-Limit": str(window.limit),
        "X-Rate-Limit-Remaining": str(max(0, window.limit - count)),
        "X-Rate-Limit-Reset": str(math.ceil(started + window.seconds)),
    }
    return Verdict(allowed, headers)
