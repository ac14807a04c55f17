"""`python -m core publish --background`, `worker --until-idle`, `jobs list` and `jobs cancel`."""

from __future__ import annotations

import pytest

from core.cli import main
from core.config import Settings
from core.models.publishing import PublishModule, PublishStatus
from tests.core.jobs.test_jobs import published, remote_ids
from tests.core.publishing.engine_world import Linked, procore_ids

WEEK = ["--from", "2026-11-16", "--to", "2026-11-20"]


@pytest.fixture
def shell(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> Linked:
    """The command line's environment pointing at the linked world and its queue."""
    settings: Settings = linked.settings
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(settings.emulator_state))
    monkeypatch.setenv("JOBS_URL", settings.jobs_url)
    return linked


def job_id_printed(out: str) -> str:
    assert out.startswith("Job "), out
    assert " queued" in out
    return out.split()[1]


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
def test_publish_in_the_background_then_a_worker_runs_it(shell: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--module", "manpower", *WEEK, "--job-site", "1001", "--background"]) == 0
    job_id = job_id_printed(capsys.readouterr().out)
    assert not published(shell)

    assert main(["jobs", "list", "--status", "queued"]) == 0
    listed = capsys.readouterr().out
    assert listed.split()[:3] == [job_id, "queued", "manpower"]
    assert "(cli, command-line@localhost)" in listed

    assert main(["worker", "--until-idle"]) == 0
    assert "1 job handled" in capsys.readouterr().out

    entries = published(shell)
    assert entries
    assert procore_ids(entries) == remote_ids(shell)
    assert main(["jobs", "list", "--status", "done"]) == 0
    line = capsys.readouterr().out
    assert line.split()[:2] == [job_id, "done"]
    assert f"{len(entries)} created" in line


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
def test_cancel_from_the_command_line(shell: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--module", "manpower", *WEEK, "--background"]) == 0
    job_id = job_id_printed(capsys.readouterr().out)

    assert main(["jobs", "cancel", job_id]) == 0
    assert capsys.readouterr().out.strip() == f"Job {job_id} cancelled."
    assert main(["jobs", "cancel", job_id]) == 2
    assert f"Publish job {job_id} already ended (cancelled)" in capsys.readouterr().err
    assert main(["jobs", "cancel", "999"]) == 2
    assert "No publish job 999." in capsys.readouterr().err

    assert main(["worker", "--until-idle"]) == 0
    assert not [e for e in shell.entries(PublishModule.MANPOWER) if e.status == PublishStatus.PUBLISHED]


@pytest.mark.parametrize("arguments", [
    ["publish", "--module", "manpower", *WEEK, "--background", "--dry-run"],
    ["jobs", "list", "--status", "paused"],
    ["jobs", "cancel", "x"],
    ["worker", "--workers", "0"],
], ids=["background dry run", "unknown status", "job id not a number", "no workers"])
def test_bad_arguments_are_one_error_line_and_exit_2(arguments: list[str], settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    try:
        status = main(arguments)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
