"""The code stays lint-clean and type-checked, with the rules in pyproject.toml: ruff over the whole
project, mypy (strict) over `core`, `emulator`, `pages`, `app.py`, `tests` and `bench`.

Neither depends on the database, so only the SQLite run of the suite makes them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import postgres_server

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    postgres_server() is not None, reason="static checks do not depend on the database: the SQLite run makes them"
)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )


def test_ruff_finds_nothing_to_fix() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
