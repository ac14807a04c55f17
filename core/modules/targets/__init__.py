"""Where each module's entries go in Procore: one target per module, and what they share (`base`).

* Manpower → Daily Log manpower logs (`manpower`).
* Production quantity → Daily Log quantity logs (`quantity`).
* Timecard → project timecard entries (`timecard`).
* Timesheet → the same entries filed on the project's timesheet of their day (`timesheet`).
"""

from core.modules.targets.base import (
    EntryIds,
    Names,
    Outgoing,
    Payload,
    Remote,
    Target,
    compared_fields,
    date_window,
    differences,
    hours_text,
)

__all__ = [
    "EntryIds", "Names", "Outgoing", "Payload", "Remote", "Target", "compared_fields", "date_window", "differences",
    "hours_text",
]
