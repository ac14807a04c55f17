"""A day's details offer both ways out of a conflict with Procore, and no Republish that would only repeat it.

Regression test for issue 19 ("A refused publish looks retryable").
"""

from __future__ import annotations

from core.models.publishing import PublishModule, PublishStatus
from tests.core.publishing.engine_world import WEEK_START, Linked, lengthen_break
from tests.pages.test_dashboard_pages import _buttons, _click_day, _key, _ok, _open, linked, worker  # noqa: F401
from tests.pages.workers import TestWorker

MANPOWER = PublishModule.MANPOWER


def test_an_entry_changed_in_procore_offers_force_and_keep_procores_version_not_republish(
    linked: Linked, worker: TestWorker,  # noqa: F811
) -> None:
    (site,) = linked.site_ids(["1002"])
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    entry = linked.entries(MANPOWER, job_site_id=site, work_date=WEEK_START)[0]
    linked.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="update",
                   fields={"num_workers": 42})
    lengthen_break(linked, entry)
    linked.publish(MANPOWER, sites=["1002"], start=WEEK_START, end=WEEK_START)
    assert linked.entries(MANPOWER, id=entry.id)[0].status == PublishStatus.FAILED

    at = _click_day(_open(MANPOWER), MANPOWER, site, details=True)

    _ok(at)
    row = f"{_key(MANPOWER, 'republish')}_"
    keys = {button.key for button in at.button}
    assert f"{row}{entry.id}" not in keys  # Republish would only be refused again
    assert {f"{row}force_{entry.id}", f"{row}keep_{entry.id}"} <= keys
    assert "Keep Procore's version" in _buttons(at)
    assert "Republish day" not in _buttons(at)
    assert "Force publish day" in _buttons(at)

    at.button(key=f"{row}keep_{entry.id}").click().run()
    worker.drain()
    at.run()

    _ok(at)
    kept = linked.entries(MANPOWER, id=entry.id)[0]
    assert kept.status == PublishStatus.PUBLISHED
    assert kept.published_payload is not None
    assert kept.published_payload["num_workers"] == 42
    (log,) = [log for log in linked.remote("manpower", entry.procore_project_id) if log.id == entry.procore_id]
    assert log.num_workers == 42  # Procore's version stands
    assert any("Keep Procore's version" in s.value for s in at.success)
