"""Typed settings, read from environment variables and `.streamlit/secrets.toml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

DEMO_CLIENT_ID = "procore-connect-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - the built-in emulator's public demo client


class Settings(BaseSettings):
    """Everything the app, the CLI and the tests can configure.

    Values come from (highest first) constructor arguments, environment
    variables (case-insensitive field names, e.g. ``DATABASE_URL``) and
    top-level keys of ``.streamlit/secrets.toml``.
    """

    # hide_input_in_errors: a refused configuration must not echo the secrets it was given.
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, hide_input_in_errors=True)

    environment: Literal["local", "production"] = "local"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    demo_data: bool = Field(default=True, description="Seed a small demo world into an empty database.")

    # Procore. No base URL means the built-in emulator, started by the app on loopback.
    procore_api_url: str = ""
    procore_login_url: str = ""
    procore_client_id: str = DEMO_CLIENT_ID
    procore_client_secret: SecretStr = SecretStr(DEMO_CLIENT_SECRET)
    procore_redirect_uri: str = "http://localhost:8501/procore_setup"
    token_encryption_key: SecretStr | None = None
    emulator_state: Path | None = None
    # The job queue: empty means huey's SQLite storage in DATA_DIR; redis://… shares it between machines.
    jobs_url: str = ""
    start_worker: bool = Field(default=True, description="The app starts a publish worker on the embedded queue "
                               "when none runs (tests that run workers themselves turn it off).")

    # The `[auth]` section of secrets.toml (st.login / OIDC); absent means local single-user mode.
    auth: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'procore_connect.sqlite3'}"
        if self.emulator_state is None:
            self.emulator_state = self.data_dir / "procore_emulator.sqlite3"
        return self

    @model_validator(mode="after")
    def _refuse_demo_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.uses_emulator:
                raise ValueError("PROCORE_API_URL and PROCORE_LOGIN_URL must be set in production")
            if self.procore_client_secret.get_secret_value() == DEMO_CLIENT_SECRET:
                raise ValueError("PROCORE_CLIENT_SECRET must be set to your Procore app's secret in production")
            if self.token_encryption_key is None:
                raise ValueError("TOKEN_ENCRYPTION_KEY must be set in production")
        return self

    @property
    def uses_emulator(self) -> bool:
        """True when no real Procore URLs are configured."""
        return not (self.procore_api_url and self.procore_login_url)

    @property
    def auth_configured(self) -> bool:
        """True when an OIDC provider is configured for st.login."""
        return bool(self.auth)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=SECRETS_FILE)
        return (init_settings, env_settings, secrets)


def get_settings(**overrides: Any) -> Settings:
    """Build the settings object (never cached at import; callers cache if they want)."""
    return Settings(**overrides)
