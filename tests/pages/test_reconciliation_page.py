"""Procore > Reconciliation: a day edited in Procore drifts on the calendar, and its details say why in words.

The calendar is a component AppTest cannot click: the tests read the events
passed to it and seed the value its click would send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.dashboards.calendar import event_id
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.ui.reconciliation import calendar_key
from tests.core.publishing.engine_world import WEEK_START, Linked, calls
from tests.pages.conftest import ROOT

PAGE = "pages/reconciliation.py"
MANPOWER = PublishModule.MANPOWER
MANPOWER_LIST = "GET /rest/v1.0/projects/{project_id}/manpower_logs"


@pytest.fixture
def app_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def linked(linked_app: Linked) -> Linked:
    """The demo world linked for Manpower (a copy of one linked once per run: see conftest.py)."""
    return linked_app


def _open(linked: Linked, sites: list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=90)
    at.session_state["reconcile_day"] = WEEK_START
    at.session_state["reconcile_sites"] = linked.site_ids(sites)
    return at.run()


def test_before_setup_is_finished_the_page_says_what_to_do(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE)

    assert not at.exception
    assert at.info[0].value.startswith("Procore setup is not finished")
    assert not at.selectbox


def test_only_the_enabled_modules_are_offered(linked: Linked) -> None:
    at = _open(linked, ["1001"])

    assert at.selectbox(key="reconcile_module").options == ["Manpower (daily log manpower)"]


def _events(at: AppTest) -> dict[str, dict[str, Any]]:
    (element,) = [e for e in at.main if type(e).__name__ == "UnknownElement" and hasattr(e.proto, "json_args")
                  and "events" in e.proto.json_args]
    return {event["id"]: event for event in json.loads(element.proto.json_args)["events"]}


def _edited_in_procore(linked: Linked) -> PublishEntry:
    """Publish job site 1001's week, then add 5 workers to its first log in Procore."""
    linked.publish(MANPOWER, sites=["1001"])
    site = linked.site_ids(["1001"])[0]
    edited = linked.entries(MANPOWER, job_site_id=site, status=PublishStatus.PUBLISHED)[0]
    linked.control("POST", "act", kind="manpower_log", id=edited.procore_id, action="update",
                   fields={"num_workers": edited.values["manpower"] + 5})
    return edited


def test_a_day_edited_in_procore_drifts_in_red_with_the_word(linked: Linked) -> None:
    edited = _edited_in_procore(linked)
    linked.control("DELETE", "stats")

    at = _open(linked, ["1001"])

    assert not at.exception
    events = _events(at)
    drifting = events[event_id(edited.job_site_id, edited.work_date)]
    assert drifting["title"].endswith("\nDrifts")
    assert drifting["backgroundColor"] == "#d32f2f"
    others = [event for key, event in events.items() if key != event_id(edited.job_site_id, edited.work_date)]
    assert others
    assert all(event["title"].endswith("\nMatches") for event in others)
    assert at.info[0].value.startswith(f"1 of {len(events)} job-site days drift.")
    assert calls(linked) == {MANPOWER_LIST: 1}  # one list call for the project's week, no GET per log


def test_clicking_the_drifting_day_lists_the_field_that_differs_by_name(linked: Linked) -> None:
    edited = _edited_in_procore(linked)
    at = _open(linked, ["1001"])
    at.session_state[calendar_key(WEEK_START, 1)] = {
        "callback": "eventClick", "eventClick": {"event": {"id": event_id(edited.job_site_id, edited.work_date)}}}
    at.run()

    assert not at.exception
    assert at.subheader[0].value.startswith("1001 ")
    figures = at.dataframe[0].value.set_index("figure")
    assert figures.loc["workers", "difference"] == 5
    details = at.dataframe[1].value
    assert list(details["finding"]) == ["Manpower log fields differ"]
    workers = edited.values["manpower"]
    assert details["differences"][0] == f"Workers: {workers} here, {workers + 5} in Procore"
    assert "Vendor " in details["record"][0]
    assert "Procore vendor" not in details["record"][0]
