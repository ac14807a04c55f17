"""Getting the database ready: migrations, default roles, demo data on first start."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from core import access
from core.config import Settings
from core.db import get_engine, migrate, session_scope
from core.demo.generator import DemoSize, generate, has_time_clock_data

log = logging.getLogger(__name__)


def open_database(settings: Settings, *, seed_demo: bool = True, start_worker: bool = False) -> Engine:
    """The engine for the configured database, at the newest schema and with default roles.

    With `seed_demo` and `settings.demo_data`, an empty time clock gets the small demo world.
    With `start_worker` (the app), a publish worker is started on the embedded queue unless one runs.
    """
    engine = get_engine(settings.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        access.ensure_defaults(session)
        empty = not has_time_clock_data(session)
    if seed_demo and settings.demo_data and empty:
        report = generate(engine, DemoSize())
        log.info("Seeded demo data: %s", report.counts)
    if start_worker:
        from core.jobs import ensure_worker  # the queue is needed by the app only, not by every command

        ensure_worker(settings)
    return engine
