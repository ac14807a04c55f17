from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from core.dashboards.preview import (
    CHANGE_COLUMNS,
    CONFLICT_COLUMNS,
    changed_in_procore,
    in_words,
    other_outcomes,
    planned_changes,
    problems_frame,
)
from core.dashboards.reconciliation_names import procore_names
from core.models import Company
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing.status import PublishAction
from tests.core.publishing.engine_world import Linked, delete_source, entry_ids, lengthen_break

MANPOWER = PublishModule.MANPOWER
FIELDS = ["Date", "Vendor", "Workers", "Hours per worker", "Notes"]  # as the screens say, never API names


def _names(linked: Linked) -> dict[int, str]:
    return {entry_id: f"entry {entry_id}" for entry_id in entry_ids(linked.entries(MANPOWER))}


def _before_after(changes: pd.DataFrame, field: str) -> tuple[str, str]:
    """The texts of a field's `before` and `after` in `planned_changes` indexed by field."""
    return str(changes.at[field, "before"]), str(changes.at[field, "after"])


def _published(linked: Linked) -> PublishEntry:
    linked.publish(MANPOWER, sites=["1001"])
    return next(e for e in linked.entries(MANPOWER) if e.status == PublishStatus.PUBLISHED)


def test_a_create_lists_every_field_it_will_write_with_nothing_before(linked: Linked) -> None:
    preview = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    names = _names(linked)

    changes = planned_changes(preview.steps, names)

    assert list(changes.columns) == CHANGE_COLUMNS
    assert set(changes["action"]) == {"Create"}
    first = preview.steps[0]
    rows = changes[changes["entry_id"] == first.entry.id]
    assert list(rows["field"]) == FIELDS
    assert set(rows["before"]) == {""}
    assert rows.set_index("field").loc["Workers", "after"] == str(first.entry.values["manpower"])
    assert set(rows["entry"]) == {names[first.entry.id]}
    assert rows["changed"].all()
    assert linked.statuses(MANPOWER).get(PublishStatus.PUBLISHED, 0) == 0  # a preview writes nothing


def test_an_update_shows_procores_value_before_and_ours_after_and_which_fields_move(linked: Linked) -> None:
    entry = _published(linked)
    lengthen_break(linked, entry)

    preview = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    changes = planned_changes(preview.steps, _names(linked)).set_index("field")

    assert set(changes["action"]) == {"Update"}
    assert changes.loc["Hours per worker", "changed"]
    hours_before, hours_after = _before_after(changes, "Hours per worker")
    assert hours_before != hours_after
    assert not changes.loc["Workers", "changed"]
    workers_before, workers_after = _before_after(changes, "Workers")
    assert workers_before == workers_after


def test_a_delete_shows_what_procore_holds_and_nothing_after(linked: Linked) -> None:
    entry = _published(linked)
    delete_source(linked, entry)

    preview = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    changes = planned_changes(preview.steps, _names(linked))

    deleted = changes[changes["entry_id"] == entry.id]
    assert set(deleted["action"]) == {"Delete"}
    assert set(deleted["after"]) == {""}
    assert deleted.set_index("field").loc["Workers", "before"] == str(entry.values["manpower"])


def test_a_change_made_in_procore_is_shown_field_by_field_kept_by_publish_and_overwritten_by_force(
    linked: Linked,
) -> None:
    entry = _published(linked)
    linked.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="update",
                   fields={"num_workers": 99})
    lengthen_break(linked, entry)
    names = _names(linked)

    plain = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    forced = linked.publish(MANPOWER, sites=["1001"], dry_run=True, action=PublishAction.FORCE_PUBLISH)

    kept = changed_in_procore(plain.steps, names)
    assert list(kept.columns) == CONFLICT_COLUMNS
    assert kept[["entry_id", "field", "last_published", "in_procore_now"]].values.tolist() == [
        [entry.id, "Workers", str(entry.values["manpower"]), "99"]]
    assert kept["outcome"].tolist() == ["Kept: only Force publish overwrites it"]
    assert changed_in_procore(forced.steps, names).loc[0, "outcome"] == "Overwritten by Force publish"
    assert other_outcomes(plain.steps, names).loc[0, "outcome"] == "Changed in Procore"
    assert set(planned_changes(plain.steps, names)["entry_id"]) == set()  # nothing is written without force


def test_entries_with_nothing_to_write_say_why_and_problems_name_their_entry(linked: Linked) -> None:
    entry = _published(linked)
    names = _names(linked)

    forced = linked.publish(MANPOWER, sites=["1001"], dry_run=True, action=PublishAction.FORCE_PUBLISH)
    others = other_outcomes(forced.steps, names)

    assert entry.id in set(others["entry_id"])
    assert set(others["outcome"]) == {"No change"}
    step = forced.steps[0]
    problems = problems_frame([(step, "Procore refused it")], names)
    assert problems.to_dict("records") == [
        {"entry_id": step.entry.id, "entry": names[step.entry.id], "outcome": "No change",
         "message": "Procore refused it"}]


def test_in_words_names_the_vendor_behind_each_procore_id_and_naming_twice_changes_nothing(linked: Linked) -> None:
    preview = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    with Session(linked.engine) as session:
        name = procore_names(session, company_id=linked.company_id)
        companies = set(session.exec(select(Company.name)).all())

    changes = in_words(planned_changes(preview.steps, _names(linked)), name)

    vendors = set(changes.loc[changes["field"] == "Vendor", "after"])
    assert vendors
    assert vendors <= companies
    assert in_words(changes, name).equals(changes)
