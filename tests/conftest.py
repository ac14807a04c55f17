"""Fixtures shared by the whole suite: databases, demo worlds, the signed-in person."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access, setup
from core.config import Settings
from core.db import session_scope
from core.demo.generator import DemoSize, generate
from core.models.publishing import PublishModule
from tests.core.publishing.engine_world import Linked
from tests.databases import TestDatabases, World, plain_url, postgres_server
from tests.linked_worlds import LinkedWorlds

DEMO_END = date(2026, 11, 20)  # a Friday: a fixed week keeps every test reproducible


def _default_roles(engine: Engine) -> None:
    with session_scope(engine) as session:
        access.ensure_defaults(session)


def _demo_world(engine: Engine) -> None:
    _default_roles(engine)
    generate(engine, DemoSize(end_date=DEMO_END))


# Run first, so that the two workers (pytest-xdist, see pyproject.toml) do not end on one long test
# while the other waits: the static checks, then the browser tests, then the slowest folders.
FIRST = (
    "tests/test_static_checks.py", "tests/browser/", "tests/core/publishing/", "tests/core/cli/", "tests/pages/",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers (the machine's two cores) for the suite or a folder; for test files or tests named one
    by one, none: starting workers would cost more than they save."""
    named = [arg for arg in config.args if "::" in arg or arg.endswith(".py")]
    return 0 if config.args and len(named) == len(config.args) else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slowest first (the same order on every worker); a browser test module keeps to one worker,
    so that its app server starts once."""
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        return next((n for n, prefix in enumerate(FIRST) if path.startswith(prefix)), len(FIRST))

    items.sort(key=rank)
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


ROLES = World("roles", _default_roles)
DEMO = World("demo", _demo_world)  # the default small demo world, ending on DEMO_END


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """Per-test databases: SQLite files, or PostgreSQL databases when DATABASE_URL names a server."""
    found = TestDatabases(postgres_server(), tmp_path_factory.mktemp("templates"))
    yield found
    found.close()


@pytest.fixture(scope="session")
def linked_worlds(tmp_path_factory: pytest.TempPathFactory) -> LinkedWorlds:
    return LinkedWorlds(tmp_path_factory.mktemp("linked"), _demo_world, connect_main_company, stop_emulators_under)


@pytest.fixture
def engine(tmp_path: Path, databases: TestDatabases, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database with the default roles; the demo world already in it when the test
    also asks for `demo_engine`; the demo world linked to the emulator when it asks for `linked_modules`
    (see tests/linked_worlds.py). Each is a copy of one built once per run, so tests need not wait for it."""
    world = DEMO if "demo_engine" in request.fixturenames else ROLES
    linked = "linked_modules" in request.fixturenames
    if linked:
        worlds: LinkedWorlds = request.getfixturevalue("linked_worlds")
        modules: frozenset[PublishModule] = request.getfixturevalue("linked_modules")
        world = worlds.world(modules)
    with databases.engine(tmp_path / "test.sqlite3", world=world) as engine:
        if linked:
            worlds.copy_files(modules, tmp_path)
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """The default small demo world, ending on DEMO_END (`engine` holds it: see there)."""
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


SPIKE_WINDOW = 1  # seconds: Procore's 10 s spike window, shrunk so a 429's wait for the reset is short


@pytest.fixture
def emulator_url(settings: Settings) -> str:
    """Base URL of the test's emulator (started on loopback, stopped after the test: see below), its
    rate-limit spike window shrunk to SPIKE_WINDOW: the same limits in a shorter time."""
    import httpx

    from core.procore.endpoints import resolve_endpoints

    url = resolve_endpoints(settings).api_url
    httpx.put(f"{url}/_emulator/config", json={"rate_limit_spike_window": SPIKE_WINDOW}, timeout=10).raise_for_status()
    return url


def stop_emulators_under(directory: Path) -> None:
    """Stop every background emulator of this process whose state file lies in `directory`."""
    server = sys.modules.get("emulator.server")
    if server is None:
        return  # nothing imported the emulator, so nothing started one
    root = directory.resolve()
    for running in list(server._registry.values()):
        if Path(running.state).resolve().is_relative_to(root):
            running.stop()


@pytest.fixture(autouse=True)
def _stop_the_tests_emulators(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test started on its own state files (the app, a page, the CLI in-process) ends with it."""
    directory = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if directory is not None:
        stop_emulators_under(directory)


def admin_of(engine: Engine) -> access.Identity:
    """The local Admin of `engine`'s database: who a test acts as when a service asks for an actor."""
    with Session(engine) as session:
        return access.local_admin(session)


def connect_main_company(settings: Settings, engine: Engine) -> int:
    """Connect the app's service account to the emulator's main company (started if need be); returns its id."""
    import httpx

    from core.procore.authorization import connect_client_credentials
    from core.procore.connection import select_company
    from core.procore.endpoints import resolve_endpoints

    url = resolve_endpoints(settings).api_url
    main = int(httpx.get(f"{url}/_emulator/world", timeout=10).json()["companies"]["main"])
    connect_client_credentials(settings, engine, actor=admin_of(engine), company_id=main)
    select_company(settings, engine, company_id=main, company_name="Northwind Builders")
    return main


@pytest.fixture
def connected(settings: Settings, engine: Engine, emulator_url: str, request: pytest.FixtureRequest) -> int:
    """A service-account connection to the emulator's main company; returns that company's id.
    A linked world (`linked_modules`) is connected already: its company is the one returned."""
    if "linked_modules" in request.fixturenames:
        with Session(engine) as session:
            company = setup.state(session).company_id
        assert company is not None
        return company
    return connect_main_company(settings, engine)


@pytest.fixture
def linked(settings: Settings, engine: Engine, admin: access.Identity, emulator_url: str, connected: int,
           linked_modules: frozenset[PublishModule]) -> Linked:
    """A copy of the demo world linked to the emulator for the test's `linked_modules` (define that fixture)."""
    return Linked(settings, engine, admin, emulator_url, connected)
