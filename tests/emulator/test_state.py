from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app, start_background
from emulator.__main__ import parse_args
from emulator.store import Store


def _token(base_url: str) -> str:
    return str(httpx.post(f"{base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET}).json()["access_token"])


def test_two_instances_on_one_state_file_see_the_same_records(tmp_path: Path) -> None:
    state = str(tmp_path / "procore.sqlite3")
    first = start_background(state)
    try:
        second_app = create_app(state)  # a second process would do the same
        world = httpx.get(f"{first.base_url}/_emulator/world").json()
        company, project = world["companies"]["main"], world["projects"]["1001 Riverside Medical Center"]
        token = _token(first.base_url)
        headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company)}
        created = httpx.post(f"{first.base_url}/rest/v1.0/projects/{project}/quantity_logs",
                             headers=headers, json={"quantity_log": {"quantity": 5, "unit": "EA"}})
        assert created.status_code == 201
        transport = httpx.ASGITransport(app=second_app)

        async def read_through_second() -> httpx.Response:
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                return await client.get(f"/rest/v1.0/projects/{project}/quantity_logs/{created.json()['id']}",
                                        headers=headers)

        # A thread of its own: other suites may leave an event loop set on the main thread.
        with ThreadPoolExecutor(1) as pool:
            seen = pool.submit(asyncio.run, read_through_second()).result()
        assert seen.status_code == 200
        assert seen.json()["quantity"] == 5
    finally:
        first.stop()


def test_start_background_is_idempotent_per_state_file_and_thread_safe(tmp_path: Path) -> None:
    state = str(tmp_path / "shared.sqlite3")
    results = []

    def start() -> None:
        results.append(start_background(state))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len({r.base_url for r in results}) == 1
        assert httpx.get(f"{results[0].base_url}/_emulator/world").status_code == 200
    finally:
        results[0].stop()
    restarted = start_background(state)
    try:
        assert restarted is not results[0]
        assert httpx.get(f"{restarted.base_url}/_emulator/world").status_code == 200
    finally:
        restarted.stop()


def test_memory_state_gets_a_fresh_emulator_each_time() -> None:
    first, second = start_background(":memory:"), start_background(":memory:")
    try:
        assert first.base_url != second.base_url
    finally:
        first.stop()
        second.stop()


def test_existing_state_is_not_reseeded(tmp_path: Path) -> None:
    state = str(tmp_path / "keep.sqlite3")
    app = create_app(state, seed=1)
    with app.state.emulator.store.tx() as tx:
        first_people = tx.query("person")
    again = create_app(state, seed=2)
    with again.state.emulator.store.tx() as tx:
        assert tx.query("person") == first_people


def test_cli_arguments() -> None:
    args = parse_args(["--port", "8765", "--state", ":memory:", "--seed", "3"])
    assert (args.port, args.host, args.state, args.seed) == (8765, "127.0.0.1", ":memory:", 3)


def test_a_state_file_from_before_connection_budgets_still_serves(tmp_path: Path) -> None:
    state = str(tmp_path / "old.sqlite3")
    create_app(state).state.emulator.store.close()
    with sqlite3.connect(state) as old:  # the per-token budgets table older state files hold
        old.execute("DROP TABLE rate_budgets")
        old.execute("CREATE TABLE rate_windows (token TEXT NOT NULL, window TEXT NOT NULL, started REAL NOT NULL,"
                    " count INTEGER NOT NULL, PRIMARY KEY (token, window))")
        old.execute("INSERT INTO rate_windows VALUES ('old-token', 'spike', 0, 5)")
    running = start_background(state)
    try:
        company = httpx.get(f"{running.base_url}/_emulator/world").json()["companies"]["main"]
        answer = httpx.get(f"{running.base_url}/rest/v1.0/me", headers={
            "Authorization": f"Bearer {_token(running.base_url)}", "Procore-Company-Id": str(company)})
        assert answer.status_code == 200
        assert answer.headers["x-rate-limit-remaining"] == "99"
    finally:
        running.stop()


def test_a_kept_connection_sees_other_writers_and_survives_a_failed_transaction(tmp_path: Path) -> None:
    """Each thread keeps its connection between transactions: it must never read an old snapshot,
    and a transaction that failed must leave nothing behind, neither rows nor an open transaction."""
    path = str(tmp_path / "state.sqlite3")
    ours, theirs = Store(path), Store(path)  # two processes' stores on one file
    with ours.tx() as tx:
        assert tx.kv_get("flag") is None
    with theirs.tx(write=True) as tx:
        tx.kv_set("flag", "set elsewhere")
    with ours.tx() as tx:
        assert tx.kv_get("flag") == "set elsewhere"

    try:
        with ours.tx(write=True) as tx:
            tx.kv_set("flag", "half done")
            raise RuntimeError("handler failed")
    except RuntimeError:
        pass
    with ours.tx(write=True) as tx:
        assert tx.kv_get("flag") == "set elsewhere"
        tx.kv_set("flag", "next write")
    with theirs.tx() as tx:
        assert tx.kv_get("flag") == "next write"

    ours.close()
    with ours.tx() as tx:  # a closed store opens a connection again when used
        assert tx.kv_get("flag") == "next write"
    ours.close()
    theirs.close()


def test_writers_of_one_process_take_turns_without_sqlites_busy_wait(tmp_path: Path) -> None:
    """Requests served at once write one after another, each starting as soon as the last one commits: they
    queue in the process, never in SQLite's busy handler (which sleeps up to 100 ms at a time). With that
    handler given no time at all, not one write of sixteen threads over two stores on one file is refused."""
    path = str(tmp_path / "state.sqlite3")
    stores = [Store(path, busy_wait=0.0), Store(path, busy_wait=0.0)]

    def write(number: int) -> None:
        store = stores[number % 2]
        for step in range(25):
            with store.tx(write=True) as tx:
                count = int(tx.kv_get("writes") or 0)
                tx.kv_set(f"thread {number}", str(step))  # the thread lets go of the GIL while holding the lock
                tx.kv_set("writes", str(count + 1))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(write, range(16)))  # a refused write raises "database is locked" here

    with stores[0].tx() as tx:
        assert tx.kv_get("writes") == str(16 * 25)
    for store in stores:
        store.close()
