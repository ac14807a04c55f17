"""Fixtures: a fresh emulator per test, served over real HTTP by one shared uvicorn thread."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app
from emulator.server import listening_socket, quiet_logs

TODAY = "2026-03-04"  # a Wednesday
REDIRECT = "http://127.0.0.1:8501/oauth/callback"
_TLS = ssl.create_default_context()  # shared: building one per client costs ~40 ms


class SwitchApp:
    """Forwards to whichever emulator app the current test installed."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def http_server() -> Iterator[tuple[SwitchApp, str]]:
    switch = SwitchApp()
    sock = listening_socket("127.0.0.1", 0)
    quiet_logs()
    server = uvicorn.Server(uvicorn.Config(switch, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield switch, f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(5)


@dataclass
class Emu:
    """A fresh emulator and helpers to call it like a client would."""

    base_url: str
    app: Any
    http: httpx.Client
    world: dict[str, Any]

    @property
    def company_id(self) -> int:
        return int(self.world["companies"]["main"])

    @property
    def training_id(self) -> int:
        return int(self.world["companies"]["training"])

    def project_id(self, label: str = "1001 Riverside Medical Center") -> int:
        return int(self.world["projects"][label])

    def user_tokens(self) -> dict[str, Any]:
        """Authorization-code grant without the browser: Allow, then exchange the code."""
        answer = self.http.post("/oauth/authorize", data={
            "client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT, "state": "s1",
            "response_type": "code", "decision": "allow"})
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        return dict(self.http.post("/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}).json())

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.http.post("/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})

    def service_token(self) -> str:
        return str(self.http.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET}).json()["access_token"])

    def client(self, token: str | None = None, company_id: int | None = -1) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.user_tokens()['access_token']}"}
        if company_id is not None:
            headers["Procore-Company-Id"] = str(self.company_id if company_id == -1 else company_id)
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10, verify=_TLS)

    def configure(self, **changes: Any) -> dict[str, Any]:
        answer = self.http.put("/_emulator/config", json=changes)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def act(self, kind: str, record_id: int, action: str, **fields: Any) -> dict[str, Any]:
        answer = self.http.post("/_emulator/act", json={
            "kind": kind, "id": record_id, "action": action, "fields": fields})
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["record"])

    def cost_codes(self, api: httpx.Client, project_id: int) -> dict[str, int]:
        rows = api.get("/rest/v1.0/cost_codes", params={"project_id": project_id}).json()
        return {row["full_code"]: row["id"] for row in rows}

    def employees(self, api: httpx.Client) -> list[dict[str, Any]]:
        return list(api.get(f"/rest/v1.0/companies/{self.company_id}/people",
                            params={"filters[is_employee]": "true", "per_page": 1000}).json())

    def time_types(self, api: httpx.Client) -> dict[str, int]:
        rows = api.get(f"/rest/v1.0/companies/{self.company_id}/timecard_time_types").json()
        return {row["abbreviated_time_type"]: row["id"] for row in rows}


@pytest.fixture
def emu(http_server: tuple[SwitchApp, str]) -> Iterator[Emu]:
    switch, base_url = http_server
    app = create_app(":memory:", seed=7)
    switch.app = app
    with httpx.Client(base_url=base_url, timeout=10, verify=_TLS) as http:
        assert http.put("/_emulator/config", json={"today": TODAY}).status_code == 200
        world = http.post("/_emulator/reset", json={}).json()
        yield Emu(base_url, app, http, world)
    app.state.emulator.store.close()


@pytest.fixture
def api(emu: Emu) -> Iterator[httpx.Client]:
    with emu.client() as client:
        yield client
