from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.config import Settings
from core.procore.authorization import complete_authorization, disconnect
from core.procore.connection import open_client
from core.procore.constants import MAX_BODY_EXCERPT
from core.procore.errors import ProcoreAPIError, ReconnectRequired, error_from_response
from core.procore.inputs import QuantityLogInput
from core.procore.redaction import redact, register_secret
from emulator import DEMO_CLIENT_SECRET
from tests.core.procore.conftest import (
    SETUP_ADMIN,
    Emulator,
    browser_sign_in,
    code_of,
    expire_stored_token,
    token_store,
)


def test_no_token_code_or_secret_reaches_the_logs_or_the_errors(
    settings: Settings, engine: Engine, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    location = browser_sign_in(settings, engine)  # the browser's part, not ours: not under watch
    secrets = {code_of(location), DEMO_CLIENT_SECRET}
    errors: list[str] = []
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location)
    secrets |= _tokens(settings, engine)
    client = open_client(settings, engine, company_id=emulator.company_id, sleep=lambda _: None)
    expire_stored_token(engine, client)
    client.me()  # refresh
    secrets |= _tokens(settings, engine)
    emulator.configure(faults={"503": 1.0})
    errors.append(_error_of(lambda: client.me()))
    emulator.configure(faults={"503": 0})
    bad = QuantityLogInput(unit="CY")  # no quantity: Procore answers 422
    errors.append(_error_of(lambda: client.create_quantity_log(project_id=emulator.project_id(), log=bad)))
    stored = token_store(settings, engine).load()
    assert stored is not None
    httpx.post(emulator.base_url + "/oauth/revoke", data={"token": stored.token["refresh_token"]})
    expire_stored_token(engine, client)
    errors.append(_error_of(lambda: client.me()))
    disconnect(settings, engine, actor=SETUP_ADMIN)

    assert any("Bearer" not in r.getMessage() and "retrying" in r.getMessage() for r in caplog.records)
    assert any("Reconnect Procore" in text for text in errors)
    watched = caplog.text + "\n".join(errors)
    leaked = [secret for secret in secrets if secret and secret in watched]
    assert leaked == []


def _tokens(settings: Settings, engine: Engine) -> set[str]:
    stored = token_store(settings, engine).load()
    assert stored is not None
    return {stored.token["access_token"], stored.token.get("refresh_token", "")}


def _error_of(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except ProcoreAPIError as error:
        return f"{error!s} {error!r} {getattr(error, 'body', '')} {getattr(error, 'sent', '')}"
    raise AssertionError("expected a Procore error")


@pytest.mark.parametrize(
    ("raw", "kept", "gone"),
    [
        (
            "https://login.procore.com/oauth/token?grant_type=refresh_token&refresh_token=rt-123456"
            "&client_secret=sh-998877",
            "grant_type=refresh_token",
            ["rt-123456", "sh-998877"],
        ),
        (
            "http://localhost:8501/procore_setup?code=abcdef0123&state=st-778899",
            "procore_setup",
            ["abcdef0123", "st-778899"],
        ),
        (
            '{"access_token":"eyJhbGciOi.xyz","refresh_token":"76ba44aa","expires_in":5400}',
            '"expires_in":5400',
            ["eyJhbGciOi.xyz", "76ba44aa"],
        ),
        ("Authorization: Bearer eyJ0eXAi.abc.def", "Authorization: Bearer ***", ["eyJ0eXAi.abc.def"]),
        ('{"cost_code":{"code":"03-100","name":"Concrete"}}', '"code":"03-100"', []),
    ],
    ids=["token-url", "callback-url", "token-json", "bearer-header", "cost-code-kept"],
)
def test_redact_removes_secrets_and_keeps_the_rest(raw: str, kept: str, gone: list[str]) -> None:
    cleaned = redact(raw)

    assert kept in cleaned
    assert not [secret for secret in gone if secret in cleaned]


def test_redact_masks_secret_headers_and_registered_values_anywhere() -> None:
    register_secret("plain-secret-value-42")

    assert redact({"Authorization": "Bearer x", "Procore-Company-Id": "5"}) == {
        "Authorization": "***",
        "Procore-Company-Id": "5",
    }
    assert redact(["note plain-secret-value-42 here"]) == ["note *** here"]


def test_status_errors_keep_a_short_redacted_excerpt_of_the_body() -> None:
    register_secret("leaky-token-000111")
    body = "x" * 2000 + " leaky-token-000111"
    request = httpx.Request("GET", "https://api.procore.com/rest/v1.0/projects/5/manpower_logs")
    response = httpx.Response(500, text=body, request=request)

    error = error_from_response(response, method="GET", path="/rest/v1.0/projects/{project_id}/manpower_logs")

    assert len(error.body) < MAX_BODY_EXCERPT + 40
    assert "leaky-token-000111" not in error.body + str(error)
    assert str(error).startswith("Procore failed with HTTP 500 on GET /rest/v1.0/projects/{project_id}/manpower_logs.")


def test_reconnect_required_says_where_to_reconnect() -> None:
    assert str(ReconnectRequired("The token was revoked.")) == (
        "The token was revoked. Reconnect Procore on the Procore setup page."
    )
