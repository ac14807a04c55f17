"""The banner every page shows while the Procore connection needs a reconnect (issue 20 item 5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.config import get_settings
from core.models.procore import GrantType, ProcoreConnectionBase
from core.procore.auth import LOST_REFRESH
from core.procore.encryption import cipher_from_settings
from core.procore.token_store import TokenStore

BANNER = "Procore needs a reconnect"


def stored_connection(engine: Engine) -> TokenStore:
    store = TokenStore(engine=engine, cipher=cipher_from_settings(get_settings()))
    details = ProcoreConnectionBase(environment="Sandbox", api_url="https://sandbox.procore.com",
                                    login_url="https://login-sandbox.procore.com", client_id="app",
                                    grant_type=GrantType.AUTHORIZATION_CODE, company_id=5000000001)
    store.replace(details=details, token={"access_token": "a" * 40, "refresh_token": "r" * 40, "expires_in": 5400})
    return store


@pytest.mark.parametrize("script", ["pages/time_logs.py", "pages/integrations.py", "pages/procore_setup.py"])
def test_every_page_says_procore_needs_a_reconnect_and_links_to_procore_setup(
    script: str, app_db: Engine, open_page: Callable[..., AppTest]
) -> None:
    store = stored_connection(app_db)
    loaded = store.load()
    assert loaded is not None
    store.mark_reconnect(version=loaded.version, reason=LOST_REFRESH)

    at = open_page(script)

    banners = [w.value for w in at.warning if BANNER in w.value]
    assert banners == [f"{BANNER}: {LOST_REFRESH} Until then nothing reaches Procore."]
    assert not at.exception


def test_no_banner_while_the_connection_works(app_db: Engine, open_page: Callable[..., AppTest]) -> None:
    stored_connection(app_db)

    at = open_page("pages/time_logs.py")

    assert not [w for w in at.warning if BANNER in w.value]
