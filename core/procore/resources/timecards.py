"""Timecard entries: the project (Daily Log) family, the company family and v1.1 bulk create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from pydantic import Field

from core.procore.constants import BULK_CREATE_LIMIT
from core.procore.http import ProcoreHTTP
from core.procore.inputs import BulkTimecardEntryInput, CompanyTimecardEntryInput, TimecardEntryInput
from core.procore.resources.common import chunks, date_range
from core.procore.schemas.base import Items, ProcoreModel
from core.procore.schemas.time_entries import TimecardEntry

PROJECT = "/rest/v1.0/projects/{project_id}/timecard_entries"
PROJECT_ONE = PROJECT + "/{entry_id}"
COMPANY = "/rest/v1.0/companies/{company_id}/timecard_entries"
COMPANY_ONE = COMPANY + "/{entry_id}"
BULK_CREATE = "/rest/v1.1/projects/{project_id}/project_timecard_entries/bulk_create"


class _BulkCreated(ProcoreModel):
    timecard_entries: Items[TimecardEntry] = Field(default_factory=list)


class TimecardResources(ProcoreHTTP):
    def iter_project_timecard_entries(
        self,
        *,
        project_id: int,
        start: dt.date,
        end: dt.date,
        company_id: int | None = None,
        per_page: int | None = None,
    ) -> Iterator[TimecardEntry]:
        """A project's entries dated `start`..`end` (inclusive); Procore gives only today's without dates."""
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        return self._list(
            TimecardEntry, PROJECT, company_id=company_id, params=params, per_page=per_page, project_id=project_id
        )

    def get_project_timecard_entry(
        self, *, project_id: int, entry_id: int, company_id: int | None = None
    ) -> TimecardEntry:
        return self._get(TimecardEntry, PROJECT_ONE, company_id=company_id, project_id=project_id, entry_id=entry_id)

    def create_project_timecard_entry(
        self, *, project_id: int, entry: TimecardEntryInput, company_id: int | None = None
    ) -> TimecardEntry:
        body = {"timecard_entry": entry.payload()}
        data = self._write("POST", PROJECT, company_id=company_id, body=body, project_id=project_id)
        return self._parse(TimecardEntry, data, "POST", PROJECT)

    def update_project_timecard_entry(
        self, *, project_id: int, entry_id: int, changes: TimecardEntryInput, company_id: int | None = None
    ) -> TimecardEntry:
        body = {"timecard_entry": changes.payload()}
        data = self._write(
            "PATCH", PROJECT_ONE, company_id=company_id, body=body, project_id=project_id, entry_id=entry_id
        )
        return self._parse(TimecardEntry, data, "PATCH", PROJECT_ONE)

    def delete_project_timecard_entry(self, *, project_id: int, entry_id: int, company_id: int | None = None) -> None:
        self._write("DELETE", PROJECT_ONE, company_id=company_id, project_id=project_id, entry_id=entry_id)

    def iter_company_timecard_entries(
        self,
        *,
        company_id: int | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        deleted_from: dt.datetime | None = None,
        deleted_to: dt.datetime | None = None,
        per_page: int | None = None,
    ) -> Iterator[TimecardEntry]:
        """Company-wide entries; `updated_*` finds changes, `deleted_*` finds deletions."""
        params = {
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
            "filters[updated_at]": date_range(updated_from, updated_to),
            "filters[deleted_at]": date_range(deleted_from, deleted_to),
        }
        return self._list(TimecardEntry, COMPANY, company_id=company_id, params=params, per_page=per_page)

    def get_company_timecard_entry(self, *, entry_id: int, company_id: int | None = None) -> TimecardEntry:
        return self._get(TimecardEntry, COMPANY_ONE, company_id=company_id, entry_id=entry_id)

    def update_company_timecard_entry(
        self, *, entry_id: int, project_id: int, changes: CompanyTimecardEntryInput, company_id: int | None = None
    ) -> TimecardEntry:
        """Procore requires `project_id` and the entry's `date` in every company-family update."""
        body = {"project_id": project_id, "timecard_entry": changes.payload()}
        data = self._write("PATCH", COMPANY_ONE, company_id=company_id, body=body, entry_id=entry_id)
        return self._parse(TimecardEntry, data, "PATCH", COMPANY_ONE)

    def delete_company_timecard_entry(self, *, entry_id: int, company_id: int | None = None) -> TimecardEntry:
        """Deletes the entry; Procore answers with the deleted entry."""
        data = self._write("DELETE", COMPANY_ONE, company_id=company_id, entry_id=entry_id)
        return self._parse(TimecardEntry, data, "DELETE", COMPANY_ONE)

    def bulk_create_project_timecard_entries(
        self, *, project_id: int, entries: Sequence[BulkTimecardEntryInput], company_id: int | None = None
    ) -> Iterator[list[TimecardEntry]]:
        """Create entries through v1.1 bulk_create, 25 per request; yields each request's created entries.

        Each request is one transaction in Procore. If one fails, its error is raised; entries from
        the requests yielded before it exist in Procore.
        """
        for entry in entries:
            if entry.project_id != project_id:
                raise ValueError(f"entry for project {entry.project_id} given to bulk create in project {project_id}")
        for chunk in chunks(entries, BULK_CREATE_LIMIT):
            body = {"timecard_entries": [entry.payload() for entry in chunk]}
            data = self._write("POST", BULK_CREATE, company_id=company_id, body=body, project_id=project_id)
            yield self._parse(_BulkCreated, data, "POST", BULK_CREATE).timecard_entries
