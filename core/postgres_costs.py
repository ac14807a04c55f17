"""PostgreSQL's planner told that a random page read costs about what a sequential one does, unless the server says.

PostgreSQL prices a random page read at four sequential ones by default (`random_page_cost = 4`), a figure for
spinning disks; its documentation suggests about 1.1 for solid-state storage, and a database this product writes
to is served from memory and SSDs. The default shows most in foreign-key checks: each inserted row looks its
parent up by `SELECT 1 FROM ONLY parent WHERE id = $1 FOR KEY SHARE`, and on a parent of a few pages (300 job
sites, 300 cost codes) the planner prefers reading every row of it to one descent of its primary key. Time logs
and production quantities name such parents. So did publish entries before migration 0018: a week's 111,125
timecard entries, inserted by PostgreSQL alone from a table of the same rows, took 9.1–9.6 s that way and 7.0–7.3 s
with the checks going through the keys' indexes (each run in a new session; 2.1–2.2 s with no foreign keys at all).

The setting is made when a connection opens, for that connection only, and only where nobody chose a value: a
`random_page_cost` set in the server's configuration, for the database or for the role is kept as it is. It must be
in place before a connection's first check of a key: PostgreSQL plans each check once per session and keeps the
plan.
"""

from __future__ import annotations

from typing import Any

RANDOM_PAGE_COST = "1.1"


def random_page_cost_set(dbapi_connection: Any, _record: Any) -> None:
    """On a new psycopg connection: set `random_page_cost` to RANDOM_PAGE_COST when the server left it at its
    built-in default. The check and the setting are committed, so the setting lasts as long as the connection."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT source FROM pg_settings WHERE name = 'random_page_cost'")
        found = cursor.fetchone()
        if found is not None and found[0] == "default":
            cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
    dbapi_connection.commit()
