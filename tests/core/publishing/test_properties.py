from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session, SQLModel, select

import core.models  # noqa: F401 - every table on the metadata
from core.db import create_db_engine
from core.models import PublishEntry, PublishModule, PublishStatus
from core.publishing import (
    PublishAction,
    claim_entries,
    fingerprint,
    record_failed,
    record_published,
    record_remote_deleted,
    release_claim,
)
from core.publishing.modules import computed_entries
from tests.core.publishing.engine_world import entry_ids, known

S = PublishStatus
MON = date(2026, 11, 16)  # the World's Monday
MODULES = [PublishModule.TIMECARD, PublishModule.MANPOWER]


def _machine(world_class: Any) -> type[RuleBasedStateMachine]:
    class Publishing(RuleBasedStateMachine):
        """Source edits, refreshes, claims and publish outcomes in any order keep every entry consistent."""

        def __init__(self) -> None:
            super().__init__()
            engine = create_db_engine("sqlite://")
            SQLModel.metadata.create_all(engine)
            self.session = Session(engine, expire_on_commit=False)
            self.world = world_class(self.session)
            self.logs: list[Any] = []
            self.claims: dict[int, tuple[str, dict[str, Any]]] = {}  # entry id → (token, values at claim)
            self.tokens = (f"token-{n}" for n in itertools.count())
            self.procore_ids = itertools.count(1)
            self.refreshed: dict[PublishModule, set[str]] = {}  # keys in the time clock at the last refresh

        @initialize()
        def a_first_day_is_published(self) -> None:
            self.add_time_log("ann", "REG", 8, 0)
            self.add_time_log("bob", "OT", 2, 0)
            self.refresh(PublishModule.TIMECARD)
            self.claim(PublishAction.PUBLISH)

        @rule(employee=st.sampled_from(["ann", "bob"]), pay=st.sampled_from(["REG", "OT"]),
              hours=st.sampled_from([2, 8]), day=st.integers(0, 1))
        def add_time_log(self, employee: str, pay: str, hours: int, day: int) -> None:
            start = 0 if employee == "ann" else 1
            self.logs.append(self.world.log(employee, pay=pay, hours=hours, start_hour=start,
                                            day=MON + timedelta(days=day)))
            self.refreshed.clear()

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data(), hours=st.sampled_from([1, 8, 26]))
        def edit_time_log(self, data: st.DataObject, hours: int) -> None:
            log = data.draw(st.sampled_from(self.live_logs()))
            self.world.edit(log, clock_out=log.clock_in + timedelta(hours=hours))
            self.refreshed.clear()

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data())
        def delete_time_log(self, data: st.DataObject) -> None:
            self.world.delete(data.draw(st.sampled_from(self.live_logs())))
            self.refreshed.clear()

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data(), hours=st.sampled_from([1, 8, 26]), delete=st.booleans())
        def change_the_source_and_refresh(self, data: st.DataObject, hours: int, delete: bool) -> None:
            if delete:
                self.delete_time_log(data)
            else:
                self.edit_time_log(data, hours)
            for module in MODULES:
                self.refresh(module)

        @rule()
        def toggle_job_site_mapping(self) -> None:
            projects = self.world.mapping.projects
            if projects:
                projects.clear()
            else:
                projects[self.world.ids["site"]] = 5001

        @rule(module=st.sampled_from(MODULES))
        def refresh(self, module: PublishModule) -> None:
            self.world.refresh(module)
            fresh = computed_entries(self.session, module=module, start=MON, end=MON + timedelta(days=6))
            self.refreshed[module] = set(fresh["natural_key"])

        @rule(action=st.sampled_from(list(PublishAction)), data=st.data())
        def claim(self, action: PublishAction, data: st.DataObject | None = None) -> None:
            """A publisher claims some entries (a dashboard cell, or all of them)."""
            ids = sorted(entry_ids(self.entries()))
            if data is not None:
                ids = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
            token = next(self.tokens)
            got = claim_entries(self.session, entry_ids=ids, token=token, action=action)
            self.session.commit()
            assert not set(got) & set(self.claims), "an entry was claimed twice"
            for entry in self.entries():
                if entry.id in got:
                    self.claims[known(entry.id)] = (token, dict(entry.values))

        @rule(action=st.sampled_from(list(PublishAction)), data=st.data())
        def a_whole_publish_run(self, action: PublishAction, data: st.DataObject) -> None:
            """Claim, then end every claim at once, each with its own outcome."""
            self.claim(action, data)
            self.a_publisher_finishes(data)

        @precondition(lambda self: self.claims)
        @rule(data=st.data())
        def a_publisher_finishes(self, data: st.DataObject) -> None:
            """The publisher holding the oldest claim ends it, entry by entry, each with its own outcome."""
            if not self.claims:
                return
            token = min(token for token, _ in self.claims.values())
            for entry_id in sorted(i for i, (t, _) in self.claims.items() if t == token):
                outcome = data.draw(st.sampled_from(["accepted", "refused", "no answer", "released"]))
                self.finish(entry_id, outcome)
            self.session.commit()

        def finish(self, entry_id: int, outcome: str) -> None:
            token, sent = self.claims.pop(entry_id)
            entry = self.session.get(PublishEntry, entry_id, populate_existing=True)
            assert entry is not None
            if outcome == "released":
                release_claim(self.session, token=token, entry_ids=[entry_id])
            elif outcome == "refused":
                record_failed(self.session, entry_id=entry_id, token=token, message="422: refused")
            elif outcome == "no answer":
                record_failed(self.session, entry_id=entry_id, token=token, message="Procore did not answer")
            elif entry.release_status == S.DELETED or (entry.source_removed_at and entry.procore_id):
                record_remote_deleted(self.session, entry_id=entry_id, token=token)
            else:
                record_published(self.session, entry_id=entry_id, token=token,
                                 procore_id=entry.procore_id or next(self.procore_ids),
                                 procore_project_id=5001, sent_values=sent)

        def live_logs(self) -> list[Any]:
            return [log for log in self.logs if log.deleted_at is None]

        def entries(self) -> list[PublishEntry]:
            self.session.expire_all()
            return list(self.session.exec(select(PublishEntry)).all())

        @invariant()
        def every_entry_is_consistent(self) -> None:
            for entry in self.entries():
                status = S(entry.status)
                assert entry.fingerprint == fingerprint(entry.values)
                assert (status is S.PUBLISHING) == (entry.claim_token is not None) == (entry.release_status is not None)
                published, present = entry.procore_id is not None, entry.source_removed_at is None
                if status is S.PUBLISHED:
                    assert (published, present, entry.reasons) == (True, True, [])
                    assert entry.published_fingerprint == entry.fingerprint
                if status is S.UPDATED:
                    assert (published, present) == (True, True)
                    assert entry.published_fingerprint != entry.fingerprint
                if status is S.TO_DO:
                    assert (published, present, entry.reasons) == (False, True, [])
                if status in (S.NON_PUBLISHABLE, S.FAILED):
                    assert entry.reasons
                if status is S.DELETED:
                    assert (published, present) == (True, False)
                assert (entry.procore_id is None) == (entry.published_fingerprint is None)

        @invariant()
        def a_refresh_leaves_entries_matching_the_time_clock(self) -> None:
            for module, keys in self.refreshed.items():
                stored = {e.natural_key: e for e in self.entries() if e.module == module}
                assert keys <= set(stored)
                for key, entry in stored.items():
                    if S(entry.status) is not S.PUBLISHING:
                        assert (key in keys) == (entry.source_removed_at is None)

        def teardown(self) -> None:
            self.session.close()

    return Publishing


def test_no_sequence_of_edits_refreshes_claims_and_outcomes_breaks_an_invariant(make_world: Any) -> None:
    machine = _machine(make_world)
    machine.TestCase.settings = settings(
        max_examples=30, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    run_state_machine_as_test(machine, settings=machine.TestCase.settings)  # type: ignore[no-untyped-call]  # hypothesis leaves it unannotated
