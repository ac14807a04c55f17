"""A floor under the page tests: the app and every page it lists render without an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.db import session_scope
from core.models.procore import GrantType, ProcoreConnection
from core.models.setup import SyncMode
from core.setup import current
from core.ui.navigation import ALL_PAGES
from tests.databases import TestDatabases
from tests.pages.conftest import ROOT

EXISTING = [spec.script for spec in ALL_PAGES if (ROOT / spec.script).exists()]


def test_every_page_file_has_a_place_in_the_navigation() -> None:
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert files <= {spec.script for spec in ALL_PAGES}


@pytest.mark.parametrize("script", [s for s in EXISTING if s != "pages/procore_setup.py"])
def test_page_renders_through_the_app(app_db: Engine, script: str) -> None:
    _finish_setup(app_db, SyncMode.ONE_WAY if script == "pages/data_mapping.py" else SyncMode.TWO_WAY)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{script} shows no title"


def test_app_seeds_demo_data_into_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, databases: TestDatabases
) -> None:
    with databases.database(tmp_path / "fresh.sqlite3", world=None) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        assert not at.exception
        assert at.title[0].value == "Getting started"
        at.switch_page("pages/time_logs.py").run()
        assert len(at.dataframe[0].value) > 0


def _finish_setup(engine: Engine, mode: SyncMode = SyncMode.TWO_WAY) -> None:
    """A finished setup (two-way unless told) without a live Procore (enough for pages to be listed)."""
    from datetime import UTC, datetime

    with session_scope(engine) as session:
        row = current(session)
        row.active, row.mode, row.manpower, row.timecard, row.quantity = True, mode, True, True, True
        row.finished_at = datetime.now(UTC)
        session.add(row)
        session.add(ProcoreConnection(environment="Built-in emulator", api_url="http://127.0.0.1:1", login_url="http://127.0.0.1:1",
                                      client_id="procore-connect-demo", grant_type=GrantType.CLIENT_CREDENTIALS,
                                      company_id=1, company_name="Northwind Builders", access_token_encrypted="x",
                                      expires_at=datetime.now(UTC)))
