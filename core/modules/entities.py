"""Which of our records an entry's key columns name, and which are mapped per Procore project."""

from __future__ import annotations

from core.models.mapping import Entity

# Key column of a publish entry → what it names (pay classes come with the values of timecards).
KEY_COLUMNS: dict[str, Entity] = {
    "job_site_id": Entity.JOB_SITE, "company_id": Entity.COMPANY, "employee_id": Entity.EMPLOYEE,
    "cost_code_id": Entity.COST_CODE, "pay_class_id": Entity.PAY_CLASS, "pay_id_id": Entity.PAY_ID,
}
# Mapped, checked and shown within the Procore project a job site maps to.
PROJECT_SCOPED = frozenset({Entity.COST_CODE, Entity.PAY_CLASS})
