"""The import preview on the emulator: what a two-way import would change, before it changes anything.

Regression tests for issue 19 (the import silently rewrote names and time zones).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.cli import main
from core.db import session_scope
from core.models import JobSite, TimeLog
from core.models.publishing import DirtyDay, PublishModule, PublishStatus
from core.publishing.refresh import refresh
from core.sync.import_changes import ChangeKind, Owner
from core.sync.import_owners import save_owners
from core.sync.import_preview import ImportPreview, preview_import, preview_lines
from core.sync.importer import run_import
from core.timeclock.rules import work_date
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked
from tests.core.sync.import_world import FAR_EAST, TIMECARD, employee_of, rename_and_move, site_of


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({TIMECARD})


def _moved_logs(linked: Linked, site: JobSite, new_zone: str) -> int:
    with Session(linked.engine) as session:
        logs = session.exec(select(TimeLog).where(TimeLog.job_site_id == site.id,
                                                  col(TimeLog.deleted_at).is_(None))).all()
    return sum(work_date(log.clock_in, site.time_zone) != work_date(log.clock_in, new_zone) for log in logs)


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("job_site", "employee", "company", "cost_code", "procore_link", "payroll_item", "publish_entry",
              "dirty_day", "refreshed_day", "time_log", "import_field_owner")
    with engine.connect() as connection:
        return {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}")).all()), key=repr)  # noqa: S608
                for t in tables}


@pytest.fixture
def renamed_and_moved(linked: Linked) -> Linked:
    return rename_and_move(linked)


def _preview(linked: Linked) -> ImportPreview:
    with linked.client() as client:
        return preview_import(linked.settings, linked.engine, actor=linked.admin, company_id=linked.company_id,
                              client=client)


def _import(linked: Linked, *, apply_moving: bool) -> None:
    with linked.client() as client:
        run_import(linked.settings, linked.engine, actor=linked.admin, company_id=linked.company_id, client=client,
                   apply_moving=apply_moving)


def test_preview_lists_the_rename_and_the_time_zone_with_what_it_moves(renamed_and_moved: Linked) -> None:
    linked = renamed_and_moved
    site, employee = site_of(linked), employee_of(linked)
    moved = _moved_logs(linked, site, FAR_EAST)
    assert moved > 0

    preview = _preview(linked)

    changed = {c.record: c for c in preview.of_kind(ChangeKind.CHANGED)}
    rename = changed[f"{employee.first_name} {employee.last_name} (employee 10001)"]
    assert [(f.name, f.old, f.new) for f in rename.fields] == [("first_name", employee.first_name, "Anabel")]
    assert not rename.moves_published_work
    zone = changed[f"{site.name} (job site 1001)"]
    assert [(f.name, f.old, f.new) for f in zone.fields] == [("time_zone", site.time_zone, FAR_EAST)]
    assert zone.moved_logs == moved
    assert zone.updated_entries > 0
    assert preview.moving == [zone]
    lines = "\n".join(preview_lines(preview))
    assert f"first_name: {employee.first_name} → Anabel" in lines
    assert f"moves {moved} time logs to another work date; {zone.updated_entries} published entries become Updated" \
        in lines

    # the count is what applying and refreshing really does to the published entries
    _import(linked, apply_moving=True)
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END)
    published_before = {e.id for e in linked.entries(TIMECARD, job_site_id=site.id)
                        if e.published_at is not None}
    changed_now = [e for e in linked.entries(TIMECARD, job_site_id=site.id)
                   if e.id in published_before and e.status != PublishStatus.PUBLISHED]
    assert len(changed_now) == zone.updated_entries


def test_preview_changes_nothing(renamed_and_moved: Linked) -> None:
    before = _snapshot(renamed_and_moved.engine)
    assert not _preview(renamed_and_moved).empty
    assert _snapshot(renamed_and_moved.engine) == before


def test_apply_without_moving_keeps_time_zones_and_takes_the_rest(renamed_and_moved: Linked) -> None:
    linked = renamed_and_moved
    zone_before = site_of(linked).time_zone

    _import(linked, apply_moving=False)

    assert site_of(linked).time_zone == zone_before
    assert employee_of(linked).first_name == "Anabel"
    again = _preview(linked)
    assert [c.record for c in again.changes] == [f"{site_of(linked).name} (job site 1001)"]  # only the time zone left


def test_applying_a_time_zone_marks_the_days_it_moves_dirty(renamed_and_moved: Linked) -> None:
    linked = renamed_and_moved
    site = site_of(linked)
    with session_scope(linked.engine) as session:
        session.execute(DirtyDay.__table__.delete())  # type: ignore[attr-defined]

    _import(linked, apply_moving=True)

    assert site_of(linked).time_zone == FAR_EAST
    with Session(linked.engine) as session:
        marked = {(d.job_site_id, d.work_date) for d in session.exec(select(DirtyDay))}
    assert (site.id, WEEK_START) in marked


def test_field_owners_keep_ours_and_say_so(renamed_and_moved: Linked) -> None:
    linked = renamed_and_moved
    zone_before, name_before = site_of(linked).time_zone, employee_of(linked).first_name
    with session_scope(linked.engine) as session:
        save_owners(session, owners={"time_zones": Owner.OURS, "names": Owner.OURS}, actor=linked.admin)

    preview = _preview(linked)
    assert preview.moving == []
    kept = {(f.name, f.kept) for c in preview.changes for f in c.fields}
    assert kept == {("first_name", "we own names"), ("time_zone", "we own time zones")}
    _import(linked, apply_moving=True)
    assert (site_of(linked).time_zone, employee_of(linked).first_name) == (zone_before, name_before)


@pytest.fixture
def cli_env(renamed_and_moved: Linked, monkeypatch: pytest.MonkeyPatch) -> Linked:
    monkeypatch.setenv("DATA_DIR", str(renamed_and_moved.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", renamed_and_moved.settings.database_url)
    monkeypatch.setenv("EMULATOR_STATE", str(renamed_and_moved.settings.emulator_state))
    return renamed_and_moved


def test_cli_dry_run_prints_the_preview_and_changes_nothing(
    cli_env: Linked, capsys: pytest.CaptureFixture[str],
) -> None:
    before = _snapshot(cli_env.engine)

    assert main(["import", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "→ Anabel" in out
    assert f"→ {FAR_EAST}" in out
    assert "published entries made Updated" in out
    assert "Dry run: nothing was changed." in out
    assert _snapshot(cli_env.engine) == before

    assert main(["import", "--dry-run", "--owner", "time_zones=ours"]) == 0
    assert f"→ {FAR_EAST} (kept: we own time zones)" in capsys.readouterr().out
    assert _snapshot(cli_env.engine) == before  # the owner given to a dry run is not saved either


def test_cli_refuses_moving_published_work_without_a_choice_then_applies_with_one(
    cli_env: Linked, capsys: pytest.CaptureFixture[str],
) -> None:
    before = _snapshot(cli_env.engine)
    assert main(["import"]) == 2
    captured = capsys.readouterr()
    assert "nothing was imported" in captured.err
    assert "--yes" in captured.err
    assert _snapshot(cli_env.engine) == before

    assert main(["import", "--without-moving"]) == 0
    assert site_of(cli_env).time_zone != FAR_EAST
    assert employee_of(cli_env).first_name == "Anabel"

    assert main(["import", "--yes"]) == 0
    assert site_of(cli_env).time_zone == FAR_EAST
