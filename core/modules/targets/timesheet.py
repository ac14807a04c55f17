"""Timesheet → timecard entries filed on the project's timesheet of their day (the payroll board publishes these).

The day's timesheet is looked up (one list call per batch) and created when
missing; a lock per project and day keeps two batches of this process from
creating it twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import ClassVar

from core.models.publishing import PublishModule
from core.modules.targets.base import Outgoing, Remote
from core.modules.targets.timecard import TimecardTarget
from core.procore.client import ProcoreClient


class TimesheetTarget(TimecardTarget):
    label: ClassVar[str] = "timesheet entry"

    def __init__(self, module: PublishModule) -> None:
        super().__init__(module)
        self._locks: dict[tuple[int, dt.date], threading.Lock] = {}
        self._guard = threading.Lock()

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        days = sorted({item.work_date for item in batch})
        sheets = {day: self._timesheet(client, project_id, day) for day in days}
        filed = [Outgoing(item.entry_id, item.work_date, item.payload | {"timesheet_id": sheets[item.work_date]})
                 for item in batch]
        return super().create(client, project_id, filed)

    def _timesheet(self, client: ProcoreClient, project_id: int, day: dt.date) -> int:
        with self._guard:
            lock = self._locks.setdefault((project_id, day), threading.Lock())
        with lock:
            for sheet in client.iter_project_timesheets(project_id=project_id, start=day, end=day):
                if sheet.date == day:
                    return sheet.id
            return client.create_project_timesheet(project_id=project_id, date=day).id
