"""A refresh's large writes to `publish_entry` on SQLite: the calendar's row triggers set aside, the job-site days
marked by one statement per write instead.

On SQLite, migration 0016's row triggers note in `calendar_mark` each held job-site
day a write to `publish_entry` changes (`core.dashboards.held_cells` groups those
days again). A row trigger runs once per row even when it marks nothing: a week's
111,125 new timecards took 1.5 s to insert with them and 0.95 s without (the
`sqlite3` shell, medians of 5). Set aside, a week's first open refreshed in 2.21 s
against 2.40 s, and after a mapping change that blocks every job site in 3.18 s
against 4.08 s (medians, interleaved, rolled back). For a write of
SET_ASIDE_MIN_ROWS rows or more, the refresh drops the triggers inside its
transaction, marks the days itself (`Aside`), and creates the triggers again from
their own stored SQL before the transaction ends, whatever happened: a rollback
restores them too. Marking is the same rule as the triggers' (a held day not marked
already), applied to every job-site day the write touches: it may mark a day whose
cells do not change, which costs that day a regroup and nothing else.

Other connections never see the triggers gone: the drop is not committed alone, and
SQLite lets one connection write at a time. PostgreSQL's statement triggers
(migration 0015) cost nothing per row; nothing is set aside there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Connection

from core.db import sqlite_transaction_begun

SET_ASIDE_MIN_ROWS = 1_000  # a smaller write keeps the triggers: they cost it under 5 ms (4.5 µs a row)
_TABLE = "publish_entry"
_HELD_AND_UNMARKED = (
    "EXISTS (SELECT 1 FROM calendar_day AS d WHERE d.module = {module} AND d.work_date = {day}) "
    "AND NOT EXISTS (SELECT 1 FROM calendar_mark AS m WHERE m.module = {module} AND m.work_date = {day} "
    "AND m.job_site_id = {site})"
)

# Job-site days passed to SQLite as JSON text, [[day, job site], …] (`core.dashboards.held_cells` reads them too).
SQLITE_PAIRS = ("(SELECT json_extract(value, '$[0]') AS work_date, json_extract(value, '$[1]') AS job_site_id "
                "FROM json_each(:pairs))")
_MARK_PAIRS = f"INSERT INTO calendar_mark (module, work_date, job_site_id) SELECT :module, t.work_date, t.job_site_id FROM {SQLITE_PAIRS} AS t"  # noqa: S608, E501


@dataclass(frozen=True)
class Aside:
    """Marks the job-site days of a write made while the triggers are set aside."""

    connection: Connection

    def mark_entries(self, ids_table: str) -> None:
        """Mark the days of the stored entries whose ids `ids_table` holds (column `b_id`): run before they are
        deleted, or before or after they are updated (a refresh never moves an entry to another day)."""
        held = _HELD_AND_UNMARKED.format(module="t.module", day="t.work_date", site="t.job_site_id")
        days = (f"SELECT DISTINCT e.module, e.work_date, e.job_site_id FROM {ids_table} AS s "  # noqa: S608
                f"CROSS JOIN {_TABLE} AS e WHERE e.id = s.b_id")
        marks = "INSERT INTO calendar_mark (module, work_date, job_site_id) SELECT * FROM t"
        self.connection.exec_driver_sql(f"WITH t AS MATERIALIZED ({days}) {marks} WHERE {held}")  # each day once

    def mark_rows(self, module: str, rows: pd.DataFrame) -> None:
        """Mark the days of new entries of `module`: `rows` holds their `work_date` (ISO text, as stored) and
        `job_site_id`."""
        pairs = rows[["work_date", "job_site_id"]].drop_duplicates()  # a day's site once, found on whole columns
        if pairs.empty:
            return
        held = _HELD_AND_UNMARKED.format(module=":module", day="t.work_date", site="t.job_site_id")
        text = json.dumps([[str(day), int(site)] for day, site in pairs.itertuples(index=False, name=None)])
        self.connection.exec_driver_sql(f"{_MARK_PAIRS} WHERE {held}", {"module": module, "pairs": text})


@contextmanager
def triggers_set_aside(connection: Connection, rows: int) -> Iterator[Aside | None]:
    """For a write of `rows` rows: an `Aside` while the calendar's row triggers are set aside (SQLite, a large
    write), or None where they run (the caller then marks nothing). Runs inside the caller's transaction."""
    if connection.dialect.name != "sqlite" or rows < SET_ASIDE_MIN_ROWS:
        yield None
        return
    triggers = [(str(name), str(sql)) for name, sql in connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (_TABLE,))]
    if not triggers:
        yield None
        return
    sqlite_transaction_begun(connection)  # the drop must not commit alone
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield Aside(connection)
    finally:
        for _, sql in triggers:  # already there again when an error rolled the whole transaction back
            connection.exec_driver_sql(sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))
