"""Procore API calls per published entry, per module: the publishing engine against a naive publisher.

Run by hand from the project root (pytest never collects bench/):

    python bench/api_calls.py [--job-sites N] [--employees N] [--days N]

One demo world (default 10 job sites, 200 employees, 10 days) is linked to its
own emulator. For each module (manpower, quantity, timecard) the same To do
entries are published twice, each time into the emulator's seed world (reset
between the two, same seed: same ids), and the emulator counts the requests:

* naive: for each entry, one list call for its project and day to look for
  it, then one write (one create per entry, timecards included);
* ours: `core.publishing.publish`, which lists each project's records once for
  the dates involved and creates timecards in bulk (25 per request).

Both send the same fields (the engine's `prepare` builds them for the naive
publisher too). Only requests made by the publish are counted: stats are
cleared right before it, and OAuth token calls are never counted by the
emulator. Calls per entry divides by the entries published (created).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from bench.procore_records import assert_same_records, procore_records
from bench.world import World, build_world
from core.db import session_scope
from core.models.publishing import PublishModule
from core.modules.registry import definition
from core.modules.targets import Payload
from core.procore.client import ProcoreClient
from core.procore.inputs import ManpowerLogInput, QuantityLogInput, TimecardEntryInput
from core.publishing import Operation
from core.publishing.planned import PlannedEntry, load_entries, prepare

MODULES = (PublishModule.MANPOWER, PublishModule.QUANTITY, PublishModule.TIMECARD)
GOALS = {PublishModule.MANPOWER: 1.05, PublishModule.QUANTITY: 1.05, PublishModule.TIMECARD: 0.10}


@dataclass
class Counted:
    """One publisher's run: entries it created, the requests the emulator counted, and the time taken."""

    created: int
    requests: dict[str, int]
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def per_entry(self) -> float:
        return self.total / self.created if self.created else float("nan")


def main() -> None:
    options = _options()
    print(f"Building a world of {options.job_sites} job sites, {options.employees} employees, {options.days} days…")
    world = build_world(job_sites=options.job_sites, employees=options.employees, days=options.days,
                        modules=MODULES)
    try:
        results = {module: _measure(world, module) for module in MODULES}
    finally:
        world.close()
    figures = ", ".join(f"{module.value} {results[module][1].per_entry:.2f}" for module in MODULES)
    goals = ", ".join(f"≤ {GOALS[module]:.2f}" for module in MODULES)
    print(f"api_calls_per_entry: {figures} (goal {goals})")


def _measure(world: World, module: PublishModule) -> tuple[Counted, Counted]:
    entry_ids = world.publishable(module)
    world.reset_procore()
    world.clear_stats()
    naive = _timed(lambda: _naive_publish(world, module, entry_ids), world)
    naive_records = procore_records(world, module)
    world.reset_procore()
    world.clear_stats()
    ours = _timed(lambda: world.publish(module, entry_ids=entry_ids).outcomes[Operation.CREATE], world)
    assert_same_records(module, procore_records(world, module), naive_records)
    print(f"\n{module.value}: {len(entry_ids)} entries To do")
    for name, counted in (("naive", naive), ("ours", ours)):
        print(f"  {name:5} {counted.created:5} created, {counted.total:5} requests, "
              f"{counted.per_entry:.3f} per entry, {counted.seconds:.1f} s")
        for template, count in sorted(counted.requests.items()):
            print(f"          {count:5}  {template}")
    print(f"  ours makes {naive.per_entry / ours.per_entry:.1f}x fewer calls per entry than naive "
          f"(goal ≤ {GOALS[module]:.2f} per entry: {'met' if ours.per_entry <= GOALS[module] else 'NOT met'})")
    return naive, ours


def _timed(run: Any, world: World) -> Counted:
    started = time.perf_counter()
    created = int(run())
    seconds = time.perf_counter() - started
    return Counted(created=created, requests=world.stats(), seconds=seconds)


def _naive_publish(world: World, module: PublishModule, entry_ids: Sequence[int]) -> int:
    """Look each entry up in Procore (one list call for its project and day), then create it if absent."""
    target = definition(module).target
    with session_scope(world.engine) as session:
        entries = load_entries(session, entry_ids)
        prepared = prepare(session, company_id=world.company_id, target=target, entries=entries)
    created = 0
    with world.client() as client:
        for entry in entries:
            if entry.id not in prepared.payloads:
                continue
            project, payload = prepared.payloads[entry.id]
            if not _look_up(client, module, project, entry, payload):
                _create(client, module, project, payload)
                created += 1
    return created


def _look_up(client: ProcoreClient, module: PublishModule, project: int, entry: PlannedEntry,
             payload: Payload) -> bool:
    day = entry.work_date
    if module is PublishModule.MANPOWER:
        return any(log.contact is not None and log.contact.id == payload.get("contact_id")
                   and log.num_workers == payload["num_workers"] and (log.notes or None) == payload.get("notes")
                   for log in client.iter_manpower_logs(project_id=project, start=day, end=day))
    if module is PublishModule.QUANTITY:
        return any(log.cost_code is not None and log.cost_code.id == payload["cost_code_id"]
                   and log.unit == payload["unit"]
                   for log in client.iter_quantity_logs(project_id=project, start=day, end=day))
    return any(card.origin_id == payload["origin_id"]
               for card in client.iter_project_timecard_entries(project_id=project, start=day, end=day))


def _create(client: ProcoreClient, module: PublishModule, project: int, payload: Payload) -> None:
    if module is PublishModule.MANPOWER:
        client.create_manpower_log(project_id=project, log=ManpowerLogInput(**payload))
    elif module is PublishModule.QUANTITY:
        client.create_quantity_log(project_id=project, log=QuantityLogInput(**payload))
    else:
        fields = {name: value for name, value in payload.items() if name in TimecardEntryInput.model_fields}
        client.create_project_timecard_entry(project_id=project, entry=TimecardEntryInput(**fields))


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--job-sites", type=int, default=10)
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--days", type=int, default=10)
    return parser.parse_args()


if __name__ == "__main__":
    main()
