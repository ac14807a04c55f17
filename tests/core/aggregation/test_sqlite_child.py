"""The SQLite reader process: every query's rows in order, each with its own columns, or why it failed; the
child started ahead for the next read."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from core.aggregation import sqlite_child
from core.aggregation.sqlite_child import ChildReadError, read_in_child


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "child.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE log (id INTEGER, site INTEGER, at TEXT)")
        connection.executemany("INSERT INTO log VALUES (?, ?, ?)",
                               [(n, n % 3, f"2026-11-20 0{n % 10}:00:00.000000") for n in range(1, 2001)])
        connection.execute("CREATE TABLE quantity (site INTEGER, unit TEXT, units REAL)")
        connection.execute("INSERT INTO quantity VALUES (2, 'CY', 12.5)")
    return str(path)


def test_each_query_comes_back_in_order_with_its_own_columns(database: str) -> None:
    tables = read_in_child(database, ["SELECT id, site FROM log WHERE id <= 1500",
                                      "SELECT id, site FROM log WHERE id > 1500",
                                      "SELECT unit, units FROM quantity"])

    assert [table.num_rows for table in tables] == [1500, 500, 1]
    assert tables[0]["id"].to_pylist()[:2] == [1, 2]
    assert tables[1]["id"].to_pylist()[-1] == 2000
    assert tables[2].to_pylist() == [{"unit": "CY", "units": 12.5}]


def test_a_query_the_child_cannot_run_says_why(database: str) -> None:
    with pytest.raises(ChildReadError, match="no such table"):
        read_in_child(database, ["SELECT id FROM log", "SELECT id FROM nowhere"])


def _waiting_spare() -> subprocess.Popen[bytes]:
    """The child started ahead for the next read, which must be alive and waiting."""
    [spare] = sqlite_child._spare
    assert spare.process.poll() is None, "the spare child exited before its request"
    return spare.process


def test_a_child_started_ahead_reads_rows_committed_after_it_started(database: str) -> None:
    read_in_child(database, ["SELECT id FROM log"])
    spare = _waiting_spare()
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO log VALUES (2001, 1, '2026-11-21 07:00:00.000000')")

    [table] = read_in_child(database, ["SELECT count(*) AS n, max(id) AS last FROM log"])

    assert table.to_pylist() == [{"n": 2001, "last": 2001}]
    assert spare.wait(timeout=10) == 0, "the spare answered the read and exited"
    assert _waiting_spare().pid != spare.pid


def test_a_spare_that_died_is_replaced_and_the_read_still_answers(database: str) -> None:
    read_in_child(database, ["SELECT id FROM log"])
    spare = _waiting_spare()
    spare.kill()
    spare.wait(timeout=10)

    [table] = read_in_child(database, ["SELECT count(*) AS n FROM log"])

    assert table.to_pylist() == [{"n": 2000}]


def test_a_forked_copy_of_the_process_leaves_its_parents_spare_alone(database: str) -> None:
    read_in_child(database, ["SELECT id FROM log"])
    spare = _waiting_spare()
    forked = multiprocessing.get_context("fork")
    answers = forked.Queue()
    copy = forked.Process(target=_count_in_child, args=(database, answers))
    copy.start()
    rows = answers.get(timeout=60)
    copy.join(timeout=60)

    assert rows == 2000
    assert _waiting_spare().pid == spare.pid, "the forked copy took the parent's spare"


def test_a_forked_copy_that_never_reads_holds_up_no_read_of_its_parent(database: str) -> None:
    read_in_child(database, ["SELECT id FROM log"])
    forked = multiprocessing.get_context("fork")
    done = forked.Event()
    copy = forked.Process(target=done.wait, args=(60,))
    copy.start()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            reading = pool.submit(read_in_child, database, ["SELECT count(*) AS n FROM log"])
            [table] = reading.result(timeout=30)
    finally:
        done.set()
        copy.join(timeout=60)

    assert table.to_pylist() == [{"n": 2000}]


_FORKS_THEN_EXITS = """
import os, sys, time
from core.aggregation import sqlite_child
sqlite_child.read_in_child(sys.argv[1], ["SELECT id FROM log"])
copy = os.fork()
if copy == 0:
    time.sleep(60)
    os._exit(0)
print(sqlite_child._spare[0].process.pid, copy, flush=True)
"""


def test_the_spare_exits_with_its_process_though_a_forked_copy_lives_on(database: str, tmp_path: Path) -> None:
    printed = tmp_path / "pids.txt"
    with printed.open("wb") as output:  # a file, not a pipe: the copy holds its output open
        subprocess.run([sys.executable, "-c", _FORKS_THEN_EXITS, database], stdout=output, check=True,
                       cwd=Path(__file__).parents[3], timeout=60)
    spare, copy = (int(pid) for pid in printed.read_text().split())
    try:
        deadline = time.monotonic() + 20
        while _running(spare) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(spare), "the spare waits on for a request no process will send"
    finally:
        os.kill(copy, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _count_in_child(database: str, answers: Any) -> None:
    [table] = read_in_child(database, ["SELECT id FROM log"])
    answers.put(table.num_rows)
