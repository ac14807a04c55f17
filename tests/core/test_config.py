from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.config import DEMO_CLIENT_SECRET, Settings

PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "procore_api_url": "https://api.procore.com",
    "procore_login_url": "https://login.procore.com",
    "procore_client_id": "our-procore-app",
    "procore_client_secret": "a-real-secret",
    "token_encryption_key": "a-real-fernet-key",
    "database_url": "postgresql+psycopg://app@db/procore_connect",
}


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the test passes is all the settings see (the suite's own DATABASE_URL and the like stay out)."""
    for name in ("ENVIRONMENT", "PROCORE_API_URL", "PROCORE_LOGIN_URL", "PROCORE_CLIENT_ID",
                 "PROCORE_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_a_proper_production_configuration_is_accepted() -> None:
    settings = Settings(**PRODUCTION)

    assert settings.environment == "production"
    assert not settings.uses_emulator
    assert settings.procore_client_secret.get_secret_value() == "a-real-secret"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"procore_client_secret": DEMO_CLIENT_SECRET},
                     "PROCORE_CLIENT_SECRET must be set to your Procore app's secret in production",
                     id="the demo client's secret"),
        pytest.param({"procore_api_url": ""}, "PROCORE_API_URL and PROCORE_LOGIN_URL must be set in production",
                     id="the emulator: no API URL"),
        pytest.param({"procore_login_url": ""}, "PROCORE_API_URL and PROCORE_LOGIN_URL must be set in production",
                     id="the emulator: no login URL"),
        pytest.param({"token_encryption_key": None}, "TOKEN_ENCRYPTION_KEY must be set in production",
                     id="no encryption key"),
    ],
)
def test_production_refuses_what_only_suits_a_local_demo(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{**PRODUCTION, **change})


def test_the_demo_client_secret_is_refused_even_with_the_secret_given_only_by_default() -> None:
    without_secret = {key: value for key, value in PRODUCTION.items() if key != "procore_client_secret"}

    with pytest.raises(ValidationError, match="PROCORE_CLIENT_SECRET must be set"):
        Settings(**without_secret)


def test_a_refusal_never_shows_the_secrets_it_was_given() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{**PRODUCTION, "procore_api_url": ""})

    assert "a-real-secret" not in str(refused.value)
    assert "a-real-fernet-key" not in str(refused.value)


def test_local_settings_may_use_the_emulator_and_the_demo_client() -> None:
    settings = Settings(environment="local", procore_client_secret=DEMO_CLIENT_SECRET, token_encryption_key=None)

    assert settings.uses_emulator
