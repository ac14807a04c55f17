"""Lookups the mapping needs: cost codes, standard cost codes, work classifications, time types, crews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from core.procore.http import ProcoreHTTP
from core.procore.resources.common import date_range
from core.procore.schemas.costs import (
    CostCode,
    Crew,
    StandardCostCode,
    StandardCostCodeList,
    TimecardTimeType,
    WorkClassification,
)


class CodeResources(ProcoreHTTP):
    def iter_cost_codes(
        self, *, project_id: int, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[CostCode]:
        """A project's cost codes (Procore has no updated_at filter here; re-list and compare)."""
        params = {"project_id": project_id}
        return self._list(CostCode, "/rest/v1.0/cost_codes", company_id=company_id, params=params, per_page=per_page)

    def iter_standard_cost_code_lists(
        self, *, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[StandardCostCodeList]:
        params = {"company_id": self._company(company_id)}
        path = "/rest/v1.0/standard_cost_code_lists"
        return self._list(StandardCostCodeList, path, company_id=company_id, params=params, per_page=per_page)

    def iter_standard_cost_codes(
        self, *, standard_cost_code_list_id: int, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[StandardCostCode]:
        # Without view=extended Procore returns only ids.
        params = {"company_id": self._company(company_id), "standard_cost_code_list_id": standard_cost_code_list_id,
                  "view": "extended"}
        path = "/rest/v1.0/standard_cost_codes"
        return self._list(StandardCostCode, path, company_id=company_id, params=params, per_page=per_page)

    def iter_work_classifications(
        self, *, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[WorkClassification]:
        path = "/rest/v1.0/companies/{company_id}/work_classifications"
        return self._list(WorkClassification, path, company_id=company_id, per_page=per_page)

    def iter_company_time_types(
        self, *, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[TimecardTimeType]:
        """The company's timecard time types (Regular, Overtime, ...): only `id` and `time_type`."""
        path = "/rest/v1.0/companies/{company_id}/timecard_time_types"
        return self._list(TimecardTimeType, path, company_id=company_id, per_page=per_page)

    def iter_project_time_types(
        self, *, project_id: int, company_id: int | None = None, per_page: int | None = None
    ) -> Iterator[TimecardTimeType]:
        """Time types usable on a project, with abbreviations and the `global` flag."""
        params = {"project_id": project_id}
        path = "/rest/v1.0/timecard_time_types"
        return self._list(TimecardTimeType, path, company_id=company_id, params=params, per_page=per_page)

    def iter_crews(
        self,
        *,
        project_id: int,
        company_id: int | None = None,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        per_page: int | None = None,
    ) -> Iterator[Crew]:
        params = {"filters[updated_at]": date_range(updated_from, updated_to)}
        path = "/rest/v1.0/projects/{project_id}/crews"
        return self._list(Crew, path, company_id=company_id, params=params, per_page=per_page, project_id=project_id)
