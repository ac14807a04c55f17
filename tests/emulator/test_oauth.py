from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.emulator.conftest import REDIRECT, Emu

INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection "
    "URI used in the authorization request, or was issued to another client."
)


def _authorize_params(**extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT,
            "state": "xyz", **extra}


def _code(emu: Emu) -> str:
    answer = emu.http.post("/oauth/authorize", data={**_authorize_params(), "decision": "allow"})
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def _exchange(emu: Emu, code: str, **extra: str) -> httpx.Response:
    return emu.http.post("/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, **extra})


def test_full_consent_round_trip_over_http(emu: Emu) -> None:
    page = emu.http.get("/oauth/authorize", params=_authorize_params())
    assert page.status_code == 200
    assert "Procore Connect" in page.text
    assert "Jordan Avery" in page.text
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page.text, re.S)
    assert form
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert re.search(r'name="decision" value="allow">Allow', form.group(2))
    submitted = emu.http.post(form.group(1), data={**fields, "decision": "allow"})
    assert submitted.status_code == 302
    location = urlsplit(submitted.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    token = _exchange(emu, query["code"][0])
    assert token.status_code == 200
    body = token.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "created_at"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    me = httpx.get(f"{emu.base_url}/rest/v1.0/me",
                   headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["login"] == "jordan.avery@northwind.example"


def test_deny_redirects_with_access_denied_and_state(emu: Emu) -> None:
    answer = emu.http.post("/oauth/authorize", data={**_authorize_params(), "decision": "deny"})
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": ["xyz"]}


def test_unknown_client_or_redirect_gets_error_page_not_redirect(emu: Emu) -> None:
    for params in (_authorize_params(client_id="someone-else"),
                   _authorize_params(redirect_uri="https://evil.example/cb")):
        answer = emu.http.get("/oauth/authorize", params=params)
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert "text/html" in answer.headers["content-type"]


def test_any_localhost_redirect_is_accepted(emu: Emu) -> None:
    for uri in ("http://localhost:9999/x", "http://127.0.0.1/cb?a=1"):
        assert emu.http.get("/oauth/authorize", params=_authorize_params(redirect_uri=uri)).status_code == 200


def test_codes_are_single_use(emu: Emu) -> None:
    code = _code(emu)
    assert _exchange(emu, code).status_code == 200
    again = _exchange(emu, code)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": INVALID_GRANT}


def test_code_must_match_redirect_uri(emu: Emu) -> None:
    answer = _exchange(emu, _code(emu), redirect_uri="http://127.0.0.1:1/other")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_codes_expire_after_ten_minutes(emu: Emu) -> None:
    code = _code(emu)
    with emu.app.state.emulator.store.tx(write=True) as tx:
        tx.conn.execute("UPDATE codes SET created_at = created_at - 601 WHERE code = ?", (code,))
    assert _exchange(emu, code).json()["error"] == "invalid_grant"


def test_token_endpoint_accepts_json_multipart_and_basic_auth(emu: Emu) -> None:
    as_json = emu.http.post("/oauth/token", json={
        "grant_type": "authorization_code", "code": _code(emu), "redirect_uri": REDIRECT,
        "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert as_json.status_code == 200
    multipart = emu.http.post("/oauth/token", files={
        "grant_type": (None, "client_credentials"), "client_id": (None, DEMO_CLIENT_ID),
        "client_secret": (None, DEMO_CLIENT_SECRET)})
    assert multipart.status_code == 200
    basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    with_basic = emu.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                               headers={"Authorization": f"Basic {basic}"})
    assert with_basic.status_code == 200


def test_client_credentials_has_no_refresh_token(emu: Emu) -> None:
    body = emu.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET}).json()
    assert set(body) == {"access_token", "token_type", "expires_in", "created_at"}


def test_bad_client_secret_is_401_invalid_client(emu: Emu) -> None:
    answer = emu.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": "nope"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_unsupported_grant_type(emu: Emu) -> None:
    answer = emu.http.post("/oauth/token", data={
        "grant_type": "password", "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def _refresh(emu: Emu, refresh_token: str) -> httpx.Response:
    return emu.http.post("/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "redirect_uri": REDIRECT,
        "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})


def test_refresh_rotates_and_kills_old_pair(emu: Emu) -> None:
    first = emu.user_tokens()
    second = _refresh(emu, first["refresh_token"])
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    assert new["access_token"] != first["access_token"]
    reused = _refresh(emu, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": INVALID_GRANT}
    old = emu.client(first["access_token"]).get("/rest/v1.0/me")
    assert old.status_code == 401
    assert emu.client(new["access_token"]).get("/rest/v1.0/me").status_code == 200


def test_revoke_kills_access_and_refresh_token_and_always_answers_200(emu: Emu) -> None:
    tokens = emu.user_tokens()
    answer = emu.http.post("/oauth/revoke", data={"token": tokens["access_token"],
                                                  "client_id": DEMO_CLIENT_ID,
                                                  "client_secret": DEMO_CLIENT_SECRET})
    assert answer.status_code == 200
    assert emu.client(tokens["access_token"]).get("/rest/v1.0/me").status_code == 401
    assert _refresh(emu, tokens["refresh_token"]).status_code == 400
    assert emu.http.post("/oauth/revoke", data={"token": "garbage"}).status_code == 200


def test_token_info(emu: Emu) -> None:
    tokens = emu.user_tokens()
    info = emu.http.get("/oauth/token/info", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 200
    body = info.json()
    assert body["resource_owner_id"] == emu.world["users"]["user"]
    assert body["application"] == {"uid": DEMO_CLIENT_ID}
    assert 5390 <= body["expires_in_seconds"] <= 5400
    assert isinstance(body["created_at"], int)
    assert isinstance(body["scope"], list)
    assert emu.http.get("/oauth/token/info", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_access_token_ttl_is_configurable_and_expired_tokens_get_401(emu: Emu) -> None:
    emu.configure(access_token_ttl=0)
    tokens = emu.user_tokens()
    assert tokens["expires_in"] == 0
    answer = emu.client(tokens["access_token"]).get("/rest/v1.0/me")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"
