"""Property (issue 19): any sequence of module switches, edits and publishes leaves at most one Procore timecard
entry per person, day, cost code and time type.

One linked world is walked on from example to example: each state reached is one a longer sequence reaches.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from core import setup
from core.access import Identity
from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishModule
from core.publishing.status import PublishAction
from core.setup import SwitchChoice
from tests.core.publishing.double_count_world import SITE, held, procore_keys
from tests.core.publishing.engine_world import Linked, lengthen_break, link_world

TIMECARD, TIMESHEET = PublishModule.TIMECARD, PublishModule.TIMESHEET
STEPS = ("publish", "republish", "carry_over", "unpublish", "edit")


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int) -> Linked:
    return link_world(settings, demo_engine, admin, emulator_url, connected, frozenset({TIMECARD}))


def _current(linked: Linked) -> PublishModule:
    with session_scope(linked.engine) as session:
        (module,) = setup.state(session).modules
    return module


def _apply(linked: Linked, step: str, pick: int) -> None:
    module = _current(linked)
    other = TIMESHEET if module is TIMECARD else TIMECARD
    if step in ("publish", "republish"):
        action = PublishAction.PUBLISH if step == "publish" else PublishAction.REPUBLISH
        linked.publish(module, sites=SITE, action=action)
    elif step == "carry_over":
        with session_scope(linked.engine) as session:
            setup.set_modules(session, modules=frozenset({other}), actor=linked.admin, choice=SwitchChoice.CARRY_OVER)
    elif step == "unpublish":
        with linked.client() as client:
            setup.switch_module(linked.settings, linked.engine, module=other, choice=SwitchChoice.UNPUBLISH,
                                actor=linked.admin, client=client)
    elif published := held(linked, module):
        lengthen_break(linked, published[pick % len(published)])


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=4), pick=st.integers(0, 50))
def test_any_sequence_of_switches_and_publishes_keeps_one_procore_entry_per_key(
    linked: Linked, steps: list[str], pick: int,
) -> None:
    plan = linked.publish(_current(linked), sites=SITE, dry_run=True, action=PublishAction.FORCE_PUBLISH)
    projects = {step.project_id for step in plan.steps if step.project_id is not None}
    assert projects
    for step in steps:
        _apply(linked, step, pick)
        counts = procore_keys(linked, projects)
        assert max(counts.values(), default=0) <= 1, (steps, step, counts.most_common(2))
    assert sum(procore_keys(linked, projects).values()) == sum(
        len(held(linked, module)) for module in (TIMECARD, TIMESHEET))  # each record held by exactly one entry
