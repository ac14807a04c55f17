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
import os
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
    """The state as JSON in a file, locked with `flock` (processes on one machine).

    The file stays open: a request reads and writes it twice (its slot, its answer), and opening it
    each time cost more than the rest of the pacing together.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def _opened(self) -> int:
        if self._fd is not None and os.fstat(self._fd).st_nlink == 0:  # deleted meanwhile: the others use a new one
            os.close(self._fd)
            self._fd = None
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any]]:
        fd = self._opened()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            text = os.pread(fd, os.fstat(fd).st_size, 0)
            state: dict[str, Any] = json.loads(text) if text.strip() else {}
            yield state
            data = json.dumps(state).encode()
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


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
