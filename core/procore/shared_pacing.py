"""Where one connection's pacing state lives when several processes publish for it: a file, or Redis.

Procore counts requests per connection, not per process, so workers in several processes (or
machines, with JOBS_URL=redis://…) keep one pacer state. Each reads it, updates it and writes it
back under a lock that spans the processes: an exclusive `flock` on a file in DATA_DIR, or a
Redis lock. The lock is held only while a slot is reserved or an answer recorded, never while
a request waits or is sent.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
STATE_TTL = 7200  # seconds a Redis copy outlives its last use (Procore's longest window is an hour)
LOCK_TIMEOUT = 10  # seconds: a Redis lock whose holder died is freed after this


class SharedState(Protocol):
    def locked(self) -> AbstractContextManager[dict[str, Any]]:
        """The stored state, held under the cross-process lock; changes to the dict are saved."""


class FileState:
    """The state as JSON in a file, locked with `flock` (processes on one machine)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                text = handle.read()
                state: dict[str, Any] = json.loads(text) if text.strip() else {}
                yield state
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(state))
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class RedisState:
    """The state as JSON in a Redis key, under a Redis lock (processes on any number of machines)."""

    def __init__(self, url: str, key: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = key

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any]]:
        with self.client.lock(f"{self.key}:lock", timeout=LOCK_TIMEOUT, blocking_timeout=LOCK_TIMEOUT):
            raw = self.client.get(self.key)
            state: dict[str, Any] = json.loads(raw) if raw else {}
            yield state
            self.client.set(self.key, json.dumps(state), ex=STATE_TTL)


def shared_state(location: str, connection: str) -> SharedState:
    """The shared state of `connection` (api URL and identity) in `location`: a redis:// URL or a directory."""
    name = hashlib.sha256(connection.encode()).hexdigest()[:32]
    if location.startswith(REDIS_SCHEMES):
        return RedisState(location, f"procore-connect:pacing:{name}")
    return FileState(Path(location) / "pacing" / f"{name}.json")
