"""Refresh as the dashboards and a publish run it: the module's company, mapping reasons, conflicts retried.

`entries.refresh_entries` does the work inside one transaction; this module
opens the transactions, checks that Procore is set up for the module, turns
mapping problems into the reasons an entry cannot be published, and runs the
refresh again when a claim or another refresh changed entries meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import setup
from core.db import session_scope
from core.errors import ConfigurationError
from core.models.publishing import PublishModule
from core.publishing.entries import RefreshConflict, RefreshReport
from core.publishing.incremental import refresh_changed, refresh_modules_changed
from core.publishing.modules import ReasonResolver
from core.sync.resolver import mapping_reasons

_REFRESH_ATTEMPTS = 3
_Result = TypeVar("_Result")


def refresh(
    engine: Engine, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None = None,
    company_id: int | None = None,
) -> RefreshReport:
    """Bring the stored entries of the range in line with the time clock, with mapping problems as reasons.

    Only the job-site days changed since the last refresh are recomputed (`incremental`); a range never
    computed whole is computed whole once. The dashboards call this before showing a range; `company_id`
    defaults to the one chosen on setup.
    """
    if company_id is None:
        with session_scope(engine) as session:
            company_id = enabled_company(session, PublishModule(module))
    known = company_id
    return _retried(engine, lambda session: refresh_changed(
        session, module=module, start=start, end=end, job_site_ids=job_site_ids,
        resolver=_resolver(session, known)))


def refresh_modules(
    engine: Engine, *, modules: Sequence[PublishModule], start: date, end: date, company_id: int | None = None,
) -> list[RefreshReport]:
    """`refresh` of every module in `modules` over one range, in one transaction that reads the time logs once
    for all of them (a full recompute of manpower and timecards shares one read)."""
    if company_id is None:
        with session_scope(engine) as session:
            company_id = [enabled_company(session, PublishModule(module)) for module in modules][0]
    known = company_id
    return _retried(engine, lambda session: refresh_modules_changed(
        session, modules=modules, start=start, end=end, resolver=lambda _module: _resolver(session, known)))


def _resolver(session: Session, company_id: int) -> ReasonResolver:
    def resolver(module: PublishModule, keys: Any) -> list[list[str]]:
        return mapping_reasons(session, company_id=company_id, module=module, keys=keys).tolist()

    return resolver


def _retried(engine: Engine, work: Callable[[Session], _Result]) -> _Result:
    """`work` in a transaction of its own, run again when a claim or another refresh changed entries meanwhile."""
    for attempt in range(_REFRESH_ATTEMPTS):
        try:
            with session_scope(engine) as session:
                return work(session)
        except RefreshConflict:
            if attempt == _REFRESH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def enabled_company(session: Session, module: PublishModule) -> int:
    """The Procore company chosen on setup, once setup is finished and `module` is enabled there.

    Raises:
        ConfigurationError: Procore is not set up yet, or the module is not enabled.
    """
    state = setup.state(session)
    if state.company_id is None or not state.finished:
        raise ConfigurationError("Procore is not set up yet: finish Administration > Procore setup first.")
    if module.value not in {m.value for m in state.modules}:
        raise ConfigurationError(f"The {module.value} module is not enabled on Administration > Procore setup.")
    return state.company_id
