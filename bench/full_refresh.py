"""Building every entry of a million time logs, and the whole refresh from an empty entries table, each in a
process of its own.

Run by `bench/aggregation.py` twice (or alone: `python bench/full_refresh.py DATABASE_URL START END PART`,
PART `building` or `refresh`), so that each part's peak memory is its own: what a process holds after
building would otherwise count towards the refresh's peak. On the bench world:

- `building`: the floor (the time logs' columns read as the build reads them, one pass over each, nothing
  built), then every module's entries computed as a refresh computes them (reading, aggregating, natural keys,
  values, fingerprints, the mapping check), the time logs read once for all modules; reading printed apart;
- `refresh`: the stored entries deleted (committed), then every module refreshed in one transaction
  (`refresh_modules_changed`), the writes of about 1.2 million entries included; the entries are deleted
  again afterwards, so other benches start from an empty entries table. On SQLite, the copy of the write-ahead
  log back into the database that follows the commit on a thread is timed apart (`checkpoint`).

Prints one JSON line: seconds (wall and CPU, this process and its children), load average, entries written
and the peak resident memory of this process (`VmHWM`) and of its largest child (the SQLite reader).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete
from sqlmodel import Session

from bench.readers import cpu_seconds
from core.aggregation import source
from core.aggregation.columnar import parallel_readers, read_table
from core.db import create_db_engine
from core.models import DirtyDay, PublishAttempt, PublishEntry, PublishModule, RefreshedDay
from core.publishing.incremental import refresh_modules_changed
from core.publishing.modules import ReasonResolver, computed_entries
from core.sqlite_checkpoints import checkpoints_finished
from core.sync.resolver import mapping_reasons

MODULES = [PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY]
COMPANY_ID = 1  # no Procore links in the bench world: the mapping check names every job site


def main() -> None:
    url, start, end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    part = sys.argv[4] if len(sys.argv) > 4 else "building"
    engine = create_db_engine(url)
    figures: dict[str, Any] = {}
    if part == "building":
        figures = {"floor": _floor(engine, start, end), "building": _building(engine, start, end)}
    else:
        _empty(engine)
        figures["refresh"] = _timed(lambda: _refresh(engine, start, end))
        # SQLite copies the write-ahead log back on a thread once the refresh has committed: timed apart
        figures["checkpoint"] = _timed(lambda: int(checkpoints_finished()))
        _empty(engine)  # other benches find the entries of their own resolver, not of this one
    figures["peak_mib"] = _peak_mib()
    figures["child_peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(figures))


def _peak_mib() -> float:
    """This process's peak resident memory since it started this script.

    Linux's `ru_maxrss` keeps the peak of the process before `exec`, that is of the parent it was forked from
    (`aggregation.py`, holding the ORM loop's results, about 3 GiB): `VmHWM` belongs to this program's own memory.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _empty(engine: Any) -> None:
    """No stored entries, nothing refreshed: every range is computed whole next time."""
    with Session(engine) as session:
        for model in (PublishAttempt, PublishEntry, DirtyDay, RefreshedDay):
            session.execute(delete(model))
        session.commit()


def _resolver(session: Session) -> ReasonResolver:
    def resolver(module: PublishModule, keys: Any) -> list[list[str]]:
        return mapping_reasons(session, company_id=COMPANY_ID, module=module, keys=keys).tolist()

    return resolver


def _building(engine: Any, start: date, end: date) -> dict[str, Any]:
    """Every module's entries computed, the time logs read once; the first read timed on its own too."""
    with Session(engine) as session, source.shared_reads():
        reading = _timed(lambda: source.load_time_logs(session, start=start, end=end))
        rest = _timed(lambda: [len(computed_entries(session, module=module, start=start, end=end,
                                                    resolver=_resolver(session))) for module in MODULES])
    return {"reading": reading, "all": {key: reading[key] + rest[key] for key in ("wall", "cpu")},
            "entries": rest["result"]}


def _floor(engine: Any, start: date, end: date) -> dict[str, Any]:
    """The least building can take here: the time logs' columns read as the build reads them (the same slices
    through the same reader) and one pass over every column (a sum), with nothing built."""
    with Session(engine) as session:
        zones = source._site_zones(session, None)
        low, high = source._utc_window(start, end, set(zones.values()))
        as_text = session.connection().dialect.name == "sqlite"
        queries = [source._time_log_query(source._clock_ins(*bounds, None), as_text=as_text)
                   for bounds in source._slices(low, high, parallel_readers())]

        def read_and_pass() -> int:
            table = read_table(session, queries, source._RAW_SCHEMA)
            for column in table.columns:  # one pass over each column; the sums themselves are not needed
                pc.sum(column.cast(pa.int64()))
            return int(table.num_rows)

        return _timed(read_and_pass)


def _refresh(engine: Any, start: date, end: date) -> int:
    with Session(engine) as session:
        reports = refresh_modules_changed(session, modules=MODULES, start=start, end=end,
                                          resolver=lambda _module: _resolver(session))
        session.commit()
    return sum(report.created for report in reports)


def _timed(work: Any) -> dict[str, Any]:
    """Wall and CPU seconds of `work` (CPU of this process and of the children it waited for), its result."""
    started, started_cpu = time.perf_counter(), cpu_seconds()
    result = work()
    wall, used = time.perf_counter() - started, cpu_seconds() - started_cpu
    return {"wall": wall, "cpu": used, "load": os.getloadavg()[0], "result": result if isinstance(result, int)
            else result if isinstance(result, list) else None}


if __name__ == "__main__":
    main()
