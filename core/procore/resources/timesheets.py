"""The Timesheets tool: project timesheets (create, list, approve) and the company timesheet index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

from pydantic import RootModel

from core.procore.constants import BULK_CREATE_LIMIT
from core.procore.http import ProcoreHTTP
from core.procore.inputs import BulkTimecardEntryInput
from core.procore.resources.common import chunks, date_range
from core.procore.schemas.time_entries import CompanyTimesheet, TimecardEntry, Timesheet

PROJECT = "/rest/v1.0/projects/{project_id}/timesheets"
APPROVAL = PROJECT + "/update_approval"
COMPANY = "/rest/v1.0/companies/{company_id}/timesheets"


class _Entries(RootModel[list[TimecardEntry]]):
    pass


class TimesheetResources(ProcoreHTTP):
    def create_project_timesheet(self, *, project_id: int, date: dt.date, company_id: int | None = None) -> Timesheet:
        body = {"timesheet": {"date": date.isoformat()}}
        data = self._write("POST", PROJECT, company_id=company_id, body=body, project_id=project_id)
        return self._parse(Timesheet, data, "POST", PROJECT)

    def iter_project_timesheets(
        self,
        *,
        project_id: int,
        start: dt.date | None = None,
        end: dt.date | None = None,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        company_id: int | None = None,
        per_page: int | None = None,
    ) -> Iterator[Timesheet]:
        params = {"filters[date]": date_range(start, end), "filters[updated_at]": date_range(updated_from, updated_to)}
        return self._list(
            Timesheet, PROJECT, company_id=company_id, params=params, per_page=per_page, project_id=project_id
        )

    def update_timesheet_approval(
        self,
        *,
        project_id: int,
        statuses: Mapping[int, Literal["pending", "approved"]],
        company_id: int | None = None,
    ) -> Timesheet:
        """Set timesheets (and their entries) to pending or approved; Procore answers with one timesheet."""
        body = {"timesheets": [{"id": sheet_id, "status": status} for sheet_id, status in statuses.items()]}
        data = self._write("PATCH", APPROVAL, company_id=company_id, body=body, project_id=project_id)
        return self._parse(Timesheet, data, "PATCH", APPROVAL)

    def iter_company_timesheets(
        self,
        *,
        start: dt.date,
        end: dt.date,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        company_id: int | None = None,
        per_page: int | None = None,
    ) -> Iterator[CompanyTimesheet]:
        """Per-person timecard data for `start`..`end` (Procore's default is the current work week)."""
        params = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "filters[updated_at]": date_range(updated_from, updated_to),
        }
        return self._list(CompanyTimesheet, COMPANY, company_id=company_id, params=params, per_page=per_page)

    def bulk_create_company_timecard_entries(
        self, *, entries: Sequence[BulkTimecardEntryInput], company_id: int | None = None
    ) -> Iterator[list[TimecardEntry]]:
        """Create entries across projects through the company timesheet endpoint, 25 per request.

        Procore documents no batch limit here; 25 keeps each request small. Yields each request's
        created entries; an error stops the run with earlier requests already applied.
        """
        for chunk in chunks(entries, BULK_CREATE_LIMIT):
            body = {"timecard_entries": [entry.payload() for entry in chunk]}
            data = self._write("POST", COMPANY, company_id=company_id, body=body)
            yield self._parse(_Entries, data, "POST", COMPANY).root
