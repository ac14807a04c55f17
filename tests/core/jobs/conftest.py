"""The linked demo world with a job queue: huey's SQLite storage in the test's DATA_DIR, or a Redis server
started for the test (skipped when redis-server is not installed).

The world is a copy of the manpower world linked once per run (tests/linked_worlds.py), not an import per test.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import Engine

from core.access import Identity
from core.config import Settings
from core.models.publishing import PublishModule
from tests.core.publishing.engine_world import Linked

MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis server of the test's own on a unix socket, stopped after it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    # A unix socket's path holds at most 107 bytes, which a test's tmp_path under a deep TMPDIR can
    # exceed: the socket goes in a short directory of its own under /tmp.
    directory = Path(tempfile.mkdtemp(prefix="redis-", dir="/tmp"))
    socket = directory / "redis.sock"
    server = subprocess.Popen(  # noqa: S603 - the installed redis-server, on a socket in tmp_path
        [binary, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"unix://{socket}"
    client = redis.Redis.from_url(url)
    try:
        _wait_until_up(client)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_up(client: redis.Redis) -> None:
    for _ in range(200):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)  # the server process is starting; there is no clock to inject into it
    raise RuntimeError("redis-server did not start")


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The test's settings on huey's SQLite storage, then on Redis."""
    if request.param == "sqlite":
        return settings
    return settings.model_copy(update={"jobs_url": request.getfixturevalue("redis_url")})


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def linked(queue_settings: Settings, engine: Engine, admin: Identity, emulator_url: str, connected: int,
           linked_modules: frozenset[PublishModule]) -> Linked:
    """The linked manpower world (a copy: see tests/linked_worlds.py) on the test's queue."""
    return Linked(queue_settings, engine, admin, emulator_url, connected)
