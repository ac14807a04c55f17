"""Page tests: each page script run by AppTest against its own copy of the demo database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.bootstrap import open_database
from core.config import get_settings
from tests.conftest import DEMO
from tests.databases import TestDatabases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, databases: TestDatabases) -> Iterator[Engine]:
    """Point the app at a fresh database holding the demo world ending on DEMO_END."""
    with databases.database(tmp_path / "app.sqlite3", world=DEMO) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        monkeypatch.setenv("DEMO_DATA", "false")
        monkeypatch.setenv("START_WORKER", "false")  # tests run the queue themselves (run_worker, until idle)
        engine = open_database(get_settings())
        yield engine
        engine.dispose()


@pytest.fixture
def open_page(app_db: Engine) -> Callable[..., AppTest]:
    def _open(script: str, **state: object) -> AppTest:
        at = AppTest.from_file(str(ROOT / script), default_timeout=60)
        for key, value in state.items():
            at.session_state[key] = value
        return at.run()

    return _open
