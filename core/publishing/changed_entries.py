"""What a refresh writes to the stored entries it does not leave as they are, decided for all of them at once.

The status machine decides (`refreshed_status`, then `transition`): it is asked
once per distinct combination of an entry's stored status and the facts about
it (in the source, published, matching what was sent, values changed, blocked),
and its answer is spread over every entry of that combination. A mapping change
that moves a week's 111,000 entries asks it a handful of times.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from core.models.publishing import PublishModule, PublishStatus
from core.publishing.figures import figure_frame
from core.publishing.new_entries import reasons_json
from core.publishing.status import NON_PUBLISHABLE, PUBLISHING, TO_DO, Draft, Facts, refreshed_status, transition
from core.publishing.stored import stored_instant, stored_reasons

_STORED, _FRESH = "stored", "fresh"  # stand-ins for an entry's reasons while the machine decides which it keeps
Combo = tuple[str, str | None, bool, bool, bool, bool, bool]  # status, release, in source, published, matches, …


@dataclass(frozen=True)
class Outcome:
    """What a refresh does to every entry of one combination of stored status and facts."""

    delete: bool
    status: str | None = None  # the status written (a claimed entry keeps Publishing)
    release: str | None = None  # a claimed entry: the status its release returns to
    reasons: str | None = None  # whose reasons it keeps: _STORED, _FRESH, or None (none)
    move: tuple[PublishStatus, PublishStatus] | None = None


@dataclass
class PlannedChanges:
    """The rows a refresh writes, each naming its entry by `b_id` and `b_version`, and what it counted."""

    updates: pd.DataFrame  # new values: the state, the values and their figures
    states: pd.DataFrame  # the same values (or gone from the source): the state only
    deletes: pd.DataFrame  # removed: the id and version only
    unchanged: int = 0
    changed: int = 0
    source_gone: int = 0
    moves: Counter[tuple[PublishStatus, PublishStatus]] = field(default_factory=Counter)


def outcome(status: str, release: str | None, in_source: bool, published: bool, matches_published: bool,
            values_changed: bool, blocked: bool) -> Outcome:
    """The status machine's answer for an entry stored as `status` (and `release`, when claimed) given the facts."""
    facts = Facts(in_source=in_source, published=published, matches_published=matches_published,
                  values_changed=values_changed, reasons=(_FRESH,) if blocked else ())
    claimed = PublishStatus(status) is PUBLISHING
    # A claimed entry keeps Publishing; what changes is the status its release returns to.
    subject = Draft(PublishStatus(release or TO_DO) if claimed else PublishStatus(status), [_STORED])
    before = subject.status
    target = refreshed_status(before, facts)
    if target is None and not claimed:
        return Outcome(delete=True)
    # Non publishable again takes the fresh reasons (the same ones, when they did not change).
    if target is not None and (target != before or target is NON_PUBLISHABLE):
        transition(subject, target, reasons=facts.reasons)
    return Outcome(
        delete=False, status=PUBLISHING.value if claimed else subject.status.value,
        release=subject.status.value if claimed else None, reasons=subject.reasons[0] if subject.reasons else None,
        move=(before, target) if target is not None and target != before else None,
    )


def planned_changes(module: PublishModule, entries: pd.DataFrame, figures: pd.DataFrame,
                    now: datetime) -> PlannedChanges:
    """The writes for `entries`: stored state columns (`stored_states`) beside their fresh aggregate's
    (`fresh_natural_key`, `fresh_values_json`, `fresh_fingerprint`, `fresh_reasons`; missing when gone from the
    source), with `figures` holding the fresh value columns the figure columns copy, in the same index."""
    in_source = entries["fresh_natural_key"].notna().to_numpy()
    stored_fingerprint = entries["fingerprint"].to_numpy(dtype=object)
    fingerprint = np.where(in_source, entries["fresh_fingerprint"].to_numpy(dtype=object), stored_fingerprint)
    published = entries["procore_id"].notna().to_numpy()
    matches = fingerprint == entries["published_fingerprint"].to_numpy(dtype=object)
    values_changed = fingerprint != stored_fingerprint
    fresh_reasons = np.full(len(entries), "[]", dtype=object)
    fresh_reasons[in_source] = reasons_json(entries.loc[in_source, "fresh_reasons"])
    blocked = fresh_reasons != "[]"
    status = entries["status"].to_numpy(dtype=object)
    release = entries["release_status"].where(entries["release_status"].notna(), None).to_numpy(dtype=object)
    combos: list[Combo] = list(zip(status.tolist(), release.tolist(), in_source.tolist(), published.tolist(),
                                   matches.tolist(), values_changed.tolist(), blocked.tolist(), strict=True))
    codes, distinct = _factorized(combos)
    decided = [outcome(*combo) for combo in distinct]

    def spread(name: str) -> np.ndarray:
        picked: np.ndarray = np.array([getattr(each, name) for each in decided], dtype=object)[codes]
        return picked

    delete = spread("delete").astype(bool)
    moves: Counter[tuple[PublishStatus, PublishStatus]] = Counter()
    for each, count in zip(decided, np.bincount(codes, minlength=len(decided)).tolist(), strict=True):
        if each.move is not None:
            moves[each.move] += count

    stored_text = entries["reasons"].to_numpy(dtype=object)
    canonical = {text: json.dumps(stored_reasons(text)) for text in set(stored_text.tolist())}
    stored_canonical = np.array([canonical[text] for text in stored_text.tolist()], dtype=object)
    keeps = spread("reasons")
    reasons = np.where(keeps == _FRESH, fresh_reasons, np.where(keeps == _STORED, stored_canonical, "[]"))
    new_status, new_release = spread("status"), spread("release")
    removed = entries["source_removed_at"]
    same = (
        (new_status == status) & (new_release == release) & (reasons == stored_canonical)
        & (fingerprint == stored_fingerprint) & (in_source == removed.isna().to_numpy())
    )
    write = ~delete & ~same
    instants = {text: stored_instant(text) for text in set(removed[removed.notna()].tolist())}
    removed_at: list[Any] = [None if kept else instants.get(text) or now
                             for kept, text in zip(in_source.tolist(), removed.tolist(), strict=True)]
    state = pd.DataFrame({
        "b_id": entries["id"].astype("int64").to_numpy(), "b_version": entries["version"].astype("int64").to_numpy(),
        "status": new_status, "reasons": reasons,
        "source_removed_at": pd.Series(pd.to_datetime(removed_at, utc=True), index=entries.index).dt.as_unit("us"),
        "release_status": new_release,
    }, index=entries.index)
    state["updated_at"] = pd.Timestamp(now).as_unit("us")
    rewritten = write & values_changed  # as arrays: a frame with no rows would take a Series' index as its own
    updates = state[rewritten].assign(
        values=entries["fresh_values_json"].to_numpy(dtype=object)[rewritten],
        fingerprint=entries["fresh_fingerprint"].to_numpy(dtype=object)[rewritten],
        **{str(name): column for name, column in figure_frame(module, figures[rewritten]).items()},  # same index
    )
    return PlannedChanges(
        updates=updates, states=state[write & ~values_changed],
        deletes=state.loc[delete, ["b_id", "b_version"]],
        unchanged=int((~delete & same).sum()), changed=int((in_source & values_changed).sum()),
        source_gone=int((~delete & ~in_source & removed.isna().to_numpy()).sum()), moves=moves,
    )


def _factorized(combos: list[Combo]) -> tuple[np.ndarray, list[Combo]]:
    """Each combination's position among the distinct ones, and those, in order of first appearance."""
    positions: dict[Combo, int] = {}
    codes = np.fromiter((positions.setdefault(combo, len(positions)) for combo in combos), dtype=np.int64,
                        count=len(combos))
    return codes, list(positions)

