"""Procore setup: activation, company, two-way or one-way, and which modules publish.

Timecard and Timesheet publishing exclude each other: enabling one disables
the other. The page, the CLI and every other caller go through these functions,
so the rule holds everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope, utcnow
from core.errors import ValidationError
from core.models.procore import ProcoreConnection
from core.models.publishing import PublishModule
from core.models.setup import ProcoreSetup, SyncMode
from core.modules.registry import all_definitions, definition
from core.procore.connection import open_client, select_company

Module = PublishModule  # what can be published to Procore

EXCLUSIVITY_NOTE = "Timecard and Timesheet publishing cannot both be on: enabling one turns the other off."


@dataclass(frozen=True)
class SetupState:
    """Everything the pages and the navigation need to know about the setup."""

    active: bool
    connected: bool
    company_id: int | None
    company_name: str | None
    mode: SyncMode | None
    modules: frozenset[Module]
    finished: bool

    @property
    def two_way(self) -> bool:
        return self.mode is SyncMode.TWO_WAY

    @property
    def status_text(self) -> str:
        """One line for Integrations > Overview."""
        if not self.active:
            return "Not active"
        if self.finished:
            return f"Active · connected to {self.company_name}"
        return "Active · setup not finished" if self.connected else "Active · not connected yet"


def current(session: Session) -> ProcoreSetup:
    """The setup row (created on first use)."""
    setup = session.exec(select(ProcoreSetup)).first()
    if setup is None:
        setup = ProcoreSetup()
        session.add(setup)
        session.flush()
    return setup


def connection(session: Session) -> ProcoreConnection | None:
    return session.exec(select(ProcoreConnection)).first()


def state(session: Session) -> SetupState:
    setup, linked = current(session), connection(session)
    return SetupState(
        active=setup.active,
        connected=linked is not None,
        company_id=linked.company_id if linked else None,
        company_name=linked.company_name if linked else None,
        mode=SyncMode(setup.mode) if setup.mode else None,
        modules=enabled_modules(setup),
        finished=setup.finished_at is not None and linked is not None and linked.company_id is not None,
    )


def enabled_modules(setup: ProcoreSetup) -> frozenset[Module]:
    return frozenset(m for m in Module if getattr(setup, m.value))


def set_active(session: Session, *, active: bool, actor: Identity) -> None:
    """Activate Procore on Integrations > Overview (or deactivate it: publishing pages disappear)."""
    actor.require(Perm.PROCORE_SETUP)
    setup = current(session)
    setup.active, setup.updated_at = active, utcnow()
    session.add(setup)


def set_mode(session: Session, *, mode: SyncMode, actor: Identity) -> None:
    actor.require(Perm.PROCORE_SETUP)
    setup = current(session)
    setup.mode, setup.updated_at = mode, utcnow()
    session.add(setup)
    _refresh_finished(session, setup)


def module_label(module: Module) -> str:
    """How setup offers `module`: "Manpower (daily log manpower)"."""
    return definition(module).label


def check_modules(modules: frozenset[Module]) -> None:
    """Refuse a set holding two modules that exclude each other (Timecard and Timesheet)."""
    if any(found.excludes in modules for found in all_definitions() if found.module in modules):
        raise ValidationError(EXCLUSIVITY_NOTE)


def set_module(session: Session, *, module: Module, enabled: bool, actor: Identity) -> Module | None:
    """Turn one module on or off; returns the module that was turned off to keep the exclusivity, if any."""
    actor.require(Perm.PROCORE_SETUP)
    setup = current(session)
    switched_off = None
    if enabled and (other := definition(module).excludes) is not None and getattr(setup, other.value):
        setattr(setup, other.value, False)
        switched_off = other
    setattr(setup, module.value, enabled)
    setup.updated_at = utcnow()
    session.add(setup)
    _refresh_finished(session, setup)
    return switched_off


def set_modules(session: Session, *, modules: frozenset[Module], actor: Identity) -> None:
    """Set exactly these modules on (the CLI's form); both Timecard and Timesheet is refused."""
    check_modules(modules)
    for module in Module:
        set_module(session, module=module, enabled=module in modules, actor=actor)


def reachable_companies(settings: Settings, engine: Engine, *, actor: Identity) -> dict[int, str]:
    """Procore companies the stored connection can reach: id → name.

    Raises:
        PermissionDenied: `actor` may not change the Procore setup.
        ConfigurationError, ProcoreAPIError: Procore is not connected or refused.
    """
    actor.require(Perm.PROCORE_SETUP)
    with open_client(settings, engine) as client:
        return {c.id: c.name or str(c.id) for c in client.iter_companies() if c.is_active is not False}


def choose_company(settings: Settings, engine: Engine, *, company_id: int, actor: Identity) -> str:
    """Work in Procore company `company_id`, which must be one the connection can reach; returns its name."""
    companies = reachable_companies(settings, engine, actor=actor)
    if company_id not in companies:
        raise ValidationError(f"Company {company_id} is not one this Procore connection can reach.")
    select_company(settings, engine, company_id=company_id, company_name=companies[company_id])
    with session_scope(engine) as session:
        _refresh_finished(session, current(session))
    return companies[company_id]


def _refresh_finished(session: Session, setup: ProcoreSetup) -> None:
    """Setup is finished once there is a company, a mode and at least one module."""
    linked = connection(session)
    ready = bool(linked and linked.company_id and setup.mode and enabled_modules(setup))
    if ready and setup.finished_at is None:
        setup.finished_at = utcnow()
    elif not ready:
        setup.finished_at = None
    session.add(setup)
