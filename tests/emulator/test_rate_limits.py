from __future__ import annotations

import time

import httpx

from tests.emulator.conftest import Emu

MESSAGE = "You have surpassed the max number of requests for an hour. Please wait until your limit resets."


def test_every_response_carries_rate_limit_headers(emu: Emu, api: httpx.Client) -> None:
    ok = api.get("/rest/v1.0/me")
    missing = api.get("/rest/v1.0/projects/1/crews")
    for answer in (ok, missing):
        assert answer.headers["x-rate-limit-limit"] == "100"
        assert int(answer.headers["x-rate-limit-reset"]) >= int(time.time())
    assert int(missing.headers["x-rate-limit-remaining"]) == int(ok.headers["x-rate-limit-remaining"]) - 1


def test_429_after_spike_limit_and_failed_requests_count(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_spike=5)
    statuses = [api.get("/rest/v1.0/projects/1/crews").status_code for _ in range(5)]
    assert statuses == [404] * 5
    limited = api.get("/rest/v1.0/me")
    assert limited.status_code == 429
    assert limited.text == MESSAGE
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert limited.headers["x-rate-limit-limit"] == "5"


def test_spike_window_resets(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_spike=2, rate_limit_spike_window=1)
    for _ in range(2):
        assert api.get("/rest/v1.0/me").status_code == 200
    limited = api.get("/rest/v1.0/me")
    assert limited.status_code == 429
    time.sleep(max(0.0, int(limited.headers["x-rate-limit-reset"]) - time.time()) + 0.05)
    assert api.get("/rest/v1.0/me").status_code == 200


def test_headers_describe_the_window_closer_to_exhaustion(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_hourly=6, rate_limit_spike=100)
    first = api.get("/rest/v1.0/me")
    assert first.headers["x-rate-limit-limit"] == "6"
    assert first.headers["x-rate-limit-remaining"] == "5"
    assert int(first.headers["x-rate-limit-reset"]) > time.time() + 3000
    for _ in range(5):
        api.get("/rest/v1.0/me")
    assert api.get("/rest/v1.0/me").status_code == 429


def test_budgets_belong_to_the_connection_so_a_refresh_does_not_reset_them(emu: Emu) -> None:
    """Regression test for issue 20: budgets were per access token, and each refresh reset them."""
    emu.configure(rate_limit_spike=3)
    tokens = emu.user_tokens()
    with emu.client(tokens["access_token"]) as api:
        assert [api.get("/rest/v1.0/me").status_code for _ in range(2)] == [200, 200]
    with emu.client(emu.refresh(tokens["refresh_token"]).json()["access_token"]) as refreshed:
        third = refreshed.get("/rest/v1.0/me")
        assert third.status_code == 200
        assert third.headers["x-rate-limit-remaining"] == "0"
        assert refreshed.get("/rest/v1.0/me").status_code == 429
    with emu.client() as signed_in_again:  # the same person and app: the same connection
        assert signed_in_again.get("/rest/v1.0/me").status_code == 429


def test_another_connection_has_its_own_budget(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_spike=2)
    api.get("/rest/v1.0/me")
    api.get("/rest/v1.0/me")
    assert api.get("/rest/v1.0/me").status_code == 429
    with emu.client(emu.service_token()) as service_account:
        assert service_account.get("/rest/v1.0/me").status_code == 200
