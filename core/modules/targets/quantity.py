"""Production quantity → Daily Log quantity logs (procore-api.md §4.6).

Fields: whole `quantity`, `unit`, `cost_code_id`, the cost code named in
`description`; a log is recognised by its project, date and values, as
manpower logs are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from core.modules.targets.base import EntryIds, LogTarget, Names, Outgoing, Payload, Remote, clean, day_text
from core.procore.client import ProcoreClient
from core.procore.inputs import QuantityLogInput
from core.procore.schemas.logs import QuantityLog


class QuantityTarget(LogTarget):
    label: ClassVar[str] = "quantity log"
    compared: ClassVar[tuple[str, ...]] = ("date", "cost_code_id", "quantity", "unit", "description")

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        code = keys.get("cost_code_id")
        return clean({
            "date": work_date.isoformat(), "cost_code_id": ids.cost_code_id, "quantity": int(values["units"]),
            "unit": str(values["unit_of_measure"]), "description": names.cost_codes.get(code) if code else None,
        })

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]:
        return [_quantity(log) for log in client.iter_quantity_logs(project_id=project_id, start=start, end=end)]

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        return [_quantity(client.create_quantity_log(project_id=project_id, log=QuantityLogInput(**item.payload)))
                for item in batch]

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote:
        changes = QuantityLogInput(**payload)
        return _quantity(client.update_quantity_log(project_id=project_id, log_id=remote_id, changes=changes))

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None:
        client.delete_quantity_log(project_id=project_id, log_id=remote_id)


def _quantity(log: QuantityLog) -> Remote:
    quantity: int | str | None = None
    if log.quantity is not None:
        quantity = int(log.quantity) if log.quantity == int(log.quantity) else str(log.quantity)
    fields = {
        "date": day_text(log.date), "cost_code_id": log.cost_code.id if log.cost_code else None, "quantity": quantity,
        "unit": log.unit, "description": log.description or None,
    }
    return Remote(id=log.id, work_date=log.date, updated_at=log.updated_at, fields=fields)
