"""Two fixed rate-limit windows per connection (hourly and spike), kept in the state file.

A connection is an OAuth application acting for one user (for client credentials, the app's
service account in a company): every token it is issued, refreshed ones included, draws on the same
budget, so refreshing a token never resets it. Every request made with a valid token counts,
whatever its status (rejected ones included). The ``X-Rate-Limit-*`` triple describes the window
with fewer requests left.
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


def connection_key(client_id: str, user_id: int) -> str:
    """The budget a token draws on: its OAuth client and the user it acts for."""
    return f"{client_id}/{user_id}"


def consume(tx: Tx, connection: str, config: dict[str, Any], now: float) -> Verdict:
    """Count one request against both windows of ``connection``."""
    states: list[tuple[Window, int, float]] = []
    for window in windows(config):
        row = tx.conn.execute(
            "SELECT started, count FROM rate_budgets WHERE connection = ? AND window = ?",
            (connection, window.name),
        ).fetchone()
        started, count = (row[0], row[1]) if row else (now, 0)
        if now >= started + window.seconds:
            started, count = now, 0
        count += 1
        tx.conn.execute(
            "INSERT INTO rate_budgets (connection, window, started, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(connection, window) DO UPDATE SET started = excluded.started,"
            " count = excluded.count",
            (connection, window.name, started, count),
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
