"""``create_app``: the emulator as an ASGI application over a state file or memory."""

from __future__ import annotations

from starlette.applications import Starlette

from emulator import control, oauth
from emulator.control import DEFAULT_EMPLOYEES, DEFAULT_JOB_SITES, reset_world
from emulator.gateway import EmulatorState
from emulator.routes import daily_logs, directory, timecards, timesheets
from emulator.store import Store

DEFAULT_SEED = 7


def create_app(state: str = ":memory:", seed: int = DEFAULT_SEED, *,
               job_sites: int = DEFAULT_JOB_SITES, employees: int = DEFAULT_EMPLOYEES) -> Starlette:
    """Build the emulator over ``state`` (a SQLite path or ``":memory:"``).

    An empty state is filled with the seed world; a state that already holds a world (for example
    one shared with another process) is used as it is.
    """
    store = Store(state)
    with store.tx() as tx:
        seeded = tx.kv_get("world") is not None
    if not seeded:
        reset_world(store, seed_value=seed, job_sites=job_sites, employees=employees)
    routes = [*oauth.ROUTES, *control.ROUTES, *directory.ROUTES, *daily_logs.ROUTES,
              *timecards.ROUTES, *timesheets.ROUTES]
    app = Starlette(routes=routes)
    app.state.emulator = EmulatorState(store=store, seed=seed)
    return app
