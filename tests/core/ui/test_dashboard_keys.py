from __future__ import annotations

import pytest

from core.models.publishing import PublishModule
from core.ui.dashboard_keys import Keys


def test_each_dashboard_has_its_own_keys() -> None:
    manpower, quantity = Keys(PublishModule.MANPOWER), Keys(PublishModule.QUANTITY)
    assert manpower.day == "manpower_dash_day"
    assert manpower.confirm_force == "manpower_dash_confirm_force"
    assert quantity.day != manpower.day


def test_a_key_nobody_declared_is_refused() -> None:
    """A misspelt key would silently start a second piece of state; it fails instead (and mypy says so)."""
    keys = Keys(PublishModule.MANPOWER)
    with pytest.raises(AttributeError):
        getattr(keys, "confirm_forse")  # noqa: B009 - the point is a name mypy cannot see
