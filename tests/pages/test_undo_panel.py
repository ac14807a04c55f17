"""The undo component: the plan first, a dialog to confirm, Procore put back, and a second undo does nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.models.publishing import PublishModule
from core.timeclock.csv_reading import counted
from tests.core.publishing.engine_world import Linked, known
from tests.pages.conftest import ROOT

SCRIPT = "tests/pages/undo_panel_app.py"
MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def app_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def linked(linked_app: Linked) -> Linked:
    """The demo world linked for Manpower (a copy of one linked once per run: see conftest.py)."""
    return linked_app


def _open(run_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / SCRIPT), default_timeout=90)
    at.session_state["undo_test_run"] = run_id
    return at.run()


def _first_run(linked: Linked) -> tuple[int, int, int]:
    """Publish job site 1001's week: the run, its project, how many logs it created."""
    report = linked.publish(MANPOWER, sites=["1001"])
    entries = [e for e in linked.entries(MANPOWER) if e.procore_id]
    return known(report.run_id), known(entries[0].procore_project_id), len(entries)


def _preview(at: AppTest, run_id: int) -> AppTest:
    return at.button(key=f"undo_{run_id}_preview").click().run()


def test_the_plan_shows_what_undo_does_and_what_it_leaves_alone_with_why(linked: Linked) -> None:
    run_id, project, created = _first_run(linked)
    edited = linked.remote("manpower", project)[0]
    linked.control("POST", "act", kind="manpower_log", id=edited.id, action="update", fields={"num_workers": 99})

    at = _preview(_open(run_id), run_id)

    assert not at.exception
    assert at.markdown[0].value == (f"**Undo of run {run_id}:** {created - 1} to delete what the run created, "
                                    "1 left alone.")
    table = at.dataframe[0].value
    assert len(table) == created
    assert list(table[table["left_alone"] != ""]["left_alone"]) == [
        "the record was changed in Procore after the run (force to undo anyway)"]
    assert set(table["job_site"]) == {"1001 Riverside Medical Center"}
    assert linked.remote("manpower", project)  # a preview changes nothing


def test_confirming_undoes_the_run_and_a_second_undo_says_it_was_undone_already(linked: Linked) -> None:
    run_id, project, created = _first_run(linked)
    at = _preview(_open(run_id), run_id)
    at.button(key=f"undo_{run_id}_undo").click().run()
    assert not at.exception
    assert linked.remote("manpower", project)  # asking opens the dialog; nothing is undone yet

    at.button(key=f"undo_{run_id}_confirm_yes").click().run()

    assert not at.exception
    assert at.success[0].value.startswith(f"Run {run_id} undone as run ")
    assert at.success[0].value.endswith(f": {counted(created, 'record')} deleted.")
    assert linked.remote("manpower", project) == []
    _preview(at, run_id)
    assert at.info[0].value.startswith(f"Run {run_id} was undone already (by run ")
    assert not [button for button in at.button if button.key == f"undo_{run_id}_undo"]
