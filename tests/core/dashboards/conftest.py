"""The demo world linked to the emulator, with every module the dashboards show."""

from __future__ import annotations

import pytest

from core.models.publishing import PublishModule
from tests.dashboard_world import DASHBOARD_MODULES


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return DASHBOARD_MODULES
