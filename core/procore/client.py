"""`ProcoreClient`: the one way the product talks to Procore.

It sits on an injected authlib/httpx client (`http_client`), so the built-in emulator, a test
transport and real Procore run the same code. Build one with `core.procore.connection.open_client`.

    client = open_client(settings, engine)
    for log in client.iter_manpower_logs(project_id=p, start=monday, end=sunday):
        ...
"""

from __future__ import annotations

from core.procore.resources.codes import CodeResources
from core.procore.resources.daily_logs import DailyLogResources
from core.procore.resources.directory import DirectoryResources
from core.procore.resources.timecards import TimecardResources
from core.procore.resources.timesheets import TimesheetResources


class ProcoreClient(DirectoryResources, CodeResources, DailyLogResources, TimecardResources, TimesheetResources):
    """Typed Procore resources over one connection, paced, retried and refreshed in one place.

    Methods are keyword-only. `company_id` defaults to the client's selected company and is sent as
    `Procore-Company-Id`. `iter_*` methods are generators over every page; writes take the typed
    inputs of `core.procore.inputs` and return the models of `core.procore.schemas`.
    """

    def __enter__(self) -> ProcoreClient:
        return self
