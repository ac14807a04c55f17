"""`python -m core undo --run ID` on the linked demo world: the plan first, nothing written without --yes."""

from __future__ import annotations

import pytest

from core.models.publishing import PublishModule, PublishStatus
from tests.core.cli.test_bad_arguments import assert_refused, dump, run_cli
from tests.core.publishing.engine_world import Linked, known

MANPOWER = PublishModule.MANPOWER


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


@pytest.fixture
def published(linked: Linked, monkeypatch: pytest.MonkeyPatch) -> int:
    """The command line on the linked world, one job site's week published; the run's id."""
    for name, value in (("DATA_DIR", str(linked.settings.data_dir)), ("DATABASE_URL", linked.settings.database_url),
                        ("EMULATOR_STATE", str(linked.settings.emulator_state))):
        monkeypatch.setenv(name, value)
    return known(linked.publish(MANPOWER, sites=["1001"]).run_id)


def _live(linked: Linked) -> int:
    return len([e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED])


def test_undo_prints_its_plan_and_changes_nothing_until_yes(
    linked: Linked, published: int, capsys: pytest.CaptureFixture[str]
) -> None:
    created = _live(linked)
    before = dump(linked.engine)

    dry = run_cli(["undo", "--run", str(published), "--dry-run"], capsys)
    asked = run_cli(["undo", "--run", str(published)], capsys)

    assert dry.code == 0
    assert f"Undo of run {published} (manpower): {created} to delete what the run created." in dry.out
    assert "Dry run: nothing was changed." in dry.out
    assert asked.code == 1
    assert "rerun with --yes" in asked.out
    assert dump(linked.engine) == before

    done = run_cli(["undo", "--run", str(published), "--yes"], capsys)

    assert done.code == 0, done
    assert f"{created} deleted." in done.out
    assert _live(linked) == 0
    again = run_cli(["undo", "--run", str(published), "--yes"], capsys)
    assert again.code == 0
    assert f"Run {published} was undone already" in again.out


@pytest.mark.parametrize(("argv", "message"), [
    (["undo"], "the following arguments are required: --run"),
    (["undo", "--run", "abc"], "'abc' is not a whole number"),
    (["undo", "--run", "999999"], "There is no publish run 999999 to undo."),
    (["undo", "--run", "1", "--dry-run", "--yes"], "not allowed with argument"),
])
def test_a_bad_undo_is_one_error_line_and_changes_nothing(
    linked: Linked, published: int, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(linked.engine)

    assert_refused(run_cli(argv, capsys), message)
    assert dump(linked.engine) == before
