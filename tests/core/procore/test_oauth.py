from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from core.config import Settings
from core.db import utcnow
from core.errors import ConfigurationError, PermissionDenied
from core.models.procore import GrantType
from core.procore import oauth
from core.procore.authorization import (
    begin_authorization,
    complete_authorization,
    connect_client_credentials,
    disconnect,
)
from core.procore.client import ProcoreClient
from core.procore.connection import connection_info, open_client
from core.procore.errors import InvalidOAuthState, ReconnectRequired
from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.core.procore.conftest import (
    REDIRECT_URI,
    SETUP_ADMIN,
    CountingTransport,
    Emulator,
    browser_sign_in,
    code_of,
    expire_stored_token,
    token_store,
)


def test_browser_sign_in_stores_the_connection_and_its_tokens_encrypted(
    settings: Settings, engine: Engine, transport: CountingTransport, tmp_path: Path
) -> None:
    location = browser_sign_in(settings, engine)

    info = complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location, transport=transport)

    assert (info.user_name, info.grant_type, info.company_id) == ("Jordan Avery", GrantType.AUTHORIZATION_CODE, None)
    stored = token_store(settings, engine).load()
    assert stored is not None
    assert stored.token["refresh_token"]
    database = _everything_stored(engine, tmp_path)
    assert stored.token["access_token"].encode() not in database
    assert stored.token["refresh_token"].encode() not in database
    client = open_client(settings, engine, transport=transport)
    names = {company.name for company in client.iter_companies()}
    assert names == {"Northwind Builders", "Northwind Builders (Training)"}


def _everything_stored(engine: Engine, tmp_path: Path) -> bytes:
    """The SQLite file as it lies on disk (with its WAL), or every row of every table on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return b"".join(path.read_bytes() for path in tmp_path.glob("t.sqlite3*"))
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        rows = [connection.execute(text(f'SELECT "{name}"::text FROM "{name}"')).scalars().all() for name in tables]
    return "\n".join(row for table in rows for row in table).encode()


def test_a_replayed_sign_in_redirect_is_refused_without_exchanging_the_code_again(
    settings: Settings, engine: Engine, transport: CountingTransport
) -> None:
    location = browser_sign_in(settings, engine)
    complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location, transport=transport)

    with pytest.raises(InvalidOAuthState, match="already used"):
        complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location, transport=transport)
    assert transport.token_posts() == 1


@pytest.mark.parametrize(
    ("state", "minutes_later", "message"),
    [
        ("issued", 0, None),
        ("issued", 11, "took longer than 10 minutes and expired"),
        ("unknown", 0, "was not started from this app"),
    ],
    ids=["fresh", "expired", "unknown"],
)
def test_oauth_state_is_accepted_once_within_ten_minutes(
    engine: Engine, state: str, minutes_later: int, message: str | None
) -> None:
    issued = oauth.create_state(engine=engine, redirect_uri=REDIRECT_URI)
    value = issued if state == "issued" else "not-a-state-we-issued"
    later = utcnow() + timedelta(minutes=minutes_later)

    if message is None:
        assert oauth.consume_state(engine=engine, state=value, now=lambda: later).redirect_uri == REDIRECT_URI
        with pytest.raises(InvalidOAuthState, match="already used"):
            oauth.consume_state(engine=engine, state=value, now=lambda: later)
    else:
        with pytest.raises(InvalidOAuthState, match=message):
            oauth.consume_state(engine=engine, state=value, now=lambda: later)


def test_denied_consent_is_reported_plainly(settings: Settings, engine: Engine) -> None:
    with pytest.raises(ReconnectRequired, match=r"did not complete \(access_denied\)"):
        complete_authorization(settings, engine, actor=SETUP_ADMIN, query="?error=access_denied&state=x")


def test_refresh_rotates_the_pair_and_a_fresh_client_uses_the_stored_one(
    settings: Settings, engine: Engine, transport: CountingTransport, user_client: ProcoreClient, emulator: Emulator
) -> None:
    before = token_store(settings, engine).load()
    assert before is not None
    expire_stored_token(engine, user_client)

    assert user_client.me().login == "jordan.avery@northwind.example"

    after = token_store(settings, engine).load()
    assert after is not None
    assert after.version == before.version + 1
    assert after.token["refresh_token"] != before.token["refresh_token"]
    reused = httpx.post(
        emulator.base_url + "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": before.token["refresh_token"],
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")

    restarted = CountingTransport()
    fresh = open_client(settings, engine, transport=restarted)
    assert fresh.me().login == "jordan.avery@northwind.example"
    assert restarted.token_posts() == 0


def test_a_refresh_token_procore_refuses_asks_for_a_reconnect(
    settings: Settings, engine: Engine, user_client: ProcoreClient, emulator: Emulator
) -> None:
    stored = token_store(settings, engine).load()
    assert stored is not None
    httpx.post(emulator.base_url + "/oauth/revoke", data={"token": stored.token["refresh_token"]})
    expire_stored_token(engine, user_client)

    with pytest.raises(ReconnectRequired, match="Reconnect Procore on the Procore setup page"):
        user_client.me()


def test_client_credentials_fetch_a_new_token_on_expiry(
    settings: Settings, engine: Engine, transport: CountingTransport, service_client: ProcoreClient
) -> None:
    first = token_store(settings, engine).load()
    assert first is not None
    assert "refresh_token" not in first.token
    expire_stored_token(engine, service_client)

    assert [company.name for company in service_client.iter_companies()] == ["Northwind Builders"]

    second = token_store(settings, engine).load()
    assert second is not None
    assert second.version == first.version + 1
    assert second.token["access_token"] != first.token["access_token"]
    assert transport.token_posts() == 2  # the connect, then one re-fetch


def test_disconnect_needs_the_procore_setup_permission(
    settings: Settings, engine: Engine, user_client: ProcoreClient
) -> None:
    viewer = replace(SETUP_ADMIN, role="Viewer", permissions=frozenset())
    with pytest.raises(PermissionDenied, match="lacks the 'Procore setup' permission"):
        disconnect(settings, engine, actor=viewer)
    assert connection_info(settings, engine) is not None
    assert user_client.me().id


def test_connecting_needs_the_procore_setup_permission_and_stores_nothing_without_it(
    settings: Settings, engine: Engine, emulator: Emulator
) -> None:
    viewer = replace(SETUP_ADMIN, role="Viewer", permissions=frozenset())
    location = browser_sign_in(settings, engine)  # an admin's sign-in, whose redirect a viewer then opens

    for connect in (
        lambda: begin_authorization(settings, engine, actor=viewer),
        lambda: complete_authorization(settings, engine, query=location, actor=viewer),
        lambda: connect_client_credentials(settings, engine, actor=viewer, company_id=emulator.company_id),
    ):
        with pytest.raises(PermissionDenied, match="lacks the 'Procore setup' permission"):
            connect()

    assert connection_info(settings, engine) is None
    with engine.connect() as connection:  # only the admin's sign-in left a state, still unused
        assert connection.execute(text("SELECT count(*), count(consumed_at) FROM oauth_state")).one() == (1, 0)
    complete_authorization(settings, engine, query=location, actor=SETUP_ADMIN)  # so the admin can still use it


def test_disconnect_revokes_the_tokens_and_forgets_the_connection(
    settings: Settings, engine: Engine, user_client: ProcoreClient, emulator: Emulator
) -> None:
    stored = token_store(settings, engine).load()
    assert stored is not None

    assert disconnect(settings, engine, actor=SETUP_ADMIN) is True

    old = httpx.get(
        emulator.base_url + "/rest/v1.0/me", headers={"Authorization": f"Bearer {stored.token['access_token']}"}
    )
    assert old.status_code == 401
    assert connection_info(settings, engine) is None
    with pytest.raises(ConfigurationError, match="Procore is not connected; connect it on the Procore setup page"):
        open_client(settings, engine)


def test_a_service_account_must_name_its_company(settings: Settings, engine: Engine) -> None:
    from core.procore.errors import BadRequestError

    with pytest.raises(BadRequestError, match="Missing Procore-Company-Id header"):
        connect_client_credentials(settings, engine, actor=SETUP_ADMIN)


def test_the_code_exchange_refuses_a_used_code(settings: Settings, engine: Engine) -> None:
    location = browser_sign_in(settings, engine)
    complete_authorization(settings, engine, actor=SETUP_ADMIN, query=location)
    state = oauth.create_state(engine=engine, redirect_uri=REDIRECT_URI)

    with pytest.raises(ReconnectRequired, match="refused the sign-in code"):
        complete_authorization(settings, engine, actor=SETUP_ADMIN, query={"code": code_of(location), "state": state})
