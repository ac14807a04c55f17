"""The demo world linked to the emulator for the dashboards' page and browser tests."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.access import local_admin
from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishModule
from core.procore.endpoints import resolve_endpoints
from tests.conftest import connect_main_company
from tests.core.publishing.engine_world import Linked, link_world

DASHBOARD_MODULES = frozenset({PublishModule.MANPOWER, PublishModule.TIMECARD, PublishModule.QUANTITY})


def linked_app_world(
    settings: Settings, engine: Engine, modules: frozenset[PublishModule] = DASHBOARD_MODULES
) -> Linked:
    """Connect the app's database to the emulator's main company, two-way, with `modules`, and import once."""
    company = connect_main_company(settings, engine)
    url = resolve_endpoints(settings).api_url
    with session_scope(engine) as session:
        admin = local_admin(session)
    return link_world(settings, engine, admin, url, company, modules)
