"""Publishing under Procore's spike limit (25 requests per 10 s): the 429s we cause and the time it takes.

Run by hand from the project root (pytest never collects bench/):

    python bench/rate_limit.py [--entries N]

A fresh world (the demo world linked to its own emulator, imported) publishes
N To do manpower entries (default 2,000: about 15 minutes; one request per
entry plus one list call per project) while the emulator allows 25 requests
per token per 10 s (the hourly window is raised out of the way). An httpx
response hook on the client counts the answers by status, so every 429 the
emulator sent is seen, retried ones included; the emulator's own counter gives
the requests made. The baseline is the least time the limit allows for that
many requests: requests / 25 × 10 s. A second, identical world then publishes
the same entries with no spike limit, and both must leave the same records in
Procore (`procore_records.py`): pacing and retries change when, never what.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

from bench.procore_records import assert_same_records, procore_records
from bench.world import build_world
from core.models.publishing import PublishModule
from core.publishing import Operation

MANPOWER = PublishModule.MANPOWER
SPIKE, WINDOW = 25, 10
GOAL_RATIO = 1.15
ENTRIES_PER_SITE = 40  # To do manpower entries per job site over 10 days, with 20 employees per site (measured: ~45)


def main() -> None:
    entries = _options().entries
    sites = max(8, math.ceil(entries / ENTRIES_PER_SITE))
    print(f"Building a world of {sites} job sites, {20 * sites} employees, 10 days…")
    world = build_world(job_sites=sites, employees=20 * sites, days=10, modules={MANPOWER})
    try:
        entry_ids = world.publishable(MANPOWER, limit=entries)
        unlimited = _unlimited_records(sites, entries)
        if len(entry_ids) < entries:
            raise SystemExit(f"the world has only {len(entry_ids)} manpower entries To do, not {entries}")
        world.reset_procore()  # fresh rate windows (the import's requests counted in them)
        world.configure(rate_limit_spike=SPIKE, rate_limit_spike_window=WINDOW, rate_limit_hourly=100_000)
        statuses: Counter[int] = Counter()
        client = world.client()
        client.http.event_hooks = {"request": [], "response": [lambda response: _count(statuses, response)]}
        print(f"Publishing {entries} manpower entries under {SPIKE} requests per {WINDOW} s…")
        started = time.perf_counter()
        with client:
            report = world.publish(MANPOWER, entry_ids=entry_ids, client=client)
        seconds = time.perf_counter() - started
        requests = sum(world.stats().values())
        world.configure(rate_limit_spike=100_000)
        assert_same_records(MANPOWER, procore_records(world, MANPOWER), unlimited)
    finally:
        world.close()
    minimum = requests / SPIKE * WINDOW
    ratio = seconds / minimum
    rejected = statuses[429]
    print(f"{report.outcomes[Operation.CREATE]} created of {entries} ({report.summary()})")
    print(f"{requests} requests (the emulator's count); answers by status: {dict(sorted(statuses.items()))}")
    print(f"{seconds:.1f} s against the limit's minimum {minimum:.1f} s ({requests} / {SPIKE} × {WINDOW} s): "
          f"{ratio:.2f}x; {rejected} 429s (goal 0 and ≤ {GOAL_RATIO}x: "
          f"{'met' if rejected == 0 and ratio <= GOAL_RATIO else 'NOT met'})")
    print(f"rate_limit_{entries}: {rejected} 429s, {ratio:.2f}x the minimum time (goal 0 and ≤ {GOAL_RATIO}x)")


def _unlimited_records(sites: int, entries: int) -> list[str]:
    """What the same entries leave in Procore, published in an identical world with no spike limit."""
    world = build_world(job_sites=sites, employees=20 * sites, days=10, modules={MANPOWER})
    try:
        world.publish(MANPOWER, entry_ids=world.publishable(MANPOWER, limit=entries))
        return procore_records(world, MANPOWER)
    finally:
        world.close()


def _count(statuses: Counter[int], response: httpx.Response) -> None:
    if "/rest/" in response.url.path:
        statuses[response.status_code] += 1


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    return parser.parse_args()


if __name__ == "__main__":
    main()
