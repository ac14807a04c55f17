"""The pacing state in a file, as processes of one connection share it: what one writes, the other reads."""

from __future__ import annotations

from pathlib import Path

from core.procore.shared_pacing import FileState


def test_two_holders_of_one_file_see_each_others_changes(tmp_path: Path) -> None:
    first, second = FileState(tmp_path / "pacing" / "a.json"), FileState(tmp_path / "pacing" / "a.json")
    with first.locked() as state:
        state["sent"] = 12
    with second.locked() as state:
        assert state == {"sent": 12}
        state["sent"] = 3  # shorter than before: nothing of the old text may be left behind
    with first.locked() as state:
        assert state == {"sent": 3}


def test_a_deleted_file_is_made_again_and_shared_again(tmp_path: Path) -> None:
    path = tmp_path / "pacing" / "a.json"
    first, second = FileState(path), FileState(path)
    with first.locked() as state:
        state["sent"] = 1
    path.unlink()
    with second.locked() as state:
        state["sent"] = 2
    with first.locked() as state:
        assert state == {"sent": 2}
