"""A demo time clock linked to its own built-in emulator, ready to publish: what the publish benches share.

    world = build_world(job_sites=20, employees=400, days=10, modules={PublishModule.MANPOWER})
    ids = world.publishable(PublishModule.MANPOWER)  # To do entries after a refresh, in id order
    world.configure(latency_ms=50)
    report = world.publish(PublishModule.MANPOWER, entry_ids=ids, workers=8)
    world.close()

The steps are the ones the suite's linked world takes (tests/conftest.py and
tests/core/publishing/engine_world.py): a SQLite file and an emulator state
file in a temporary directory, the demo generator, the emulator's seed world
sized to match it, a service-account connection to the main company, two-way
setup with the chosen modules, then the import of Procore's lists.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import setup
from core.access import Identity, local_admin
from core.bootstrap import open_database
from core.config import Settings
from core.db import session_scope
from core.demo.generator import DemoSize, generate
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.models.setup import SyncMode
from core.procore.authorization import connect_client_credentials
from core.procore.client import ProcoreClient
from core.procore.connection import open_client, select_company
from core.procore.endpoints import resolve_endpoints
from core.publishing import PublishRequest, RunReport, publish, refresh
from core.sync.importer import run_import

END = date(2026, 11, 20)  # a Friday, as in the suite: fixed dates keep every run comparable
SEED = 7
NO_LIMITS = {"rate_limit_hourly": 10_000_000, "rate_limit_spike": 1_000_000}


@dataclass
class World:
    """One linked world: its settings, database, emulator and the local admin who publishes."""

    settings: Settings
    engine: Engine
    admin: Identity
    base_url: str
    company_id: int
    start: date
    end: date
    sizes: dict[str, int]
    directory: tempfile.TemporaryDirectory[str]

    def control(self, method: str, path: str, **body: Any) -> Any:
        """Call the emulator's control API (`/_emulator/<path>`)."""
        response = httpx.request(method, f"{self.base_url}/_emulator/{path}", json=body or None, timeout=60)
        response.raise_for_status()
        return response.json()

    def configure(self, **config: Any) -> None:
        self.control("PUT", "config", **config)

    def clear_stats(self) -> None:
        self.control("DELETE", "stats")

    def stats(self) -> dict[str, int]:
        """Requests counted since the stats were cleared, per "METHOD /path/template"."""
        return {str(key): int(count) for key, count in self.control("GET", "stats")["requests"].items()}

    def reset_procore(self) -> None:
        """Procore as the seed left it (same seed and sizes: the same ids), keeping the connection's token."""
        self.control("POST", "reset", seed=SEED, **self.sizes)

    def client(self, **kwargs: Any) -> ProcoreClient:
        return open_client(self.settings, self.engine, **kwargs)

    def publishable(self, module: PublishModule, *, limit: int | None = None) -> list[int]:
        """Ids of the module's To do entries in the world's range, after a refresh from the time clock."""
        refresh(self.engine, module=module, start=self.start, end=self.end)
        with Session(self.engine) as session:
            query = select(PublishEntry.id).where(
                PublishEntry.module == module, PublishEntry.status == PublishStatus.TO_DO,
                col(PublishEntry.work_date) >= self.start, col(PublishEntry.work_date) <= self.end,
            ).order_by(col(PublishEntry.id))
            ids = [entry_id for entry_id in session.exec(query) if entry_id is not None]
        return ids[:limit] if limit is not None else ids

    def publish(self, module: PublishModule, *, entry_ids: Collection[int] | None = None,
                client: ProcoreClient | None = None, **kwargs: Any) -> RunReport:
        request = PublishRequest(module=module, start=self.start, end=self.end,
                                 entry_ids=frozenset(entry_ids) if entry_ids is not None else None)
        return publish(self.settings, self.engine, request, actor=self.admin, client=client, **kwargs)

    def close(self) -> None:
        from emulator import start_background

        start_background(str(self.settings.emulator_state)).stop()
        self.engine.dispose()
        self.directory.cleanup()


def build_world(*, job_sites: int, employees: int, days: int, modules: Collection[PublishModule],
                end: date = END) -> World:
    """A fresh world of this size, linked two-way with `modules` and imported; see the module docstring."""
    directory = tempfile.TemporaryDirectory(prefix="procore-connect-bench-")
    root = Path(directory.name)
    settings = Settings(database_url=f"sqlite:///{root}/app.sqlite3", data_dir=root,
                        emulator_state=root / "emulator.sqlite3", demo_data=False)
    engine = open_database(settings, seed_demo=False)
    generate(engine, DemoSize(job_sites=job_sites, employees=employees, days=days, seed=SEED, end_date=end))
    base_url = resolve_endpoints(settings).api_url
    sizes = {"job_sites": job_sites, "employees": employees}
    httpx.post(f"{base_url}/_emulator/reset", json={"seed": SEED, **sizes}, timeout=60).raise_for_status()
    httpx.put(f"{base_url}/_emulator/config", json=NO_LIMITS, timeout=60).raise_for_status()
    company_id = int(httpx.get(f"{base_url}/_emulator/world", timeout=60).json()["companies"]["main"])
    with Session(engine) as session:
        admin = local_admin(session)
    connect_client_credentials(settings, engine, actor=admin, company_id=company_id)
    select_company(settings, engine, company_id=company_id, company_name="Northwind Builders")
    with session_scope(engine) as session:
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
        setup.set_modules(session, modules=frozenset(modules), actor=admin)
    run_import(settings, engine, actor=admin, company_id=company_id)
    return World(settings, engine, admin, base_url, company_id, end - timedelta(days=days - 1), end, sizes,
                 directory)
