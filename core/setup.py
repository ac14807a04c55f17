"""Procore setup: activation, company, two-way or one-way, and which modules publish.

Timecard and Timesheet publishing exclude each other: enabling one disables
the other. When the other holds Procore records, the switch needs a choice
(`core.publishing.switch`): carry them over, or unpublish them first. The page,
the CLI and every other caller go through these functions, so the rules hold
everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
from core.procore.client import ProcoreClient
from core.procore.connection import open_client, select_company
from core.timeclock.dirty import forget_refreshed

Module = PublishModule  # what can be published to Procore

EXCLUSIVITY_NOTE = "Timecard and Timesheet publishing cannot both be on: enabling one turns the other off."


class SwitchChoice(StrEnum):
    """What to do with the published entries of the module a switch turns off (`core.publishing.switch`)."""

    CARRY_OVER = "carry_over"  # the new module takes them over, with their Procore records
    UNPUBLISH = "unpublish"  # delete them from Procore first


class SwitchNeedsChoice(ValidationError):
    """Turning a module on would leave the records of the module it excludes to be counted twice."""


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
    if setup.mode != mode:
        forget_refreshed(session)  # mapping reasons name the mode's place to fix them: recompute them all
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


def published_by_module(session: Session) -> dict[Module, int]:
    """Entries holding a Procore record, per module (what a mode or module switch would touch)."""
    from core.publishing.switch import published_counts  # publishing imports setup

    return published_counts(session)


def switch_needs(session: Session, *, module: Module) -> tuple[Module, int] | None:
    """The module that turning `module` on takes over from, and how many of its entries hold Procore records.

    None when there is nothing to decide (no excluded module, or it holds no record).
    """
    other = definition(module).excludes
    held = published_by_module(session).get(other, 0) if other is not None else 0
    return (other, held) if other is not None and held else None


def set_module(session: Session, *, module: Module, enabled: bool, actor: Identity,
               choice: SwitchChoice | None = None) -> Module | None:
    """Turn one module on or off; returns the module that was turned off to keep the exclusivity, if any.

    Turning on a module whose excluded module holds Procore records needs `choice`: CARRY_OVER moves them
    here; UNPUBLISH means `switch_module` has deleted them already (here it only checks none is left).

    Raises:
        SwitchNeedsChoice: `choice` is missing (nothing changed), or UNPUBLISH left records in Procore.
    """
    actor.require(Perm.PROCORE_SETUP)
    setup = current(session)
    switched_off = None
    needs = switch_needs(session, module=module) if enabled and not getattr(setup, module.value) else None
    if needs is not None and choice is not SwitchChoice.CARRY_OVER:
        raise SwitchNeedsChoice(needs_text(module, *needs) + " Carry them over or unpublish them first.")
    if needs is not None:
        from core.publishing.switch import carry_over

        carry_over(session, source=needs[0], target=module)
    if enabled and (other := definition(module).excludes) is not None and getattr(setup, other.value):
        setattr(setup, other.value, False)
        switched_off = other
    setattr(setup, module.value, enabled)
    setup.updated_at = utcnow()
    session.add(setup)
    _refresh_finished(session, setup)
    return switched_off


def needs_text(module: Module, other: Module, held: int) -> str:
    """Why a switch needs a choice: "12 Timecard entries are published in Procore: turning Timesheet on…"."""
    return (f"{held} {short_label(other)} entries are published in Procore: turning {short_label(module)} on "
            "would count those hours twice.")


def short_label(module: Module) -> str:
    """"Timecard", as people name the module."""
    return module_label(module).split(" (")[0]


def set_modules(session: Session, *, modules: frozenset[Module], actor: Identity,
                choice: SwitchChoice | None = None) -> None:
    """Set exactly these modules on (the CLI's form); both Timecard and Timesheet is refused.

    Modules are turned off first, so a switch's carry-over finds the module it replaces already off.
    """
    check_modules(modules)
    for module in sorted(Module, key=lambda found: found in modules):
        set_module(session, module=module, enabled=module in modules, actor=actor, choice=choice)


def switches_needed(session: Session, *, modules: frozenset[Module]) -> list[tuple[Module, Module, int]]:
    """For a new set of modules: (module turned on, module it replaces, records the latter holds) per choice due."""
    found = session.exec(select(ProcoreSetup)).first()  # read only: a refused setup leaves no row behind
    enabled = enabled_modules(found) if found is not None else frozenset()
    return [(module, *needs) for module in sorted(modules - enabled)
            if (needs := switch_needs(session, module=module)) is not None]


def switch_module(settings: Settings, engine: Engine, *, module: Module, choice: SwitchChoice, actor: Identity,
                  client: ProcoreClient | None = None) -> Module | None:
    """Turn `module` on, first carrying over or unpublishing what the module it excludes holds in Procore.

    Raises:
        SwitchNeedsChoice: unpublishing left records in Procore (nothing switched).
        ValidationError: unpublishing needs the other module on.
    """
    actor.require(Perm.PROCORE_SETUP)
    if choice is SwitchChoice.UNPUBLISH:
        unpublish_before(settings, engine, modules=frozenset({module}), actor=actor, client=client)
    with session_scope(engine) as session:
        return set_module(session, module=module, enabled=True, actor=actor, choice=choice)


def unpublish_before(settings: Settings, engine: Engine, *, modules: frozenset[Module], actor: Identity,
                     client: ProcoreClient | None = None) -> None:
    """Delete from Procore the records of each module that turning `modules` on replaces."""
    from core.publishing.switch import unpublish_all

    with session_scope(engine) as session:
        due = switches_needed(session, modules=modules)
        on = enabled_modules(current(session))
    for _module, other, _held in due:
        if other not in on:
            raise ValidationError(f"{short_label(other)} is off, so its entries cannot be unpublished: "
                                  f"turn it on to unpublish them, or carry them over.")
        unpublish_all(settings, engine, module=other, actor=actor, client=client)


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
