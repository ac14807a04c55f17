from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import access
from core.demo.generator import DemoSize, generate
from core.models import CostCode, Employee, JobSite, PayID, TimeLog
from core.timeclock.rules import work_dates
from tests.conftest import DEMO_END
from tests.databases import TestDatabases


def _logs(engine: Engine) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql("SELECT * FROM time_log ORDER BY id", connection).drop(columns=["created_at", "updated_at"])


def test_same_seed_gives_identical_worlds_and_another_seed_does_not(tmp_path: Path, databases: TestDatabases) -> None:
    size = DemoSize(job_sites=5, employees=30, days=10, seed=3, end_date=DEMO_END)
    with ExitStack() as stack:
        first, second, other = (stack.enter_context(databases.engine(tmp_path / f"{n}.db")) for n in "abc")
        generate(first, size)
        generate(second, size)
        generate(other, DemoSize(job_sites=5, employees=30, days=10, seed=4, end_date=DEMO_END))
        pd.testing.assert_frame_equal(_logs(first), _logs(second))
        assert not _logs(first).equals(_logs(other))


def test_world_has_the_requested_shape(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        sites = session.exec(select(JobSite)).all()
        assert [s.number for s in sites] == [str(1000 + i) for i in range(1, 9)]
        assert len({s.time_zone for s in sites}) >= 4
        assert len(session.exec(select(Employee)).all()) == 40
        assert {p.code for p in session.exec(select(PayID))} == {"REG", "OT", "DT", "TRV"}
        codes = session.exec(select(CostCode)).all()
        assert sum(c.job_site_id is None for c in codes) == 8
        assert sum(c.job_site_id is not None for c in codes) == 8


def test_logs_are_realistic_shifts(demo_engine: Engine) -> None:
    with demo_engine.connect() as connection:
        logs = pd.read_sql(
            "SELECT t.*, s.time_zone, p.code AS pay, c.job_site_id AS code_site FROM time_log t "
            "JOIN job_site s ON s.id = t.job_site_id JOIN pay_id p ON p.id = t.pay_id_id "
            "JOIN cost_code c ON c.id = t.cost_code_id",
            connection,
        )
    logs["clock_in"] = pd.to_datetime(logs["clock_in"], utc=True)
    logs["clock_out"] = pd.to_datetime(logs["clock_out"], utc=True)
    done = logs.dropna(subset=["clock_out"])
    hours = (done["clock_out"] - done["clock_in"]).dt.total_seconds() / 3600 - done["break_minutes"] / 60
    assert hours.gt(0).all()
    assert hours.le(8).all()
    assert (done.loc[done["pay"] == "REG", "break_minutes"] > 0).any()
    assert {"OT", "DT"} <= set(logs["pay"])
    # every cost code is standard or the log's own job site's
    assert (logs["code_site"].isna() | (logs["code_site"] == logs["job_site_id"])).all()
    # some night shifts cross midnight at the job site
    local_in = work_dates(done["clock_in"], done["time_zone"])
    local_out = work_dates(done["clock_out"], done["time_zone"])
    assert (local_in != local_out).any()
    # REG (or travel) then OT for one shift: the OT log starts exactly when the first ends
    reg = done[done["pay"].isin(["REG", "TRV"])].set_index(["employee_id", "clock_out"])
    ot = done[done["pay"] == "OT"].set_index(["employee_id", "clock_in"])
    assert len(reg.index.intersection(ot.index)) == len(ot)


def test_demo_data_goes_only_into_an_empty_time_clock(demo_engine: Engine) -> None:
    import pytest

    with pytest.raises(ValueError, match="already has data"):
        generate(demo_engine, DemoSize())
    with Session(demo_engine) as session:
        assert access.role_permissions(session, role_name="Admin")
        assert session.exec(select(TimeLog)).first() is not None
