"""The numbers and codes people type in an uploaded file, resolved to what a row needs of our records.

Loaded once per file as plain values (not ORM objects), so resolving a row
costs a few dictionary look-ups however large the file is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID
from core.timeclock.fields import shown


@dataclass(frozen=True, slots=True)
class Ref:
    """One record as a row uses it: its id, the number people know it by, and the fields rows borrow."""

    id: int
    number: str
    company_id: int = 0
    pay_class_id: int | None = None
    time_zone: str = ""
    unit_of_measure: str = ""


@dataclass
class Lookups:
    """Each kind of record by the upper-cased number or code people type."""

    sites: dict[str, Ref] = field(default_factory=dict)
    employees: dict[str, Ref] = field(default_factory=dict)
    pay_ids: dict[str, Ref] = field(default_factory=dict)
    pay_classes: dict[str, Ref] = field(default_factory=dict)
    companies: dict[str, Ref] = field(default_factory=dict)
    crews: dict[tuple[int, str], Ref] = field(default_factory=dict)
    codes: dict[tuple[int | None, str], Ref] = field(default_factory=dict)
    _companies_by_id: dict[int, Ref] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Lookups:
        def rows(*columns: Any) -> list[Any]:
            return list(session.exec(select(*columns)))

        return cls(
            sites={n.upper(): Ref(i, n, time_zone=z) for i, n, z in rows(
                JobSite.id, JobSite.number, JobSite.time_zone)},
            employees={n.upper(): Ref(i, n, company_id=c, pay_class_id=p) for i, n, c, p in rows(
                Employee.id, Employee.number, Employee.company_id, Employee.pay_class_id)},
            pay_ids={n.upper(): Ref(i, n) for i, n in rows(PayID.id, PayID.code)},
            pay_classes={n.upper(): Ref(i, n) for i, n in rows(PayClass.id, PayClass.number)},
            companies={n.upper(): Ref(i, n) for i, n in rows(Company.id, Company.number)},
            crews={(c, n.upper()): Ref(i, n, company_id=c) for i, n, c in rows(Crew.id, Crew.name, Crew.company_id)},
            codes={(s, n.upper()): Ref(i, n, unit_of_measure=u) for i, n, s, u in rows(
                CostCode.id, CostCode.code, CostCode.job_site_id, CostCode.unit_of_measure)},
        )

    @staticmethod
    def find(table: dict[str, Ref], text: str, label: str, reasons: list[str]) -> Ref | None:
        """The record `text` names; None (and a reason, unless `text` is empty) when there is none."""
        found = table.get(text.upper())
        if found is None and text:
            reasons.append(f"no {label} {shown(text)}")
        return found

    def company_by_id(self, company_id: int) -> Ref | None:
        if len(self._companies_by_id) != len(self.companies):
            self._companies_by_id = {company.id: company for company in self.companies.values()}
        return self._companies_by_id.get(company_id)

    def cost_code(self, site: Ref, code: str, reasons: list[str]) -> Ref | None:
        """The site's own code, else the standard code with that code."""
        key = code.upper()
        found = self.codes.get((site.id, key)) or self.codes.get((None, key))
        if found is None:
            reasons.append(f"cost code {shown(code)} is neither a standard code nor one of job site {site.number}'s")
        return found

    def crew(self, name: str, company: Ref | None, reasons: list[str]) -> Ref | None:
        """The company's crew called `name` (None when no name or no company is given)."""
        if not name or company is None:
            return None
        crew = self.crews.get((company.id, name.upper()))
        if crew is None:
            reasons.append(f"company {company.number} has no crew {shown(name)}")
        return crew
