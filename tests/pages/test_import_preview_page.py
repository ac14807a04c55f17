"""Procore setup's import: preview what it would change, then apply all or without moving published work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.models.publishing import PublishModule
from core.ui.widgets import LONG_TEXT, LONG_WIDTH, wrapped_row_height
from tests.core.publishing.engine_world import Linked
from tests.core.sync.import_world import FAR_EAST, TIMECARD, employee_of, rename_and_move, site_of

PAGE = str(Path(__file__).resolve().parents[2] / "pages/procore_setup.py")


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({TIMECARD})


@pytest.fixture
def page(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    rename_and_move(linked)
    monkeypatch.setenv("DATABASE_URL", linked.settings.database_url)
    monkeypatch.setenv("DATA_DIR", str(linked.settings.data_dir))
    monkeypatch.setenv("EMULATOR_STATE", str(linked.settings.emulator_state))
    monkeypatch.setenv("DEMO_DATA", "false")
    monkeypatch.setenv("START_WORKER", "false")
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _changes(page: AppTest) -> list[str]:
    """The lines of the preview's Changed list."""
    listed = next(m.value for m in page.markdown if m.value.startswith("- ") and " · **" in m.value)
    return [line.removeprefix("- ") for line in listed.splitlines()]


def test_preview_shows_the_rename_and_the_moving_time_zone_and_changes_nothing(page: AppTest, linked: Linked) -> None:
    zone = site_of(linked).time_zone
    page.button(key="import_preview_go").click().run()
    assert not page.exception
    changes = _changes(page)
    employee = employee_of(linked)
    assert (f"employees · **{employee.first_name} {employee.last_name} (employee 10001)**: "
            f"first_name: {employee.first_name} → Anabel") in changes
    site_text = next(line for line in changes if f"**{site_of(linked).name} (job site 1001)**" in line)
    assert f"time_zone: {zone} → {FAR_EAST}" in site_text
    assert "published entries become Updated" in site_text
    assert "published entries become Updated" in page.warning[0].value
    assert site_of(linked).time_zone == zone
    assert employee_of(linked).first_name != "Anabel"


def test_apply_without_moving_keeps_the_time_zone(page: AppTest, linked: Linked) -> None:
    zone = site_of(linked).time_zone
    page.button(key="import_preview_go").click().run()
    page.button(key="import_apply_without_moving").click().run()
    assert not page.exception
    assert any(w.value.startswith("Import applied: 1 record updated, ") for w in page.warning)  # 2 skipped
    assert "- Riverside Medical Center (job site 1001): time_zone stays America/Chicago (moves published work)" in \
        [m.value for m in page.markdown]
    assert site_of(linked).time_zone == zone
    # Regression test for #22: the results' reasons were cut at the column's edge
    results = next(frame for frame in page.dataframe if "reasons" in frame.value.columns)
    longest = max(len(reason) for reason in results.value["reasons"])
    assert longest > LONG_TEXT
    assert json.loads(results.proto.columns)["reasons"]["width"] == LONG_WIDTH
    assert results.proto.row_height == wrapped_row_height(longest)
    assert employee_of(linked).first_name == "Anabel"


def test_owners_saved_on_the_page_keep_our_names(page: AppTest, linked: Linked) -> None:
    name = employee_of(linked).first_name
    page.selectbox(key="import_owner_names").set_value("ours")
    page.button(key="FormSubmitter:import_owners-Save owners").click().run()
    assert any("Owners saved." in s.value for s in page.success)
    page.button(key="import_preview_go").click().run()
    assert any("(kept: we own names)" in line for line in _changes(page))
    page.button(key="import_apply_all").click().run()
    assert employee_of(linked).first_name == name
    assert site_of(linked).time_zone == FAR_EAST
