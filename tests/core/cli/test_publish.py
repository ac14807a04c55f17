"""`python -m core publish` and `python -m core status` on the linked demo world."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.models.publishing import PublishModule, PublishStatus
from tests.core.publishing.engine_world import Linked, calls, procore_ids

MANPOWER = PublishModule.MANPOWER
WEEK = ["--from", "2026-11-16", "--to", "2026-11-20"]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def linked(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> Linked:
    """The linked world (see tests/linked_worlds.py), the command line pointed at it."""
    monkeypatch.setenv("DATA_DIR", str(linked.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", linked.settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(linked.settings.emulator_state))
    return linked


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
    assert f"{created} created" in published
    assert "is in the audit trail" in published

    run_id = published.split("Run ")[1].split()[0]
    assert main(["audit", "--run", run_id, "--bodies"]) == 0
    trail = capsys.readouterr().out.splitlines()
    assert len([line for line in trail if " create 201 → Published by " in line]) == created
    assert any("'num_workers'" in line for line in trail)

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


@pytest.mark.parametrize("linked_modules", [frozenset({PublishModule.TIMESHEET})], ids=["timesheet"])
def test_timesheets_publish_from_the_command_line_too(
    linked_modules: frozenset[PublishModule], linked: Linked, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "--module", "timesheet", *WEEK, "--job-site", "1001"]) == 0

    published = linked.entries(PublishModule.TIMESHEET, status=PublishStatus.PUBLISHED)
    assert published
    assert f"{len(published)} created" in capsys.readouterr().out


def test_two_publisher_processes_at_once_create_each_log_once(linked: Linked) -> None:
    env = {**os.environ, "DATA_DIR": str(linked.settings.data_dir), "DATABASE_URL": linked.settings.database_url,
           "EMULATOR_STATE": str(linked.settings.emulator_state)}
    linked.control("PUT", "config", latency_ms=100)
    linked.control("DELETE", "stats")
    command = [sys.executable, "-m", "core", "publish", "--module", "manpower", *WEEK]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    published = [e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED]
    posts = sum(count for key, count in calls(linked).items() if key.startswith("POST"))
    assert posts == len(published) > 0
    projects = {e.procore_project_id for e in published}
    assert sorted(log.id for p in projects for log in linked.remote("manpower", p)) == procore_ids(published)
