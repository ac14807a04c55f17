"""What the two-way import reads from Procore, read whole before any of it is written.

A token can run out in the middle of an import, and renewing it writes the new
token to the database. Were Procore read while the import holds the database's
write lock, the renewal would wait on the import, and on SQLite (one writer at a
time) it would wait for ever. So each list is read here first, then written by
`core.sync.importer` without calling Procore.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.procore.client import ProcoreClient
from core.procore.schemas.costs import CostCode, StandardCostCode, TimecardTimeType, WorkClassification
from core.procore.schemas.directory import Person, Project, Vendor


@dataclass(frozen=True)
class CodeLists:
    """Procore's standard cost codes, and each project's cost codes."""

    standard: list[StandardCostCode]
    by_project: dict[int, list[CostCode]]


@dataclass(frozen=True)
class TimeTypes:
    """The company's time types, and their abbreviations (only a project's list has them)."""

    company: list[TimecardTimeType]
    abbreviations: dict[int, str]


@dataclass(frozen=True)
class People:
    """The company's employees, and the company's own name (for our own company when it is new)."""

    employees: list[Person]
    company_name: str | None


@dataclass
class ProcoreReads:
    """Reads of one Procore company for one import; the project list is read once however many lists need it."""

    client: ProcoreClient
    company_id: int
    _projects: list[Project] | None = field(default=None, repr=False)

    def vendors(self) -> list[Vendor]:
        return list(self.client.iter_vendors(company_id=self.company_id))

    def projects(self) -> list[Project]:
        if self._projects is None:
            self._projects = list(self.client.iter_projects(company_id=self.company_id))
        return self._projects

    def people(self) -> People:
        employees = list(self.client.iter_people(company_id=self.company_id, employees_only=True))
        name = next((c.name for c in self.client.iter_companies() if c.id == self.company_id), None)
        return People(employees, name)

    def cost_codes(self) -> CodeLists:
        standard = [
            code
            for code_list in self.client.iter_standard_cost_code_lists(company_id=self.company_id)
            for code in self.client.iter_standard_cost_codes(
                standard_cost_code_list_id=code_list.id, company_id=self.company_id
            )
        ]
        by_project = {
            project.id: list(self.client.iter_cost_codes(project_id=project.id, company_id=self.company_id))
            for project in self.projects()
        }
        return CodeLists(standard, by_project)

    def time_types(self) -> TimeTypes:
        company = list(self.client.iter_company_time_types(company_id=self.company_id))
        first = next(iter(self.projects()), None)
        listed = [] if first is None else self.client.iter_project_time_types(
            project_id=first.id, company_id=self.company_id
        )
        return TimeTypes(company, {t.id: t.abbreviated_time_type.strip() for t in listed if t.abbreviated_time_type})

    def classifications(self) -> list[WorkClassification]:
        return list(self.client.iter_work_classifications(company_id=self.company_id))


# What each step of the import reads (the importer's STEPS, by name).
READERS: dict[str, Callable[[ProcoreReads], Any]] = {
    "vendors": ProcoreReads.vendors,
    "job sites": ProcoreReads.projects,
    "employees": ProcoreReads.people,
    "cost codes": ProcoreReads.cost_codes,
    "payroll items": ProcoreReads.time_types,
    "classifications": ProcoreReads.classifications,
}
