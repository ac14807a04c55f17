"""Page tests: each page script run by AppTest against its own copy of the demo database.

A test that asks for `linked_app` gets the demo world linked two-way for the modules `app_modules` names
(the dashboards' by default) instead: a copy of the linked world built once per run (tests/linked_worlds.py),
with its emulator state and token key copied into the test's DATA_DIR; and with the work `app_step` names
done on it once (tests/linked_worlds.py, Step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core import setup
from core.access import local_admin
from core.bootstrap import open_database
from core.config import get_settings
from core.models.publishing import PublishModule
from core.procore.endpoints import resolve_endpoints
from tests.conftest import DEMO
from tests.core.publishing.engine_world import Linked
from tests.dashboard_world import DASHBOARD_MODULES
from tests.databases import TestDatabases
from tests.linked_worlds import EMULATOR_STATE, LinkedWorlds, Step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_modules() -> frozenset[PublishModule]:
    """The modules `linked_app` links the app's demo world for (a module or a test may override it)."""
    return DASHBOARD_MODULES


@pytest.fixture
def app_step() -> Step | None:
    """Work done once on the linked world after its import, and copied with it (a module may override it)."""
    return None


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, databases: TestDatabases,
           request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Point the app at a fresh database holding the demo world ending on DEMO_END (linked: see above)."""
    modules: frozenset[PublishModule] | None = None
    worlds: LinkedWorlds | None = None
    step: Step | None = None
    if "linked_app" in request.fixturenames:
        modules, worlds = request.getfixturevalue("app_modules"), request.getfixturevalue("linked_worlds")
        step = request.getfixturevalue("app_step")
    world = worlds.world(modules, step) if worlds and modules else DEMO
    with databases.database(tmp_path / "app.sqlite3", world=world) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        monkeypatch.setenv("DEMO_DATA", "false")
        monkeypatch.setenv("START_WORKER", "false")  # tests run the queue themselves (run_worker, until idle)
        if worlds and modules:
            worlds.copy_files(modules, tmp_path, step)
            monkeypatch.setenv("EMULATOR_STATE", str(tmp_path / EMULATOR_STATE))
        engine = open_database(get_settings())
        yield engine
        engine.dispose()


@pytest.fixture
def linked_app(app_db: Engine) -> Linked:
    """The app's demo world linked for `app_modules` (a copy: see above), its emulator started."""
    settings = get_settings()
    with Session(app_db) as session:
        company, admin = setup.state(session).company_id, local_admin(session)
    assert company is not None
    return Linked(settings, app_db, admin, resolve_endpoints(settings).api_url, company)


@pytest.fixture
def open_page(app_db: Engine) -> Callable[..., AppTest]:
    def _open(script: str, **state: object) -> AppTest:
        at = AppTest.from_file(str(ROOT / script), default_timeout=60)
        for key, value in state.items():
            at.session_state[key] = value
        return at.run()

    return _open
