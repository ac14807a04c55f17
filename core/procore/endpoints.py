"""Where Procore is: the configured API and login URLs, or the built-in emulator started in-process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core.config import Settings

EMULATOR_LABEL = "Built-in emulator"
_KNOWN_HOSTS = {
    "api.procore.com": "Production",
    "app.procore.com": "Production",
    "sandbox.procore.com": "Developer sandbox",
    "api-monthly.procore.com": "Monthly sandbox",
}


@dataclass(frozen=True)
class ProcoreEndpoints:
    """Base URLs of Procore's REST API and OAuth server, and a label people recognise."""

    api_url: str
    login_url: str
    environment_label: str

    @property
    def is_emulator(self) -> bool:
        return self.environment_label == EMULATOR_LABEL


def resolve_endpoints(settings: Settings) -> ProcoreEndpoints:
    """The configured Procore URLs; with none configured, the embedded emulator (started once per state file)."""
    if settings.uses_emulator:
        url = _embedded_emulator_url(settings)
        return ProcoreEndpoints(api_url=url, login_url=url, environment_label=EMULATOR_LABEL)
    api_url = settings.procore_api_url.rstrip("/")
    return ProcoreEndpoints(
        api_url=api_url,
        login_url=settings.procore_login_url.rstrip("/"),
        environment_label=environment_label(api_url),
    )


def environment_label(api_url: str) -> str:
    """"Production", "Developer sandbox", "Monthly sandbox", or the host for anything else."""
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower()
    return _KNOWN_HOSTS.get(host) or parts.netloc or api_url


def _embedded_emulator_url(settings: Settings) -> str:
    from emulator import start_background  # imported here: only the local default needs the emulator

    state = Path(settings.emulator_state or Path(settings.data_dir) / "procore_emulator.sqlite3")
    state.parent.mkdir(parents=True, exist_ok=True)
    return start_background(str(state)).base_url


def emulator_main_company_id(endpoints: ProcoreEndpoints) -> int | None:
    """The built-in emulator's main company (where its demo app is installed), from its control API."""
    if not endpoints.is_emulator:
        return None
    import httpx

    response = httpx.get(endpoints.api_url + "/_emulator/world", timeout=10)
    response.raise_for_status()
    company = response.json().get("companies", {}).get("main")
    return int(company) if company is not None else None
