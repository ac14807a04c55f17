"""The double-count guard from the command line: `setup` refuses a switch without a choice; `keep-procore`.

Regression tests for issue 19.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.access import Identity
from core.cli import main
from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishModule, PublishStatus
from core.setup import state
from tests.core.publishing.double_count_world import SITE, held, procore_keys
from tests.core.publishing.engine_world import Linked, link_world

TIMECARD, TIMESHEET = PublishModule.TIMECARD, PublishModule.TIMESHEET
WEEK = ["--from", "2026-11-16", "--to", "2026-11-20", "--job-site", "1001"]


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int,
           monkeypatch: pytest.MonkeyPatch) -> Linked:
    world = link_world(settings, demo_engine, admin, emulator_url, connected, frozenset({TIMECARD}))
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(settings.emulator_state))
    return world


def _setup(linked: Linked, *extra: str) -> list[str]:
    return ["setup", "--company", str(linked.company_id), "--mode", "one-way", "--modules", "timesheet", *extra]


def _setup_row(linked: Linked) -> tuple[object, ...]:
    with session_scope(linked.engine) as session:
        current = state(session)
        return current.mode, current.modules, current.company_id


def test_setup_refuses_a_switch_over_published_entries_without_a_choice(
    linked: Linked, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "--module", "timecard", *WEEK]) == 0
    published = len(held(linked, TIMECARD))
    before = _setup_row(linked)
    capsys.readouterr()

    assert main(_setup(linked)) == 2

    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert f"{published} Timecard entries are published in Procore" in error
    assert "--carry-over" in error
    assert "--unpublish" in error
    assert _setup_row(linked) == before  # nothing changed: not the mode, the modules or the company
    with pytest.raises(SystemExit):
        main([*_setup(linked), "--carry-over", "--unpublish"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_setup_with_carry_over_then_publish_by_timesheet_has_no_duplicate(
    linked: Linked, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "--module", "timecard", *WEEK]) == 0
    projects = {entry.procore_project_id for entry in held(linked, TIMECARD) if entry.procore_project_id}
    before = procore_keys(linked, projects)
    capsys.readouterr()

    assert main(_setup(linked, "--carry-over")) == 0
    assert f"{sum(before.values())} published timecard entries carried over to timesheet" in capsys.readouterr().out
    assert main(["publish", "--module", "timesheet", *WEEK]) == 0

    assert procore_keys(linked, projects) == before
    assert max(before.values()) == 1


def test_keep_procore_from_the_command_line(linked: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.core.publishing.engine_world import lengthen_break

    linked.publish(TIMECARD, sites=SITE)
    entry = held(linked, TIMECARD)[0]
    linked.control("POST", "act", kind="timecard_entry", id=entry.procore_id, action="update", fields={"hours": "3"})
    lengthen_break(linked, entry)
    assert main(["publish", "--module", "timecard", *WEEK]) == 1  # refused: changed in Procore
    capsys.readouterr()

    assert main(["publish", "--module", "timecard", *WEEK, "--action", "keep-procore"]) == 0

    out = capsys.readouterr().out
    assert "1 kept as Procore has them" in out
    kept = linked.entries(TIMECARD, id=entry.id)[0]
    assert kept.status == PublishStatus.PUBLISHED
    assert kept.published_payload is not None
    assert kept.published_payload["hours"] == "3"
