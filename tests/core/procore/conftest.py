"""Fixtures for the Procore client tests: a fresh emulator per test over real HTTP, a migrated
database of the test's own, settings pointing at the emulator, and a transport that counts what was sent."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from core.access import ADMIN, Identity, Perm
from core.config import Settings
from core.db import session_scope
from core.models.procore import ProcoreConnection
from core.procore.authorization import begin_authorization, complete_authorization, connect_client_credentials
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.procore.encryption import cipher_from_settings
from core.procore.token_store import TokenStore
from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, start_background
from tests.databases import TestDatabases

REDIRECT_URI = "http://localhost:8501/procore_setup"
TEST_KEY = "q0Zy2bAqH3q6l2tX4v1b7o0mJmX9sQ2p5cW8eR3tY6U="  # a fixed Fernet key for tests
SETUP_ADMIN = Identity(email="admin@example.com", name="Admin", role=ADMIN, permissions=frozenset(Perm))


@dataclass
class Emulator:
    """A running emulator with its control API."""

    base_url: str
    world: dict[str, Any]
    control: httpx.Client

    @property
    def company_id(self) -> int:
        return int(self.world["companies"]["main"])

    @property
    def training_company_id(self) -> int:
        return int(self.world["companies"]["training"])

    def project_id(self, label: str = "1001 Riverside Medical Center") -> int:
        return int(self.world["projects"][label])

    def configure(self, **changes: Any) -> dict[str, Any]:
        response = self.control.put("/_emulator/config", json=changes)
        response.raise_for_status()
        return dict(response.json())

    def stats(self) -> dict[str, int]:
        return dict(self.control.get("/_emulator/stats").json()["requests"])

    def reset(self, **sizes: Any) -> None:
        self.control.post("/_emulator/reset", json=sizes).raise_for_status()
        self.world = self.control.get("/_emulator/world").json()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    running = start_background(":memory:")
    with httpx.Client(base_url=running.base_url, timeout=30) as control:
        yield Emulator(base_url=running.base_url, world=control.get("/_emulator/world").json(), control=control)
    running.stop(timeout=0)


@pytest.fixture
def engine(tmp_path: Path, databases: TestDatabases) -> Iterator[Engine]:
    with databases.engine(tmp_path / "t.sqlite3") as engine:
        yield engine


@pytest.fixture
def settings(tmp_path: Path, emulator: Emulator) -> Settings:
    return Settings(
        environment="local",
        data_dir=tmp_path,
        procore_api_url=emulator.base_url,
        procore_login_url=emulator.base_url,
        procore_client_id=DEMO_CLIENT_ID,
        procore_client_secret=DEMO_CLIENT_SECRET,
        procore_redirect_uri=REDIRECT_URI,
        token_encryption_key=TEST_KEY,
    )


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that also counts requests and answers by (method, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent[(request.method, request.url.path)] += 1
        response = super().handle_request(request)
        with self._lock:
            self.statuses[response.status_code] += 1
        return response

    def token_posts(self) -> int:
        return self.sent[("POST", "/oauth/token")]


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


def browser_sign_in(settings: Settings, engine: Engine) -> str:
    """Do what the person's browser does: open the consent page, press Allow, return the redirect."""
    url = begin_authorization(settings, engine, actor=SETUP_ADMIN)
    with httpx.Client(timeout=30) as browser:
        page = browser.get(url)
        page.raise_for_status()
        assert "Allow" in page.text
        form = {name: value for name, value in _hidden_inputs(page.text)}
        answer = browser.post(str(page.url.join("/oauth/authorize")), data={**form, "decision": "allow"})
    assert answer.status_code == 302
    return answer.headers["location"]


def _hidden_inputs(html: str) -> list[tuple[str, str]]:
    import re
    from html import unescape

    pattern = r'<input type="hidden" name="([^"]+)" value="([^"]*)">'
    return [(name, unescape(value)) for name, value in re.findall(pattern, html)]


def code_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["code"][0]


@pytest.fixture
def user_client(settings: Settings, engine: Engine, transport: CountingTransport, emulator: Emulator) -> ProcoreClient:
    """A client over a browser-authorized connection, with the main company selected."""
    location = browser_sign_in(settings, engine)
    complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location, transport=transport)
    return open_client(settings, engine, company_id=emulator.company_id, transport=transport)


@pytest.fixture
def service_client(
    settings: Settings, engine: Engine, transport: CountingTransport, emulator: Emulator
) -> ProcoreClient:
    """A client over a client-credentials (service account) connection in the main company."""
    connect_client_credentials(settings, engine, actor=SETUP_ADMIN, company_id=emulator.company_id, transport=transport)
    return open_client(settings, engine, transport=transport, sleep=lambda _: None)


def token_store(settings: Settings, engine: Engine) -> TokenStore:
    return TokenStore(engine=engine, cipher=cipher_from_settings(settings))


def expire_stored_token(engine: Engine, client: ProcoreClient | None = None) -> None:
    """Make the stored access token (and the client's copy) look expired, as 90 minutes later."""
    from datetime import UTC, datetime

    past = datetime(2020, 1, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        session.execute(update(ProcoreConnection).values(expires_at=past))
    if client is not None:
        client.http.token["expires_at"] = int(past.timestamp())
