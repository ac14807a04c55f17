"""What every command needs: settings, a ready database and the command-line identity."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import access, setup
from core.access import Identity
from core.bootstrap import open_database
from core.config import Settings, get_settings
from core.db import session_scope


@dataclass(frozen=True)
class CommandContext:
    settings: Settings
    engine: Engine
    actor: Identity


def command_context() -> CommandContext:
    """Settings from the environment, the database at head, and the Admin identity of the shell."""
    settings = get_settings()
    engine = open_database(settings, seed_demo=False)
    with session_scope(engine) as session:
        actor = access.command_line(session)
    return CommandContext(settings=settings, engine=engine, actor=actor)


def setup_state(engine: Engine) -> setup.SetupState:
    """The Procore setup as it stands, read without writing (a missing setup row is not created)."""
    with Session(engine) as session:  # never committed: reading must leave the database as it was
        return setup.state(session)
