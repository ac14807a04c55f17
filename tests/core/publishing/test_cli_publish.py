"""`python -m core publish` and `python -m core status` on the linked demo world."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.access import Identity
from core.cli import main
from core.config import Settings
from core.models.publishing import PublishModule, PublishStatus
from tests.core.publishing.engine_world import Linked, link_world

MANPOWER = PublishModule.MANPOWER
WEEK = ["--from", "2026-11-16", "--to", "2026-11-20"]


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int,
           monkeypatch: pytest.MonkeyPatch) -> Linked:
    world = link_world(settings, demo_engine, admin, emulator_url, connected, frozenset({MANPOWER}))
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(settings.emulator_state))
    return world


def test_dry_run_then_publish_then_status(linked: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--module", "manpower", *WEEK, "--job-site", "1001", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "Would do:" in dry
    assert "job site 1001 2026-11-16" in dry
    assert ": Create date='2026-11-16', contact_id=" in dry
    assert not [e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED]

    assert main(["publish", "--module", "manpower", *WEEK, "--job-site", "1001"]) == 0
    published = capsys.readouterr().out
    created = len([e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED])
    assert f"{created} create" in published
    assert "is in the audit trail" in published

    assert main(["status", "--module", "manpower", *WEEK, "--job-site", "1001"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "Published" in table[0]
    assert "Non publishable" in table[0]
    assert table[1].split()[0] == "1001"
    assert str(created) in table[1].split()


def test_bad_arguments_get_a_plain_message(linked: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--module", "manpower", *WEEK, "--job-site", "9999"]) == 2
    assert "No job site numbered 9999" in capsys.readouterr().err
    assert main(["publish", "--module", "manpower", "--from", "2026-11-20", "--to", "2026-11-16"]) == 2
    assert "is before" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["publish", "--module", "manpower", "--from", "16/11/2026", "--to", "2026-11-20"])
    assert "is not a date like" in capsys.readouterr().err
