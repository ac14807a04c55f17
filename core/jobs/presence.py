"""Which workers are alive on a shared (Redis) queue: each running worker keeps a key of its own fresh.

Workers on a Redis queue may run on other machines, so a pid file cannot say
whether one runs. Each worker sets `procore-connect:worker:<host>:<pid>` with a
short expiry and renews it while it runs; a worker that died stops renewing
and its key expires. A Redis that cannot be reached has no live worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis.exceptions import RedisError

from core.config import Settings
from core.jobs.queue import QUEUE_NAME, get_queue

log = logging.getLogger(__name__)

ALIVE_FOR = 30  # seconds a worker's key lives without being renewed
RENEW_EVERY = 10.0  # seconds between two renewals
_PREFIX = f"{QUEUE_NAME}:worker:"


def _client(settings: Settings) -> Any:
    """The Redis client of the settings' queue (huey's own connection pool)."""
    return get_queue(settings).storage.conn


def any_alive(settings: Settings) -> bool:
    """True when some worker renewed its key within ALIVE_FOR seconds; False when Redis does not answer."""
    try:
        return any(True for _ in _client(settings).scan_iter(match=f"{_PREFIX}*", count=100))
    except RedisError:
        return False


@contextmanager
def announced(settings: Settings) -> Iterator[None]:
    """Keep this worker's key alive while the block runs; remove it after."""
    key = f"{_PREFIX}{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    done = threading.Event()
    _renew(settings, key)
    thread = threading.Thread(target=_keep_alive, args=(settings, key, done), name="worker-presence", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        try:
            _client(settings).delete(key)
        except RedisError:
            log.warning("Could not remove the worker key %s; it expires in %s s", key, ALIVE_FOR)


def _keep_alive(settings: Settings, key: str, done: threading.Event) -> None:
    while not done.wait(RENEW_EVERY):
        try:
            _renew(settings, key)
        except RedisError:
            log.warning("Could not renew the worker key %s; retrying", key, exc_info=True)


def _renew(settings: Settings, key: str) -> None:
    _client(settings).set(key, "1", ex=ALIVE_FOR)
