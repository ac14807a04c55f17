"""The fault switches that fail the way networks do: answers lost after the work, writes landing late,
and the token endpoint failing (issue 20, item 6)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from emulator.faults import BAD_GATEWAY
from tests.emulator.conftest import Emu

MANPOWER = {"manpower_log": {"num_workers": 2, "num_hours": 8}}


def _logs(emu: Emu, api: httpx.Client) -> list[dict[str, Any]]:
    answer = api.get(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs", params={"filters[status]": "all"})
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _create(emu: Emu, api: httpx.Client) -> httpx.Response:
    return api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs", json=MANPOWER)


def _client_credentials(emu: Emu) -> int:
    return emu.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET}).status_code


def _late_commits_pending(emu: Emu) -> int:
    return int(emu.http.get("/_emulator/stats").json()["late_commits_pending"])


def _wait_for_late_commits(emu: Emu, timeout: float = 10.0) -> None:
    """The server's timer is real time; poll its count of writes still to land."""
    deadline = time.monotonic() + timeout
    while _late_commits_pending(emu):
        assert time.monotonic() < deadline, "a late write never landed"
        time.sleep(0.05)


def test_502_after_commit_answers_a_gateway_error_but_the_write_is_there(emu: Emu, api: httpx.Client) -> None:
    emu.configure(faults={"502_after_commit": 1.0})
    answer = _create(emu, api)
    assert answer.status_code == 502
    assert answer.text == BAD_GATEWAY
    emu.configure(faults={"502_after_commit": 0.0})
    logs = _logs(emu, api)
    assert [(log["num_workers"], log["num_hours"]) for log in logs] == [(2, "8.0")]


def test_late_commit_gives_no_answer_and_the_write_lands_later(emu: Emu, api: httpx.Client) -> None:
    emu.configure(faults={"late_commit": 1.0}, late_commit_ms=1500)
    with pytest.raises(httpx.RemoteProtocolError):
        _create(emu, api)
    emu.configure(faults={"late_commit": 0.0})
    assert _logs(emu, api) == []  # the client looks, finds nothing, and may well send it again
    assert _late_commits_pending(emu) == 1
    _wait_for_late_commits(emu)
    assert [log["num_workers"] for log in _logs(emu, api)] == [2]


def test_late_writes_land_when_told_before_their_delay_ends(emu: Emu, api: httpx.Client) -> None:
    emu.configure(faults={"late_commit": 1.0}, late_commit_ms=600_000)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            _create(emu, api)
    emu.configure(faults={"late_commit": 0.0})
    assert _logs(emu, api) == []

    assert emu.http.post("/_emulator/late_writes").json() == {"landing": 2}
    _wait_for_late_commits(emu)
    assert [log["num_workers"] for log in _logs(emu, api)] == [2, 2]
    assert emu.http.post("/_emulator/late_writes").json() == {"landing": 0}


def test_a_late_write_that_procore_refuses_never_lands(emu: Emu, api: httpx.Client) -> None:
    emu.configure(faults={"late_commit": 1.0}, late_commit_ms=10)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(f"/rest/v1.0/projects/{emu.project_id()}/manpower_logs",
                 json={"manpower_log": {"num_workers": "many"}})
    _wait_for_late_commits(emu)
    emu.configure(faults={"late_commit": 0.0})
    assert _logs(emu, api) == []


def test_token_500_fails_before_the_refresh_token_is_used(emu: Emu) -> None:
    tokens = emu.user_tokens()
    emu.configure(faults={"token_500": 1.0})
    failed = emu.refresh(tokens["refresh_token"])
    assert failed.status_code == 500
    assert "something went wrong" in failed.text
    emu.configure(faults={"token_500": 0.0})
    retried = emu.refresh(tokens["refresh_token"])
    assert retried.status_code == 200
    assert retried.json()["refresh_token"] != tokens["refresh_token"]


def test_token_lost_response_uses_the_refresh_token_up(emu: Emu) -> None:
    """The refresh happened: the old pair is dead and the answer carrying the new one never arrived."""
    tokens = emu.user_tokens()
    emu.configure(faults={"token_lost_response": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        emu.refresh(tokens["refresh_token"])
    emu.configure(faults={"token_lost_response": 0.0})
    again = emu.refresh(tokens["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    with emu.client(tokens["access_token"]) as old:
        assert old.get("/rest/v1.0/me").status_code == 401


def test_token_faults_leave_rest_calls_alone_and_rest_faults_leave_the_token_endpoint(
        emu: Emu, api: httpx.Client) -> None:
    emu.configure(faults={"token_500": 1.0, "token_lost_response": 0.0})
    assert api.get("/rest/v1.0/me").status_code == 200
    emu.configure(faults={"token_500": 0.0, "502_after_commit": 0.5, "late_commit": 0.5})
    assert emu.user_tokens()["access_token"]


@pytest.mark.parametrize(("faults", "call"), [
    ({"502_after_commit": 0.3, "late_commit": 0.3}, "rest"),
    ({"token_500": 0.3, "token_lost_response": 0.3}, "token"),
], ids=["rest", "token"])
def test_new_faults_are_deterministic_for_a_seed(emu: Emu, api: httpx.Client, faults: dict[str, float],
                                                 call: str) -> None:
    def outcome() -> str:
        try:
            if call == "rest":
                return str(api.get("/rest/v1.0/me").status_code)
            return str(_client_credentials(emu))
        except httpx.RemoteProtocolError:
            return "dropped"

    def run() -> list[str]:
        emu.configure(faults={kind: 0.0 for kind in faults}, fault_seed=5)
        emu.configure(faults=faults, late_commit_ms=0)
        return [outcome() for _ in range(20)]

    first = run()
    assert len(set(first)) == 3
    assert run() == first


@pytest.mark.parametrize(("changes", "message"), [
    ({"late_commit_ms": -1}, "late_commit_ms must be a non-negative integer"),
    ({"faults": {"late_commit": 2}}, "fault rate late_commit must be between 0 and 1"),
    ({"faults": {"token_404": 0.1}}, "unknown fault 'token_404'"),
], ids=["negative delay", "rate above one", "unknown fault"])
def test_bad_fault_settings_are_refused(emu: Emu, changes: dict[str, Any], message: str) -> None:
    answer = emu.http.put("/_emulator/config", json=changes)
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_stats_count_the_faults_that_fired(emu: Emu, api: httpx.Client) -> None:
    emu.http.delete("/_emulator/stats")
    emu.configure(faults={"502_after_commit": 1.0})
    api.get("/rest/v1.0/me")
    emu.configure(faults={"502_after_commit": 0.0, "token_500": 1.0})
    emu.refresh("no-such-token")
    assert emu.http.get("/_emulator/stats").json()["faults_fired"] == {"502_after_commit": 1, "token_500": 1}
    emu.http.delete("/_emulator/stats")
    assert emu.http.get("/_emulator/stats").json()["faults_fired"] == {}


def test_token_requests_do_not_shift_which_rest_requests_fail(emu: Emu, api: httpx.Client) -> None:
    def run(*, renew_between: bool) -> list[int]:
        emu.configure(faults={"500": 0.0, "token_500": 0.0}, fault_seed=9)
        emu.configure(faults={"500": 0.4, "token_500": 0.5})
        statuses = []
        for _ in range(12):
            statuses.append(api.get("/rest/v1.0/me").status_code)
            if renew_between:
                _client_credentials(emu)
        return statuses

    alone = run(renew_between=False)
    assert 500 in alone
    assert run(renew_between=True) == alone
    assert emu.http.get("/_emulator/stats").json()["faults_fired"]["token_500"] > 0
