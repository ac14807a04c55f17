"""Publishing 1,000 manpower entries with 50 ms of latency per request: eight in flight against one at a time.

Run by hand from the project root (pytest never collects bench/):

    python bench/concurrency.py [--entries N] [--latency-ms N]

Two identical fresh worlds are built (the same demo world linked to its own
emulator, imported), so neither run finds the other's records. The emulator
adds the latency to every REST request, with rate limits raised out of the
way. The same engine (`core.publishing.publish`) publishes the same 1,000 To do
manpower entries in each: once with its default workers
(`core.procore.constants.DEFAULT_WORKERS`), once with `workers=1`
(sequential, the baseline). The time is the whole `publish` call: refresh from
the time clock, plan (one list call per project), writes and recording. Printed
beside it: the CPU time of this process during the call (the emulator serves
from a thread of this same process, so its share is in it) and the load average.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from bench.procore_records import assert_same_records, procore_records
from bench.world import World, build_world
from core.models.publishing import PublishModule
from core.procore.constants import DEFAULT_WORKERS
from core.publishing import Operation

MANPOWER = PublishModule.MANPOWER
GOAL = 5.0
ENTRIES_PER_SITE = 40  # To do manpower entries per job site over 10 days, with 20 employees per site (measured: ~45)


def main() -> None:
    options = _options()
    print(f"load average at start: {os.getloadavg()}")
    timed, records = {}, {}
    for workers in (DEFAULT_WORKERS, 1):
        world = _world(options.entries)
        try:
            timed[workers] = _publish(world, options.entries, options.latency_ms, workers)
            world.configure(latency_ms=0)
            records[workers] = procore_records(world, MANPOWER)
        finally:
            world.close()
    assert_same_records(MANPOWER, records[DEFAULT_WORKERS], records[1])
    ours, sequential = timed[DEFAULT_WORKERS], timed[1]
    ratio = sequential / ours
    print(f"\nours ({DEFAULT_WORKERS} workers) {ours:.1f} s, sequential {sequential:.1f} s: {ratio:.1f}x faster "
          f"(goal ≥ {GOAL:.0f}x: {'met' if ratio >= GOAL else 'NOT met'})")
    name = f"publish_{options.entries}_latency_{options.latency_ms}ms"
    print(f"{name}: {ours:.1f} s vs {sequential:.1f} s sequential, {ratio:.1f}x (goal ≥ {GOAL:.0f}x)")
    print(f"load average at end: {os.getloadavg()}")


def _world(entries: int) -> World:
    sites = max(8, math.ceil(entries / ENTRIES_PER_SITE))
    return build_world(job_sites=sites, employees=20 * sites, days=10, modules={MANPOWER})


def _publish(world: World, entries: int, latency_ms: int, workers: int) -> float:
    entry_ids = world.publishable(MANPOWER, limit=entries)
    if len(entry_ids) < entries:
        raise SystemExit(f"the world has only {len(entry_ids)} manpower entries To do, not {entries}")
    world.configure(latency_ms=latency_ms)
    world.clear_stats()
    started, cpu = time.perf_counter(), time.process_time()
    report = world.publish(MANPOWER, entry_ids=entry_ids, workers=workers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    requests = sum(world.stats().values())
    print(f"workers={workers}: {report.outcomes[Operation.CREATE]} created of {entries}, {requests} requests, "
          f"{seconds:.1f} s, {cpu:.1f} s CPU with the emulator's ({1000 * cpu / requests:.1f} ms per request) "
          f"({report.summary()})")
    return seconds


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    return parser.parse_args()


if __name__ == "__main__":
    main()
