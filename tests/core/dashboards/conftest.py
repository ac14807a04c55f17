"""The demo world linked to the emulator, with every module the dashboards show."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.access import Identity
from core.config import Settings
from tests.core.publishing.engine_world import Linked, link_world
from tests.dashboard_world import DASHBOARD_MODULES


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int) -> Linked:
    return link_world(settings, demo_engine, admin, emulator_url, connected, DASHBOARD_MODULES)
