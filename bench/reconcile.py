"""Reconciling a 300-site week: Procore calls per project and the time, against a naive GET per entry.

Run by hand from the project root (pytest never collects bench/):

    python bench/reconcile.py [--job-sites N] [--employees N] [--days N] [--drift N]

One demo world (default 300 job sites, 3,000 employees, 7 days) is linked to its
own emulator and its manpower week is published. Then, as people in Procore
would, `--drift` published logs are edited and as many deleted (`/_emulator/act`),
and both reconcilers run in the same state, the emulator counting their requests:

* ours: `core.reconcile.reconcile` (refresh from the time clock, then one list
  call per project and page for the whole range);
* naive: one GET per published entry (a 404 means deleted in Procore), the
  fields compared the same way.

Both must find the same drifting entries (edited with the same field
differences, and deleted); a GET per entry cannot see records from other
sources at all, so the drift made here is edits and deletes only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from sqlmodel import Session, col, select

from bench.world import World, build_world
from core.db import session_scope
from core.errors import NotFoundError
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.registry import definition
from core.modules.targets import differences
from core.modules.targets.manpower import _manpower  # the target's own reading of a log, for the naive side
from core.publishing.refresh import enabled_company, refresh
from core.reconcile import Finding, reconcile
from core.reconcile.sources import our_side

MANPOWER = PublishModule.MANPOWER
LIST = "GET /rest/v1.0/projects/{project_id}/manpower_logs"
Drift = set[tuple[int, str, tuple[tuple[str, object, object], ...]]]  # entry id, finding, field differences


def main() -> None:
    options = _options()
    print(f"Building a world of {options.job_sites} job sites, {options.employees} employees, {options.days} days…")
    world = build_world(job_sites=options.job_sites, employees=options.employees, days=options.days,
                        modules={MANPOWER})
    try:
        _run(world, options.drift)
    finally:
        world.close()


def _run(world: World, drift: int) -> None:
    started = time.perf_counter()
    report = world.publish(MANPOWER)
    print(f"published the week: {report.summary()} ({time.perf_counter() - started:.1f} s)")
    made = _make_drift(world, drift)
    print(f"in Procore: {made} logs edited or deleted")

    world.clear_stats()
    started = time.perf_counter()
    refresh(world.engine, module=MANPOWER, start=world.start, end=world.end)  # what reconcile does first
    refreshed = time.perf_counter()
    result = reconcile(world.settings, world.engine, module=MANPOWER, start=world.start, end=world.end,
                       refresh_first=False)
    ours_seconds, ours_calls = time.perf_counter() - started, world.stats()
    print(f"ours: refresh from the time clock {refreshed - started:.2f} s, reading Procore and comparing "
          f"{time.perf_counter() - refreshed:.2f} s")
    ours = {(d.entry_id, d.finding.value, _sorted(d.differs)) for day in result.drifting for d in day.details
            if d.entry_id is not None}

    world.clear_stats()
    started = time.perf_counter()
    naive = _naive(world)
    naive_seconds, naive_calls = time.perf_counter() - started, world.stats()

    assert ours == naive, f"the reconcilers disagree: {sorted(ours ^ naive)[:5]}"
    assert len(ours) == made, f"{made} changes made in Procore, {len(ours)} found"
    lists = ours_calls.get(LIST, 0)
    print(f"both found the same {len(ours)} drifting entries on {len(result.drifting)} of {len(result.days)} "
          f"job-site days")
    print(f"  ours   {sum(ours_calls.values()):6} requests ({lists} list calls for {result.projects} projects, "
          f"{lists / max(result.projects, 1):.2f} per project), {ours_seconds:.2f} s")
    print(f"  naive  {sum(naive_calls.values()):6} requests (a GET per published entry), {naive_seconds:.2f} s")
    print(f"reconcile_week_{world.sizes['job_sites']}: {sum(ours_calls.values())} calls, {ours_seconds:.2f} s "
          f"(goal ≤ 1 call per project per page, ≤ 5 s)")


def _make_drift(world: World, count: int) -> int:
    published = [e for e in _entries(world) if e.status == PublishStatus.PUBLISHED]
    step = max(len(published) // (2 * count), 1)
    chosen = published[::step][: 2 * count]
    for position, entry in enumerate(chosen):
        if position % 2:
            world.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="delete")
        else:
            world.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="update",
                          fields={"num_workers": int(entry.values["manpower"]) + 1})
    return len(chosen)


def _entries(world: World) -> list[PublishEntry]:
    with Session(world.engine) as session:
        query = select(PublishEntry).where(PublishEntry.module == MANPOWER).order_by(col(PublishEntry.id))
        return list(session.exec(query).all())


def _naive(world: World) -> Drift:
    """One GET per published entry; compare its fields with what the entry sends now."""
    target = definition(MANPOWER).target
    with session_scope(world.engine) as session:
        company_id = enabled_company(session, MANPOWER)
        side = our_side(session, company_id=company_id, target=target, start=world.start, end=world.end,
                        job_site_ids=None)
    found: Drift = set()
    with world.client() as client:
        for entry in side.entries:
            if entry.procore_id is None or entry.project_id is None or entry.status is PublishStatus.DELETED:
                continue
            try:
                log = client.get_manpower_log(project_id=entry.project_id, log_id=entry.procore_id)
            except NotFoundError:
                found.add((entry.entry_id, Finding.DELETED_IN_PROCORE.value, ()))
                continue
            changed = differences(target, entry.fields, _manpower(log).fields)
            if changed:
                found.add((entry.entry_id, Finding.CHANGED.value, _sorted(changed)))
    return found


def _sorted(differs: dict[str, tuple[object, object]]) -> tuple[tuple[str, object, object], ...]:
    return tuple(sorted((name, ours, theirs) for name, (ours, theirs) in differs.items()))


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job-sites", type=int, default=300)
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--drift", type=int, default=20, help="logs edited, and as many deleted, in Procore")
    return parser.parse_args()


if __name__ == "__main__":
    main()
