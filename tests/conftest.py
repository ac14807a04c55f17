"""Fixtures shared by the whole suite: databases, demo worlds, the signed-in person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access
from core.config import Settings
from core.db import session_scope
from core.demo.generator import DemoSize, generate
from tests.databases import TestDatabases, plain_url, postgres_server

DEMO_END = date(2026, 11, 20)  # a Friday: a fixed week keeps every test reproducible


@pytest.fixture(scope="session")
def databases() -> Iterator[TestDatabases]:
    """Per-test databases: SQLite files, or PostgreSQL databases when DATABASE_URL names a server."""
    found = TestDatabases(postgres_server())
    yield found
    found.close()


@pytest.fixture
def engine(tmp_path: Path, databases: TestDatabases) -> Iterator[Engine]:
    """A migrated, empty database with the default roles."""
    with databases.engine(tmp_path / "test.sqlite3") as engine:
        with session_scope(engine) as session:
            access.ensure_defaults(session)
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """The default small demo world, ending on DEMO_END."""
    generate(engine, DemoSize(end_date=DEMO_END))
    return engine


@pytest.fixture
def admin(session: Session) -> access.Identity:
    return access.local_admin(session)


def identity_with_role(session: Session, role: str) -> access.Identity:
    return access.Identity(
        email=f"{role.lower().replace(' ', '.')}@example.com",
        name=role,
        role=role,
        permissions=access.role_permissions(session, role_name=role),
    )


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    """Settings for a test: its own database and its own built-in emulator state file."""
    return Settings(
        database_url=plain_url(engine), data_dir=tmp_path, emulator_state=tmp_path / "emulator.sqlite3", demo_data=False
    )


@pytest.fixture
def emulator_url(settings: Settings) -> Iterator[str]:
    """Base URL of the test's emulator (started on loopback, stopped after the test)."""
    from core.procore.endpoints import resolve_endpoints
    from emulator import start_background

    yield resolve_endpoints(settings).api_url
    start_background(str(settings.emulator_state)).stop()


def connect_main_company(settings: Settings, engine: Engine) -> int:
    """Connect the app's service account to the emulator's main company (started if need be); returns its id."""
    import httpx

    from core.procore.connection import connect_client_credentials, select_company
    from core.procore.endpoints import resolve_endpoints

    url = resolve_endpoints(settings).api_url
    main = int(httpx.get(f"{url}/_emulator/world", timeout=10).json()["companies"]["main"])
    connect_client_credentials(settings, engine, company_id=main)
    select_company(settings, engine, company_id=main, company_name="Northwind Builders")
    return main


@pytest.fixture
def connected(settings: Settings, engine: Engine, emulator_url: str) -> int:
    """A service-account connection to the emulator's main company; returns that company's id."""
    return connect_main_company(settings, engine)
