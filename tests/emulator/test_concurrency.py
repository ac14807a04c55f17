"""Requests served side by side, with every write still atomic (issue 20, item 6)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, start_background
from tests.emulator.conftest import REDIRECT, TODAY, Emu

THREADS = 8


@dataclass
class FileEmu:
    """An emulator over a state file (what the app runs), with a service-account token."""

    base_url: str
    state: str
    token: str
    company_id: int
    project_id: int

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10, headers={
            "Authorization": f"Bearer {token or self.token}", "Procore-Company-Id": str(self.company_id)})


@pytest.fixture
def file_emu(tmp_path: Path) -> Iterator[FileEmu]:
    running = start_background(str(tmp_path / "procore.sqlite3"))
    try:
        httpx.put(f"{running.base_url}/_emulator/config", json={"today": TODAY})
        world = httpx.get(f"{running.base_url}/_emulator/world").json()
        token = httpx.post(f"{running.base_url}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET}).json()["access_token"]
        yield FileEmu(running.base_url, running.state, token, int(world["companies"]["main"]),
                      int(world["projects"]["1001 Riverside Medical Center"]))
    finally:
        running.stop()


def test_two_slow_requests_finish_in_about_one_latency(emu: Emu, api: httpx.Client) -> None:
    emu.configure(latency_ms=600)
    with emu.client() as other:
        clients = [api, other]
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda client: client.get("/rest/v1.0/me").status_code, clients))
        elapsed = time.monotonic() - started
    assert statuses == [200, 200]
    assert 0.6 <= elapsed < 1.1  # one at a time would take 1.2 s


def test_a_request_waiting_for_the_write_lock_does_not_hold_up_the_others(file_emu: FileEmu) -> None:
    """Another process (a second emulator on the same file) is writing; readers are still served."""
    writer = sqlite3.connect(file_emu.state, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(1) as pool, file_emu.client() as api:
            waiting = pool.submit(api.post, f"/rest/v1.0/projects/{file_emu.project_id}/quantity_logs",
                                  json={"quantity_log": {"quantity": 4, "unit": "EA"}})
            time.sleep(0.2)  # let the write reach the lock
            info = httpx.get(f"{file_emu.base_url}/oauth/token/info", timeout=5,
                             headers={"Authorization": f"Bearer {file_emu.token}"})
            assert info.status_code == 200
            assert not waiting.done()
            writer.execute("COMMIT")
            assert waiting.result(timeout=10).status_code == 201
    finally:
        writer.close()


def test_concurrent_creates_keep_ids_unique_and_all_land(file_emu: FileEmu) -> None:
    path = f"/rest/v1.0/projects/{file_emu.project_id}/quantity_logs"

    def create(quantity: int) -> int:
        with file_emu.client() as api:
            answer = api.post(path, json={"quantity_log": {"quantity": quantity, "unit": "EA"}})
            assert answer.status_code == 201, answer.text
            return int(answer.json()["id"])

    with ThreadPoolExecutor(THREADS) as pool:
        ids = list(pool.map(create, range(4 * THREADS)))
    assert len(set(ids)) == 4 * THREADS
    with file_emu.client() as api:
        listed = api.get(path, params={"log_date": TODAY, "per_page": 1000}).json()
    assert sorted(log["id"] for log in listed) == sorted(ids)
    assert sorted(log["quantity"] for log in listed) == list(range(4 * THREADS))


def test_one_refresh_token_refreshed_by_many_at_once_is_used_once(file_emu: FileEmu) -> None:
    with httpx.Client(base_url=file_emu.base_url, timeout=10) as http:
        answer = http.post("/oauth/authorize", data={
            "client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT, "state": "s",
            "response_type": "code", "decision": "allow"})
        code = httpx.URL(answer.headers["location"]).params["code"]
        refresh_token = http.post("/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}).json()["refresh_token"]

    def refresh(_: int) -> int:
        return httpx.post(f"{file_emu.base_url}/oauth/token", timeout=10, data={
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = sorted(pool.map(refresh, range(THREADS)))
    assert statuses == [200] + [400] * (THREADS - 1)


def test_rate_limit_counts_every_request_of_a_burst(file_emu: FileEmu) -> None:
    httpx.put(f"{file_emu.base_url}/_emulator/config", json={"rate_limit_spike": 10, "rate_limit_spike_window": 3600})

    def call(_: int) -> int:
        with file_emu.client() as api:
            return api.get("/rest/v1.0/me").status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(call, range(2 * THREADS)))
    assert statuses.count(200) == 10
    assert statuses.count(429) == 2 * THREADS - 10
