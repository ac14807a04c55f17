"""What a publish left in Procore, read back from the emulator, to check that two ways of publishing agree.

Used by the publish benches (`api_calls.py`, `concurrency.py`): a faster way must leave the same records as
the baseline, not only the same counts. Record ids, creation and update times and positions (the order of
creation) differ between two runs however alike and are left out; the rest of each record (date, figures,
people, cost codes, notes...) is compared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from bench.world import World
from core.models.publishing import PublishModule
from core.procore.client import ProcoreClient

_VOLATILE = {"id", "created_at", "updated_at", "deleted_at", "datetime", "position"}  # position: order of creation
Lister = Callable[[ProcoreClient, int, World], Iterator[Any]]
_LISTERS: dict[str, Lister] = {
    "manpower": lambda client, project, world: client.iter_manpower_logs(
        project_id=project, start=world.start, end=world.end),
    "quantity": lambda client, project, world: client.iter_quantity_logs(
        project_id=project, start=world.start, end=world.end),
    "timecard": lambda client, project, world: client.iter_project_timecard_entries(
        project_id=project, start=world.start, end=world.end),
}


def procore_records(world: World, module: PublishModule) -> list[str]:
    """Every record of `module` in the company's projects over the world's dates, as sorted JSON texts."""
    found: list[str] = []
    with world.client() as client:
        for project in sorted(project.id for project in client.iter_projects(company_id=world.company_id)):
            for record in _LISTERS[module.value](client, project, world):
                values = record.model_dump(mode="json", exclude=_VOLATILE)
                found.append(json.dumps([project, values], sort_keys=True))
    return sorted(found)


def assert_same_records(module: PublishModule, ours: list[str], baseline: list[str]) -> None:
    """Stop the bench when the two ways left different records in Procore."""
    if ours != baseline:
        differs = next((pair for pair in zip(ours, baseline, strict=False) if pair[0] != pair[1]), None)
        raise SystemExit(f"{module.value}: the two ways left different records in Procore "
                         f"({len(ours)} ours, {len(baseline)} baseline), e.g. {differs}")
    print(f"{module.value}: both ways left the same {len(ours)} records in Procore")
