"""Daily Log manpower and quantity logs of a project.

Procore lists only today's logs unless dates are given, and manpower lists only approved logs
unless `filters[status]=all`; these methods always send a date range and `all`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from core.procore.http import ProcoreHTTP
from core.procore.inputs import ManpowerLogInput, QuantityLogInput
from core.procore.schemas.logs import ManpowerLog, QuantityLog

MANPOWER = "/rest/v1.0/projects/{project_id}/manpower_logs"
MANPOWER_ONE = MANPOWER + "/{log_id}"
QUANTITY = "/rest/v1.0/projects/{project_id}/quantity_logs"
QUANTITY_ONE = QUANTITY + "/{log_id}"


def _window(start: dt.date, end: dt.date) -> dict[str, str]:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


class DailyLogResources(ProcoreHTTP):
    def iter_manpower_logs(
        self,
        *,
        project_id: int,
        start: dt.date,
        end: dt.date,
        status: Literal["all", "pending", "approved"] = "all",
        company_id: int | None = None,
        per_page: int | None = None,
    ) -> Iterator[ManpowerLog]:
        params = {**_window(start, end), "filters[status]": status}
        return self._list(
            ManpowerLog, MANPOWER, company_id=company_id, params=params, per_page=per_page, project_id=project_id
        )

    def get_manpower_log(self, *, project_id: int, log_id: int, company_id: int | None = None) -> ManpowerLog:
        return self._get(ManpowerLog, MANPOWER_ONE, company_id=company_id, project_id=project_id, log_id=log_id)

    def create_manpower_log(
        self, *, project_id: int, log: ManpowerLogInput, company_id: int | None = None
    ) -> ManpowerLog:
        body = {"manpower_log": log.payload()}
        data = self._write("POST", MANPOWER, company_id=company_id, body=body, project_id=project_id)
        return self._parse(ManpowerLog, data, "POST", MANPOWER)

    def update_manpower_log(
        self, *, project_id: int, log_id: int, changes: ManpowerLogInput, company_id: int | None = None
    ) -> ManpowerLog:
        body = {"manpower_log": changes.payload()}
        data = self._write(
            "PATCH", MANPOWER_ONE, company_id=company_id, body=body, project_id=project_id, log_id=log_id
        )
        return self._parse(ManpowerLog, data, "PATCH", MANPOWER_ONE)

    def delete_manpower_log(self, *, project_id: int, log_id: int, company_id: int | None = None) -> None:
        self._write("DELETE", MANPOWER_ONE, company_id=company_id, project_id=project_id, log_id=log_id)

    def iter_quantity_logs(
        self,
        *,
        project_id: int,
        start: dt.date,
        end: dt.date,
        company_id: int | None = None,
        per_page: int | None = None,
    ) -> Iterator[QuantityLog]:
        params = _window(start, end)
        return self._list(
            QuantityLog, QUANTITY, company_id=company_id, params=params, per_page=per_page, project_id=project_id
        )

    def get_quantity_log(self, *, project_id: int, log_id: int, company_id: int | None = None) -> QuantityLog:
        return self._get(QuantityLog, QUANTITY_ONE, company_id=company_id, project_id=project_id, log_id=log_id)

    def create_quantity_log(
        self, *, project_id: int, log: QuantityLogInput, company_id: int | None = None
    ) -> QuantityLog:
        body = {"quantity_log": log.payload()}
        data = self._write("POST", QUANTITY, company_id=company_id, body=body, project_id=project_id)
        return self._parse(QuantityLog, data, "POST", QUANTITY)

    def update_quantity_log(
        self, *, project_id: int, log_id: int, changes: QuantityLogInput, company_id: int | None = None
    ) -> QuantityLog:
        body = {"quantity_log": changes.payload()}
        data = self._write(
            "PATCH", QUANTITY_ONE, company_id=company_id, body=body, project_id=project_id, log_id=log_id
        )
        return self._parse(QuantityLog, data, "PATCH", QUANTITY_ONE)

    def delete_quantity_log(self, *, project_id: int, log_id: int, company_id: int | None = None) -> None:
        self._write("DELETE", QUANTITY_ONE, company_id=company_id, project_id=project_id, log_id=log_id)
