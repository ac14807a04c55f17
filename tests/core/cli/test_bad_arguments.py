"""Every command refuses every bad argument with one `error: …` line and exit status 2, and writes nothing.

Regression tests for issue 20 item 2: `status --to 9999-12-31`, `publish --to 9999-12-31` and
`demo-data --job-sites 0` printed tracebacks; `setup --company 999999` on an install not yet
activated refused the company but left an active setup row behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from core.cli import main
from core.config import Settings

ROOT = Path(__file__).resolve().parents[3]
RANGE = ["--module", "manpower", "--from", "2026-11-16"]
SETUP = ["--mode", "one-way", "--modules", "manpower"]
TOO_BIG = "99999999999999999999999"

Dump = dict[str, list[str]]


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def cli_env(settings: Settings, demo_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The command line pointed at the test's demo database (and its own emulator state file)."""
    env = {"DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "EMULATOR_STATE": str(settings.emulator_state)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def connected_env(cli_env: dict[str, str], connected: int) -> dict[str, str]:
    """The same, with Procore connected (service account, main company) but not activated yet."""
    return cli_env


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own refusals
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def dump(engine: Engine) -> Dump:
    """Every row of every table, as text, in a stable order."""
    with engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
        return {name: sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{name}"')))
                for name in tables}


def assert_refused(outcome: Outcome, message: str) -> None:
    lines = outcome.err.splitlines()
    assert outcome.code == 2, outcome
    assert len(lines) == 1, outcome.err
    assert lines[0].startswith("error: "), outcome.err
    assert message in lines[0]
    assert "Traceback" not in outcome.err + outcome.out


BAD_ARGUMENTS = [
    pytest.param(["status", *RANGE[:-1], "2026-11-16", "--to", "9999-12-31"], "outside 2000-01-01 .. 2100-12-31",
                 id="status-to-year-9999"),
    pytest.param(["publish", *RANGE, "--to", "9999-12-31"], "outside 2000-01-01 .. 2100-12-31",
                 id="publish-to-year-9999"),
    pytest.param(["publish", *RANGE[:-1], "0001-01-01", "--to", "2026-11-20"], "outside 2000-01-01",
                 id="publish-from-year-1"),
    pytest.param(["status", *RANGE, "--to", "2026-13-01"], "is not a date like 2026-11-16", id="status-no-such-month"),
    pytest.param(["status", *RANGE, "--to", "2026-11-16\x00"], "is not a date like", id="status-nul-in-date"),
    pytest.param(["status", *RANGE[:-1], "2025-01-01", "--to", "2026-11-20"], "spans 689 days; give at most 366",
                 id="status-range-too-long"),
    pytest.param(["publish", *RANGE, "--to", "2026-11-15"], "--to 2026-11-15 is before --from 2026-11-16",
                 id="publish-range-backwards"),
    pytest.param(["publish", *RANGE, "--to", "2026-11-20", "--job-site", "x" * 51], "must be 1 to 50 characters",
                 id="publish-job-site-too-long"),
    pytest.param(["status", *RANGE, "--to", "2026-11-20", "--job-site", "10\x0001"], "without control characters",
                 id="status-job-site-nul"),
    pytest.param(["status", *RANGE, "--to", "2026-11-20", "--job-site", "9999"], "No job site numbered 9999",
                 id="status-unknown-job-site"),
    pytest.param(["status", "--module", "payroll", "--from", "2026-11-16", "--to", "2026-11-20"], "invalid choice",
                 id="status-unknown-module"),
    pytest.param(["audit", "--run", TOO_BIG], "is not between 1 and", id="audit-run-too-big"),
    pytest.param(["audit", "--entry", "-1"], "is not between 1 and", id="audit-entry-negative"),
    pytest.param(["audit", "--run", "1.5"], "is not a whole number", id="audit-run-not-whole"),
    pytest.param(["demo-data", "--job-sites", "0"], "0 is not between 1 and 10,000", id="demo-no-job-sites"),
    pytest.param(["demo-data", "--employees", "-5"], "is not between 1 and", id="demo-negative-employees"),
    pytest.param(["demo-data", "--days", "100000000"], "is not between 1 and 3,660", id="demo-too-many-days"),
    pytest.param(["demo-data", "--days", "3000", "--employees", "5000"], "more than 5,000,000 employee-days",
                 id="demo-too-big-a-world"),
    pytest.param(["demo-data", "--end-date", "9999-12-31"], "outside 2000-01-01 .. 2100-12-31", id="demo-year-9999"),
    pytest.param(["demo-data", "--days", "30", "--end-date", "2000-01-10"], "starts before 2000-01-01",
                 id="demo-starts-too-early"),
    pytest.param(["demo-data", "--seed", "-1"], "is not between 0 and", id="demo-negative-seed"),
    pytest.param(["demo-data"], "demo data goes only into an empty one", id="demo-into-a-full-clock"),
    pytest.param(["setup", "--company", "0", *SETUP], "is not between 1 and", id="setup-company-zero"),
    pytest.param(["setup", "--company", TOO_BIG, *SETUP], "is not between 1 and", id="setup-company-too-big"),
    pytest.param(["setup", "--company", "5", "--mode", "one-way", "--modules", "lunch"], "unknown module(s): lunch",
                 id="setup-unknown-module"),
    pytest.param(["connect", "--client-credentials", "--company-id", "0"], "is not between 1 and",
                 id="connect-company-zero"),
    pytest.param(["import"], "Import needs a connected company in two-way mode", id="import-before-setup"),
    pytest.param(["mapping", "sync"], "Data mapping needs a connected company", id="mapping-before-setup"),
    pytest.param(["mapping"], "the following arguments are required: <action>", id="mapping-no-action"),
    pytest.param(["launch"], "invalid choice: 'launch'", id="unknown-command"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_a_bad_argument_is_one_error_line_and_changes_nothing(
    argv: list[str], message: str, cli_env: dict[str, str], demo_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(demo_engine)

    outcome = run_cli(argv, capsys)

    assert_refused(outcome, message)
    assert dump(demo_engine) == before


def test_setup_with_a_company_procore_does_not_offer_leaves_setup_as_it_was(
    connected_env: dict[str, str], demo_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(demo_engine)

    outcome = run_cli(["setup", "--company", "999999", *SETUP], capsys)

    assert_refused(outcome, "Company 999999 is not one this Procore connection can reach.")
    assert dump(demo_engine) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["status", *RANGE, "--to", "9999-12-31"], "outside 2000-01-01", id="status-to-year-9999"),
        pytest.param(["demo-data", "--job-sites", "0"], "is not between 1 and", id="demo-no-job-sites"),
        pytest.param(["audit", "--run", TOO_BIG], "is not between 1 and", id="audit-run-too-big"),
    ],
)
def test_python_minus_m_core_prints_no_traceback(
    argv: list[str], message: str, cli_env: dict[str, str], demo_engine: Engine
) -> None:
    before = dump(demo_engine)

    outcome = run_process(argv, cli_env)

    assert_refused(outcome, message)
    assert dump(demo_engine) == before


def test_a_database_that_cannot_be_read_is_one_error_line(tmp_path: Path, cli_env: dict[str, str]) -> None:
    garbage = tmp_path / "not-a-database.sqlite3"
    garbage.write_bytes(b"these bytes are no SQLite database" * 100)

    outcome = run_process(["audit", "--run", "1"], {**cli_env, "DATABASE_URL": f"sqlite:///{garbage}"})

    assert_refused(outcome, "error: the database refused the operation (DatabaseError: file is not a database)")


def run_process(argv: list[str], env: dict[str, str]) -> Outcome:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "core", *argv], env={**os.environ, **env}, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)
