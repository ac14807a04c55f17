"""`python -m core schedule show|set|off`, and bad input: one error line, exit status 2, the schedule unchanged."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.cli import main
from core.config import Settings
from core.jobs.queue import get_queue
from core.models.jobs import PublishSchedule
from core.models.publishing import PublishModule
from tests.core.publishing.engine_world import Linked


@pytest.fixture
def queue_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def shell(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> Linked:
    settings = linked.settings
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(settings.emulator_state))
    monkeypatch.setenv("JOBS_URL", settings.jobs_url)
    return linked


def stored(linked: Linked) -> tuple[bool, int | None, str | None, int, bool] | None:
    with Session(linked.engine) as session:
        row = session.get(PublishSchedule, PublishModule.MANPOWER.value)
        return None if row is None else (row.active, row.every_hours, row.daily_at, row.days_back, row.approved_only)


def test_set_show_and_turn_off_a_schedule(shell: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "set", "--module", "manpower", "--daily", "02:00", "--days-back", "7",
                 "--approved-only"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("manpower   daily at 02:00 (America/")
    assert "the last 7 days, job-site weeks Approved on payroll only · next " in said
    assert stored(shell) == (True, None, "02:00", 7, True)

    assert main(["schedule", "set", "--module", "manpower", "--every", "2h", "--days-back", "3"]) == 0
    capsys.readouterr()
    assert main(["schedule", "show"]) == 0
    assert capsys.readouterr().out.startswith("manpower   every 2 h, the last 3 days, all closed time · next ")

    assert main(["schedule", "tick"]) == 0  # every 2 h, never ran: due at once
    assert capsys.readouterr().out.startswith("Queued jobs ")
    assert main(["schedule", "tick"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing is due."

    assert main(["schedule", "off", "--module", "manpower"]) == 0
    assert capsys.readouterr().out.strip() == "manpower schedule off."
    assert main(["schedule", "show"]) == 0
    assert capsys.readouterr().out.startswith("manpower   off · last ")
    assert stored(shell) == (False, 2, None, 3, False)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--module", "manpower", "--every", "0h"], "whole hours from 1h to 24h"),
    (["--module", "manpower", "--every", "90m"], "not '90m'"),
    (["--module", "manpower", "--daily", "24:00"], "like 02:00"),
    (["--module", "manpower", "--daily", "02:00", "--every", "2h"], "not allowed with argument"),
    (["--module", "manpower"], "one of the arguments --every --daily is required"),
    (["--module", "manpower", "--every", "2h", "--days-back", "0"], "0 is not between 1 and 62"),
    (["--module", "manpower", "--every", "2h", "--days-back", "x"], "'x' is not a whole number"),
    (["--module", "payroll", "--every", "2h"], "invalid choice: 'payroll'"),
    (["--module", "quantity", "--every", "2h"], "Production quantity"),
], ids=["zero hours", "minutes", "24:00", "both", "neither", "no days", "days not a number", "unknown module",
        "module not enabled"])
def test_bad_schedule_input_is_one_error_line_and_changes_nothing(
        shell: Linked, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str) -> None:
    assert main(["schedule", "set", "--module", "manpower", "--daily", "02:00", "--days-back", "5"]) == 0
    capsys.readouterr()
    try:
        status = main(["schedule", "set", *arguments])
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert stored(shell) == (True, None, "02:00", 5, False)


def test_the_queue_runs_the_schedules_tick_each_minute(settings: Settings) -> None:
    names = [task.name for task in get_queue(settings)._registry.periodic_tasks]  # noqa: SLF001 - huey keeps them there
    assert "run_due_schedules" in names
