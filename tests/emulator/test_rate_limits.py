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


def test_windows_are_per_access_token(emu: Emu, api: httpx.Client) -> None:
    emu.configure(rate_limit_spike=2)
    api.get("/rest/v1.0/me")
    api.get("/rest/v1.0/me")
    assert api.get("/rest/v1.0/me").status_code == 429
    with emu.client() as other:
        assert other.get("/rest/v1.0/me").status_code == 200
