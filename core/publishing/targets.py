"""The names the publishing engine imports for targets; the targets live in `core.modules.targets`.

A module's target is its definition's (`core.modules.registry`); new code
imports from there and from `core.modules.targets` directly.
"""

from __future__ import annotations

from core.models.publishing import PublishModule
from core.modules.registry import definition
from core.modules.targets import Outgoing, Payload, Remote, Target, date_window

__all__ = ["Outgoing", "Payload", "Remote", "Target", "date_window", "target_for"]


def target_for(module: PublishModule | str) -> Target:
    """The target of `module` (its definition's)."""
    return definition(module).target
