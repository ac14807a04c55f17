from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main
from core.config import get_settings
from core.procore.endpoints import EMULATOR_LABEL, resolve_endpoints
from emulator import start_background


@pytest.fixture
def local_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The out-of-the-box local setup: no Procore URLs (embedded emulator), no key, data in tmp_path."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "PROCORE_API_URL", "PROCORE_LOGIN_URL", "PROCORE_CLIENT_ID",
                 "PROCORE_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEY", "EMULATOR_STATE", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path
    start_background(str(tmp_path / "procore_emulator.sqlite3")).stop(timeout=0)


def test_connect_with_client_credentials_on_the_embedded_emulator(
    local_defaults: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "--client-credentials"]) == 0
    connected = capsys.readouterr().out

    assert main(["connect", "--status"]) == 0
    status = capsys.readouterr().out
    assert main(["connect", "--disconnect"]) == 0
    assert main(["connect", "--status"]) == 1

    assert f"Connected to {EMULATOR_LABEL}" in connected
    assert "Procore Connect (Service Account)" in connected
    assert "Companies this connection can reach:\n  5000000001  Northwind Builders" in connected
    assert "company 5000000001 Northwind Builders" in status
    assert (local_defaults / "token.key").exists()
    assert (local_defaults / "procore_emulator.sqlite3").exists()


def test_the_embedded_emulator_is_started_once_per_state_file(local_defaults: Path) -> None:
    settings = get_settings()

    first, second = resolve_endpoints(settings), resolve_endpoints(settings)

    assert first == second
    assert first.is_emulator
    assert first.api_url == first.login_url
