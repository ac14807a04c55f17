"""A two-way import long enough for its Procore token to run out: the token is renewed mid-import and the
import finishes, on SQLite too (where a renewal written while the import holds its write lock would wait for
a lock it can never get)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core import setup
from core.access import Identity
from core.config import Settings
from core.db import session_scope
from core.models import Employee, JobSite
from core.models.procore import ProcoreConnection
from core.models.setup import SyncMode
from core.procore.connection import open_client
from core.sync.import_preview import preview_import
from core.sync.importer import run_import

TOKEN_TTL = 1  # seconds: the emulator's tokens live a second, so every step of the import renews one


@pytest.fixture
def short_lived_tokens(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str,
                       connected: int) -> int:
    with session_scope(demo_engine) as session:
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
    for path, body in (("config", {"access_token_ttl": TOKEN_TTL}), ("reset", {"keep_tokens": False})):
        method = "PUT" if path == "config" else "POST"
        httpx.request(method, f"{emulator_url}/_emulator/{path}", json=body, timeout=30).raise_for_status()
    return connected


def _count(engine: Engine, model: type[Employee] | type[JobSite]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _token_version(engine: Engine) -> int:
    """Bumped each time a new token is stored."""
    with Session(engine) as session:
        return session.exec(select(ProcoreConnection.version)).one()


def test_an_import_renews_its_token_as_it_goes_and_finishes(
    settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, short_lived_tokens: int
) -> None:
    sites_before, version = _count(demo_engine, JobSite), _token_version(demo_engine)

    with open_client(settings, demo_engine, sleep=lambda _seconds: None) as client:
        report = run_import(settings, demo_engine, actor=admin, company_id=short_lived_tokens, client=client)

    assert set(report.steps) == {"vendors", "job sites", "employees", "cost codes", "payroll items",
                                 "classifications"}
    assert _count(demo_engine, JobSite) >= sites_before
    assert _token_version(demo_engine) > version  # the token did run out on the way


def test_an_import_preview_renews_its_token_as_it_goes_and_changes_nothing(
    settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, short_lived_tokens: int
) -> None:
    before, version = (_count(demo_engine, JobSite), _count(demo_engine, Employee)), _token_version(demo_engine)

    preview = preview_import(settings, demo_engine, actor=admin, company_id=short_lived_tokens)

    assert preview is not None
    assert (_count(demo_engine, JobSite), _count(demo_engine, Employee)) == before
    assert _token_version(demo_engine) > version
