"""The account and the company directory: me, companies, projects, vendors, users, people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from core.procore.http import ProcoreHTTP
from core.procore.resources.common import date_range
from core.procore.schemas.directory import Company, CompanyUser, Me, Person, Project, Vendor


class DirectoryResources(ProcoreHTTP):
    def me(self, *, company_id: int | None = None) -> Me:
        """The Procore user (or service account) the tokens belong to.

        Procore returns the name only when asked in a company (`company_id`, then with the header).
        """
        path = "/rest/v1.0/me"
        chosen = company_id if company_id is not None else self.company_id
        if chosen is None:
            return self._get(Me, path, company_id=None, account_call=True)
        return self._get(Me, path, company_id=chosen, params={"company_id": chosen})

    def iter_companies(self, *, company_id: int | None = None, per_page: int | None = None) -> Iterator[Company]:
        """Companies the connection can reach (for a service account: where the app is installed)."""
        path = "/rest/v1.0/companies"
        return self._list(Company, path, company_id=company_id, per_page=per_page, account_call=True)

    def iter_projects(
        self,
        *,
        company_id: int | None = None,
        status: Literal["Active", "Inactive", "All"] = "Active",
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        per_page: int | None = None,
    ) -> Iterator[Project]:
        company = self._company(company_id)
        params = {
            "company_id": company,
            "filters[by_status]": status,
            "filters[updated_at]": date_range(updated_from, updated_to),
        }
        return self._list(Project, "/rest/v1.0/projects", company_id=company, params=params, per_page=per_page)

    def iter_vendors(
        self,
        *,
        company_id: int | None = None,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        per_page: int | None = None,
    ) -> Iterator[Vendor]:
        company = self._company(company_id)
        params = {"company_id": company, "filters[updated_at]": date_range(updated_from, updated_to)}
        return self._list(Vendor, "/rest/v1.0/vendors", company_id=company, params=params, per_page=per_page)

    def iter_users(
        self,
        *,
        company_id: int | None = None,
        updated_from: dt.datetime | None = None,
        updated_to: dt.datetime | None = None,
        per_page: int | None = None,
    ) -> Iterator[CompanyUser]:
        company = self._company(company_id)
        params = {"filters[updated_at]": date_range(updated_from, updated_to)}
        path = "/rest/v1.0/companies/{company_id}/users"
        return self._list(CompanyUser, path, company_id=company, params=params, per_page=per_page)

    def iter_people(
        self, *, company_id: int | None = None, employees_only: bool = False, per_page: int | None = None
    ) -> Iterator[Person]:
        """Directory people, including reference users (people without a Procore login)."""
        company = self._company(company_id)
        params = {"filters[is_employee]": "true" if employees_only else None}
        path = "/rest/v1.0/companies/{company_id}/people"
        return self._list(Person, path, company_id=company, params=params, per_page=per_page)
