"""Getting started: the steps from a fresh install to a first publish, each with its real state.

Activate Procore, authorise, choose the company, the mode and the modules, import (two-way) or map (one-way),
publish once, schedule. Each step names the page script where it is done; the home page renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import setup
from core.models.jobs import PublishSchedule
from core.models.mapping import LinkOrigin, ProcoreLink
from core.models.publishing import PublishModule, PublishRun
from core.modules.registry import definition
from core.setup import SetupState
from core.sync.lists import TEXT
from core.sync.mapping import tab_summaries

INTEGRATIONS, PROCORE_SETUP = "pages/integrations.py", "pages/procore_setup.py"
DATA_MAPPING, PAYROLL, AUTOMATION = "pages/data_mapping.py", "pages/payroll.py", "pages/automation.py"


@dataclass(frozen=True)
class Step:
    """One step: what it is, whether it is done, what its state is in words, and the page it is done on."""

    title: str
    done: bool
    detail: str
    script: str


def steps(session: Session) -> list[Step]:
    """Every step in order, read from the database."""
    state = setup.state(session)
    return [*_setup_steps(state), _records_step(session, state), _publish_step(session, state),
            _schedule_step(session)]


def next_step(found: list[Step]) -> Step | None:
    """The first step not done yet (None once all are)."""
    return next((step for step in found if not step.done), None)


def _setup_steps(state: SetupState) -> list[Step]:
    modules = ", ".join(sorted(setup.short_label(module) for module in state.modules))
    mode = "Two-way" if state.two_way else "One-way"
    return [
        Step("Activate Procore", state.active,
             "Procore is active." if state.active else "Activate Procore on Integrations.", INTEGRATIONS),
        Step("Authorize Procore Connect", state.connected,
             "Connected to Procore." if state.connected else "Sign in to Procore and allow access.", PROCORE_SETUP),
        Step("Choose the company", state.company_id is not None,
             f"Company: {state.company_name}." if state.company_id is not None else "No company chosen yet.",
             PROCORE_SETUP),
        Step("Choose how to use Procore", state.mode is not None,
             f"{mode} integration." if state.mode is not None else "Two-way or one-way: not chosen yet.",
             PROCORE_SETUP),
        Step("Choose the modules", bool(state.modules),
             f"Publishing: {modules}." if state.modules else "No module publishes yet.", PROCORE_SETUP),
    ]


def _records_step(session: Session, state: SetupState) -> Step:
    """Two-way: import from Procore; one-way: map our records to Procore's."""
    if state.mode is None:
        return Step("Import or map your records", False,
                    "Two-way imports them from Procore; one-way maps them by hand. Choose the mode first.",
                    PROCORE_SETUP)
    if state.two_way:
        return _import_step(session, state)
    if not (state.finished and state.company_id is not None):
        return Step("Map your records to Procore", False, "Finish the steps above first.", DATA_MAPPING)
    summaries = tab_summaries(session, company_id=state.company_id, modules=state.modules)
    waiting = [found for found in summaries if not found.available or found.unmapped or found.broken]
    if not waiting:
        return Step("Map your records to Procore", True, "Everything the modules need is mapped.", DATA_MAPPING)
    counts = [_waiting_text(TEXT[found.entity].tab, found.unmapped, found.broken, found.available) for found in waiting]
    return Step("Map your records to Procore", False, "Still to map: " + "; ".join(counts) + ".", DATA_MAPPING)


def _waiting_text(tab: str, unmapped: int, broken: int, available: bool) -> str:
    if not available:
        return f"{tab} (map a job site first)"
    parts = [f"{unmapped} not mapped" if unmapped else "", f"{broken} broken" if broken else ""]
    return f"{tab}: " + ", ".join(part for part in parts if part)


def _import_step(session: Session, state: SetupState) -> Step:
    imported = state.company_id is not None and session.exec(
        select(ProcoreLink.id).where(col(ProcoreLink.origin) == LinkOrigin.IMPORT,
                                     col(ProcoreLink.procore_company_id) == state.company_id).limit(1)
    ).first() is not None
    detail = "Imported from Procore." if imported else "Import employees, job sites and codes from Procore."
    return Step("Import from Procore", imported, detail, PROCORE_SETUP)


def _publish_step(session: Session, state: SetupState) -> Step:
    run = session.exec(
        select(PublishRun).where(col(PublishRun.succeeded) > 0).order_by(col(PublishRun.id).desc()).limit(1)
    ).first()
    detail = (f"Last published {run.started_at:%Y-%m-%d %H:%M} UTC ({run.succeeded} sent)." if run is not None
              else "Nothing published to Procore yet.")
    return Step("Publish to Procore", run is not None, detail, _publish_script(state.modules))


def _publish_script(modules: frozenset[PublishModule]) -> str:
    """The page the first enabled module publishes from (Timesheet publishes from the payroll board)."""
    for module in sorted(modules):
        page = definition(module).page
        if page is not None:
            return page.script
    return PAYROLL


def _schedule_step(session: Session) -> Step:
    active = session.exec(select(PublishSchedule).where(col(PublishSchedule.active))).all()
    names = ", ".join(setup.short_label(PublishModule(row.module)) for row in active)
    detail = f"Scheduled: {names}." if active else "No publish runs on a schedule yet (optional)."
    return Step("Schedule publishing", bool(active), detail, AUTOMATION)
