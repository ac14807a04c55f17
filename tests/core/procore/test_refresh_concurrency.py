from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.config import Settings
from core.db import create_db_engine
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.procore.constants import REFRESH_LEASE_SECONDS
from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.core.procore.conftest import CountingTransport, Emulator, expire_stored_token, token_store
from tests.databases import plain_url


@pytest.mark.parametrize("clients", ["one shared client", "a client per thread", "two processes of four threads"])
def test_eight_threads_on_an_expired_token_cause_exactly_one_refresh(
    settings: Settings, engine: Engine, user_client: ProcoreClient, emulator: Emulator, clients: str
) -> None:
    counted = CountingTransport()
    shared = open_client(settings, engine, transport=counted)
    expire_stored_token(engine, shared)
    second_process = create_db_engine(plain_url(engine))  # its own engine, pool and lock: only the DB is shared
    start = threading.Barrier(8)

    def call(n: int) -> str:
        if clients == "one shared client":
            client = shared
        else:
            on = second_process if clients.startswith("two processes") and n % 2 else engine
            client = open_client(settings, on, transport=counted)
        start.wait()
        return client.me().login or ""

    with ThreadPoolExecutor(max_workers=8) as pool:
        logins = list(pool.map(call, range(8)))

    assert logins == ["jordan.avery@northwind.example"] * 8
    assert counted.token_posts() == 1
    assert counted.statuses[401] == 0


def test_a_second_process_that_refreshed_first_wins_and_we_adopt_its_token(
    settings: Settings, engine: Engine, user_client: ProcoreClient
) -> None:
    other_engine = create_db_engine(plain_url(engine))  # another process: its own engine, pool and lock
    other, ours = CountingTransport(), CountingTransport()
    theirs = open_client(settings, other_engine, transport=other)
    mine = open_client(settings, engine, transport=ours)
    expire_stored_token(engine, mine)
    theirs.http.token["expires_at"] = 0

    theirs.me()
    mine.me()

    assert (other.token_posts(), ours.token_posts()) == (1, 0)
    assert mine.http.token["access_token"] == theirs.http.token["access_token"]
    assert mine.http.version == theirs.http.version


def test_a_worker_that_loses_the_refresh_claim_waits_for_the_winner_and_uses_its_token(
    settings: Settings, engine: Engine, user_client: ProcoreClient, emulator: Emulator
) -> None:
    other_store = token_store(settings, create_db_engine(plain_url(engine)))
    stored = other_store.load()
    assert stored is not None
    ours = CountingTransport()
    mine = open_client(settings, engine, transport=ours)
    expire_stored_token(engine, mine)
    assert other_store.claim_refresh(version=stored.version, lease_seconds=REFRESH_LEASE_SECONDS)

    waiting = ThreadPoolExecutor(max_workers=1)
    result = waiting.submit(mine.me)
    time.sleep(0.3)
    assert not result.done()  # it saw the other worker's claim and waits instead of refreshing
    rotated = httpx.post(
        emulator.base_url + "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": stored.token["refresh_token"],
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    ).json()
    assert other_store.save_rotated(version=stored.version, token=rotated)

    assert result.result(timeout=10).login == "jordan.avery@northwind.example"
    waiting.shutdown()
    assert ours.token_posts() == 0
    assert mine.http.token["access_token"] == rotated["access_token"]
