"""What each publishing dashboard shows: its module definition's view (title, columns, chart)."""

from __future__ import annotations

from core.models.publishing import PublishModule
from core.modules.definition import TRAILING_COLUMNS, ModuleView
from core.modules.registry import definition

__all__ = ["TRAILING_COLUMNS", "ModuleView", "view_for"]


def view_for(module: PublishModule | str) -> ModuleView:
    """The dashboard of `module`; a KeyError for a module without one (timesheets go through Payroll)."""
    view = definition(module).view
    if view is None:
        raise KeyError(PublishModule(module))
    return view
