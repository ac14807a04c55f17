"""Every database table, imported here so Alembic and the app see one metadata."""

from core.models.access import Permission, Role, RolePermission, User
from core.models.import_owners import ImportFieldOwner
from core.models.jobs import JobState, JobTrigger, PublishJob
from core.models.mapping import ListSync, PayrollItem, ProcoreLink, ProcoreRecord
from core.models.payroll import BoardColumn, PayrollCard, PayrollSettings
from core.models.procore import GrantType, OAuthState, ProcoreConnection
from core.models.publishing import (
    AttemptAction,
    CalendarCell,
    CalendarDay,
    CalendarMark,
    DirtyDay,
    PublishAttempt,
    PublishEntry,
    PublishModule,
    PublishRun,
    PublishStatus,
    RefreshedDay,
)
from core.models.setup import ProcoreSetup
from core.models.timeclock import (
    Company,
    CostCode,
    Crew,
    Employee,
    JobSite,
    PayClass,
    PayID,
    ProductionQuantity,
    TimeLog,
)

__all__ = [
    "AttemptAction",
    "BoardColumn",
    "CalendarCell",
    "CalendarDay",
    "CalendarMark",
    "Company",
    "CostCode",
    "Crew",
    "DirtyDay",
    "Employee",
    "GrantType",
    "ImportFieldOwner",
    "JobSite",
    "JobState",
    "JobTrigger",
    "ListSync",
    "OAuthState",
    "PayClass",
    "PayID",
    "PayrollCard",
    "PayrollItem",
    "PayrollSettings",
    "Permission",
    "ProcoreConnection",
    "ProcoreLink",
    "ProcoreRecord",
    "ProcoreSetup",
    "ProductionQuantity",
    "PublishAttempt",
    "PublishEntry",
    "PublishJob",
    "PublishModule",
    "PublishRun",
    "PublishStatus",
    "RefreshedDay",
    "Role",
    "RolePermission",
    "TimeLog",
    "User",
]
