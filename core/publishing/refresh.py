"""Refresh as the dashboards and a publish run it: the module's company, mapping reasons, conflicts retried.

`entries.refresh_entries` does the work inside one transaction; this module
opens the transactions, checks that Procore is set up for the module, turns
mapping problems into the reasons an entry cannot be published, and runs the
refresh again when a claim or another refresh changed entries meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import setup
from core.db import session_scope
from core.errors import ConfigurationError
from core.models.publishing import PublishModule
from core.publishing.entries import RefreshConflict, RefreshReport
from core.publishing.incremental import refresh_changed
from core.sync.resolver import mapping_reasons

_REFRESH_ATTEMPTS = 3


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
    for attempt in range(_REFRESH_ATTEMPTS):
        try:
            with session_scope(engine) as session:
                def resolver(module: PublishModule, keys: Any) -> list[list[str]]:
                    return list(mapping_reasons(session, company_id=company_id, module=module, keys=keys))

                return refresh_changed(session, module=module, start=start, end=end, job_site_ids=job_site_ids,
                                       resolver=resolver)
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
