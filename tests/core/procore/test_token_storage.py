from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine

from core.config import Settings
from core.errors import ConfigurationError
from core.procore.connection import open_client
from core.procore.encryption import cipher_from_settings
from core.procore.errors import ReconnectRequired
from tests.core.procore.conftest import token_store


def _local(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(**{"environment": "local", "data_dir": tmp_path, "token_encryption_key": None, **overrides})


def _with(settings: Settings, **changes: Any) -> Settings:
    return Settings(**{**settings.model_dump(), **changes})


def test_without_a_configured_key_a_private_key_file_is_made_once_and_reused(tmp_path: Path) -> None:
    first = cipher_from_settings(_local(tmp_path))
    key_file = tmp_path / "token.key"

    second = cipher_from_settings(_local(tmp_path))

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert second.decrypt(first.encrypt("token-value")) == "token-value"


def test_a_configured_key_list_decrypts_with_old_keys_and_encrypts_with_the_first(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = cipher_from_settings(_local(tmp_path, token_encryption_key=old))

    rotated = cipher_from_settings(_local(tmp_path, token_encryption_key=f"{new},{old}"))

    assert rotated.decrypt(before.encrypt("token-value")) == "token-value"
    assert Fernet(new.encode()).decrypt(rotated.encrypt("x").encode()) == b"x"
    assert not (tmp_path / "token.key").exists()


def test_a_malformed_key_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a valid Fernet key"):
        cipher_from_settings(_local(tmp_path, token_encryption_key="not-a-key"))


def test_tokens_stored_under_another_key_ask_for_a_reconnect(
    settings: Settings, engine: Engine, service_client: object
) -> None:
    other = _with(settings, token_encryption_key=Fernet.generate_key().decode())

    with pytest.raises(ReconnectRequired, match="cannot be read with the current encryption key"):
        open_client(other, engine)


def test_the_stored_connection_must_match_the_configured_procore(
    settings: Settings, engine: Engine, service_client: object
) -> None:
    elsewhere = _with(settings, procore_api_url="https://sandbox.procore.com")

    with pytest.raises(ReconnectRequired, match="is for 127.0.0.1:.* but the settings now point at Developer sandbox"):
        open_client(elsewhere, engine)


def test_replacing_the_connection_bumps_its_version(settings: Settings, engine: Engine, service_client: object) -> None:
    store = token_store(settings, engine)
    first = store.load()
    assert first is not None
    row = store.connection()
    assert row is not None

    from core.models.procore import ProcoreConnectionBase

    details = ProcoreConnectionBase.model_validate(row.model_dump())
    store.replace(details=details, token={"access_token": "a-new-access-token", "expires_in": 5400})

    second = store.load()
    assert second is not None
    assert second.version == first.version + 1
    assert second.token["access_token"] == "a-new-access-token"
    assert "refresh_token" not in second.token
