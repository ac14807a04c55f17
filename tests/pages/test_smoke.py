"""A floor under the page tests: the app and every page it lists render without an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.ui.navigation import SECTIONS
from tests.pages.conftest import ROOT

LISTED = [spec.script for specs in SECTIONS.values() for spec in specs if (ROOT / spec.script).exists()]


def test_every_page_file_is_listed_in_the_navigation() -> None:
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    listed = {spec.script for specs in SECTIONS.values() for spec in specs}
    assert files <= listed


@pytest.mark.parametrize("script", LISTED)
def test_page_renders_through_the_app(app_db: Engine, script: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{script} shows no title"


def test_app_seeds_demo_data_into_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Time logs"
    assert len(at.dataframe[0].value) > 0
