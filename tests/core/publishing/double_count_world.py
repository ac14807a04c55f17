"""What the double-count tests look at: Procore's timecard entries per key, and the entries holding records."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from core.models.publishing import PublishEntry, PublishModule
from tests.core.publishing.engine_world import Linked

SITE = ["1001"]
Key = tuple[int | None, dt.date | None, int | None, int | None]


def procore_keys(linked: Linked, projects: set[int]) -> Counter[Key]:
    """The emulator's live timecard entries counted per person, day, cost code and time type."""
    return Counter((card.resolved_party_id, card.date, card.resolved_cost_code_id, card.resolved_time_type_id)
                   for project in projects for card in linked.remote("timecard", project))


def held(linked: Linked, module: PublishModule) -> list[PublishEntry]:
    return [entry for entry in linked.entries(module) if entry.procore_id is not None]
