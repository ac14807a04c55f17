"""Token renewal: a margin that fits the token's lifetime, and refresh answers lost on the way back.

Regression tests for issue 20 item 5: with one-minute tokens every call refreshed, and a refresh
whose answer was lost (Procore's refresh tokens are single use) lost the connection for good
without saying so until the next call.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.cli import main
from core.config import Settings
from core.procore.auth import LOST_REFRESH, refresh_margin
from core.procore.authorization import complete_authorization, connect_client_credentials
from core.procore.client import ProcoreClient
from core.procore.connection import connection_info, open_client, reconnect_reason
from core.procore.errors import ProcoreConnectionError, ReconnectRequired
from tests.core.procore.conftest import (
    SETUP_ADMIN,
    TEST_KEY,
    CountingTransport,
    Emulator,
    browser_sign_in,
    expire_stored_token,
)
from tests.databases import plain_url

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path)


class FlakyTokenEndpoint(CountingTransport):
    """The real network to the emulator, which can lose answers to POST /oauth/token.

    `lose`: that many token requests reach the server and are handled, then the answer is lost.
    `fail_first`: that many token requests get a 500 from a gateway before reaching the server.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lose = 0
        self.fail_first = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != TOKEN_PATH:
            return super().handle_request(request)
        if self.fail_first:
            self.fail_first -= 1
            self.sent[("POST", TOKEN_PATH)] += 1
            return httpx.Response(500, text="<html>500 Internal Server Error</html>")
        response = super().handle_request(request)
        if not self.lose:
            return response
        self.lose -= 1
        response.read()  # the server did its work (a refresh token is spent) ...
        response.close()
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body",
                                        request=request)  # ... but its answer never arrives


@pytest.fixture
def transport() -> FlakyTokenEndpoint:
    return FlakyTokenEndpoint()


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(5400, 300.0), (600, 60.0), (60, 6.0), (1, 0.1), (None, 60.0), (0, 60.0)],
    ids=["procore-90-min", "ten-min", "one-min", "one-second", "unknown", "zero"],
)
def test_a_token_is_renewed_a_tenth_of_its_lifetime_early_and_at_most_five_minutes(
    lifetime: int | None, margin: float
) -> None:
    assert refresh_margin(lifetime) == pytest.approx(margin)


def test_a_one_minute_token_is_not_renewed_on_every_call(
    settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, emulator: Emulator
) -> None:
    emulator.configure(access_token_ttl=60)
    complete_authorization(
        settings, engine, actor=SETUP_ADMIN, query=browser_sign_in(settings, engine), transport=transport
    )
    start = time.time()
    now = [start]
    client = open_client(settings, engine, company_id=emulator.company_id, transport=transport, clock=lambda: now[0])

    for seconds in (0, 10, 20, 30, 40, 50):
        now[0] = start + seconds
        client.me()
    assert transport.token_posts() == 1  # the sign-in's code exchange only

    now[0] = start + 55  # inside the last tenth of the minute: renewed
    client.me()
    assert transport.token_posts() == 2


@pytest.mark.parametrize("answers_lost", [1, 2], ids=["refresh-answer-lost", "confirmation-lost-too"])
def test_a_lost_refresh_answer_marks_the_connection_for_a_reconnect_at_once(
    answers_lost: int, settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, user_client: ProcoreClient
) -> None:
    expire_stored_token(engine, user_client)
    transport.lose = answers_lost
    posts = transport.token_posts()

    with pytest.raises(ReconnectRequired, match="answer to a Procore token refresh was lost"):
        user_client.me()

    info = connection_info(settings, engine)
    assert info is not None
    assert info.reconnect_reason is not None
    assert "refresh was lost" in info.reconnect_reason
    assert reconnect_reason(engine) == info.reconnect_reason
    assert transport.token_posts() == posts + 2  # the lost refresh, and the one that found the token spent
    with pytest.raises(ReconnectRequired, match="Reconnect Procore on the Procore setup page"):
        open_client(settings, engine, transport=transport)
    assert transport.token_posts() == posts + 2


def test_a_refresh_refused_before_reaching_procore_is_tried_again_and_the_connection_stays(
    settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, user_client: ProcoreClient
) -> None:
    expire_stored_token(engine, user_client)
    transport.fail_first = 1

    assert user_client.me().name == "Jordan Avery"

    assert reconnect_reason(engine) is None
    assert open_client(settings, engine, transport=transport).me().login == "jordan.avery@northwind.example"


def test_a_new_sign_in_clears_the_reconnect_mark(
    settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, user_client: ProcoreClient
) -> None:
    expire_stored_token(engine, user_client)
    transport.lose = 1
    with pytest.raises(ReconnectRequired):
        user_client.me()

    complete_authorization(
        settings, engine, actor=SETUP_ADMIN, query=browser_sign_in(settings, engine), transport=transport
    )

    assert reconnect_reason(engine) is None
    assert open_client(settings, engine, transport=transport).me().login == "jordan.avery@northwind.example"


@pytest.mark.parametrize("answers_lost", [1, 2], ids=["once", "twice"])
def test_a_service_account_gets_a_new_token_after_lost_answers(
    answers_lost: int, settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, emulator: Emulator
) -> None:
    connect_client_credentials(settings, engine, actor=SETUP_ADMIN, company_id=emulator.company_id, transport=transport)
    client = open_client(settings, engine, transport=transport, sleep=lambda _: None)
    expire_stored_token(engine, client)
    transport.lose = answers_lost

    if answers_lost == 2:  # both tries lost: this call fails plainly, and the next one fetches a new token
        with pytest.raises(ProcoreConnectionError, match="did not answer the token request"):
            client.me()
    assert client.me().login

    assert reconnect_reason(engine) is None


def test_connect_status_reports_the_reconnect_mark(
    settings: Settings, engine: Engine, transport: FlakyTokenEndpoint, user_client: ProcoreClient,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    expire_stored_token(engine, user_client)
    transport.lose = 1
    with pytest.raises(ReconnectRequired):
        user_client.me()
    for name, value in {"DATABASE_URL": plain_url(engine), "DATA_DIR": str(settings.data_dir),
                        "PROCORE_API_URL": settings.procore_api_url, "PROCORE_LOGIN_URL": settings.procore_login_url,
                        "PROCORE_CLIENT_ID": settings.procore_client_id,
                        "PROCORE_CLIENT_SECRET": settings.procore_client_secret.get_secret_value(),
                        "TOKEN_ENCRYPTION_KEY": TEST_KEY}.items():
        monkeypatch.setenv(name, value)

    assert main(["connect", "--status"]) == 1

    assert f"Needs a reconnect: {LOST_REFRESH} Reconnect on the Procore setup page." in capsys.readouterr().out


def test_the_emulators_lost_token_answers_mark_a_signed_in_connection(
    settings: Settings, engine: Engine, emulator: Emulator, user_client: ProcoreClient
) -> None:
    expire_stored_token(engine, user_client)
    emulator.configure(faults={"token_lost_response": 1.0})

    with pytest.raises(ReconnectRequired, match="refresh was lost"):
        user_client.me()

    emulator.configure(faults={"token_lost_response": 0.0})
    assert reconnect_reason(engine) == LOST_REFRESH
    with pytest.raises(ReconnectRequired):
        open_client(settings, engine).me()


def test_a_service_account_outlives_the_emulators_lost_token_answers(
    settings: Settings, engine: Engine, emulator: Emulator, service_client: ProcoreClient
) -> None:
    expire_stored_token(engine, service_client)
    emulator.configure(faults={"token_lost_response": 1.0})
    with pytest.raises(ProcoreConnectionError, match="did not answer the token request"):
        service_client.me()

    emulator.configure(faults={"token_lost_response": 0.0})

    assert service_client.me().login
    assert reconnect_reason(engine) is None
