from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.config import Settings
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.procore.errors import (
    ErrorAction,
    OutcomeUnknownError,
    ProcoreConnectionError,
    RateLimitError,
    ServerError,
)
from core.procore.inputs import ManpowerLogInput
from tests.core.procore.conftest import CountingTransport, Emulator

DAY = date(2026, 3, 3)


class Waits:
    """The client's sleep: records each wait and lifts the emulator's fault after `heal_after` waits."""

    def __init__(self, emulator: Emulator, heal_after: int | None) -> None:
        self.emulator = emulator
        self.heal_after = heal_after
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.heal_after is not None and len(self.delays) == self.heal_after:
            self.emulator.configure(faults={"500": 0, "503": 0, "429": 0, "lost_response": 0})


@pytest.fixture
def client_with(
    settings: Settings, engine: Engine, emulator: Emulator, service_client: ProcoreClient, transport: CountingTransport
) -> Callable[[Waits], ProcoreClient]:
    def build(waits: Waits) -> ProcoreClient:
        return open_client(settings, engine, transport=transport, sleep=waits)

    return build


@pytest.mark.parametrize("fault", ["500", "503"])
@pytest.mark.parametrize("failures_before_success", [0, 2, 4])
def test_reads_are_retried_until_procore_recovers(
    emulator: Emulator,
    client_with: Callable[[Waits], ProcoreClient],
    transport: CountingTransport,
    fault: str,
    failures_before_success: int,
) -> None:
    emulator.configure(retry_after=7)
    waits = Waits(emulator, heal_after=failures_before_success)
    client = client_with(waits)
    if failures_before_success:
        emulator.configure(faults={fault: 1.0})

    projects = list(client.iter_projects())

    assert len(projects) == 9
    assert len(waits.delays) == failures_before_success
    assert transport.statuses[int(fault)] == failures_before_success
    if fault == "503":
        assert waits.delays == [7.0] * failures_before_success  # Retry-After, as Procore asks
    else:
        assert all(0.5 * 2**n * 0.75 <= d <= 0.5 * 2**n for n, d in enumerate(waits.delays))


def test_a_read_gives_up_after_five_attempts(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient]
) -> None:
    waits = Waits(emulator, heal_after=None)
    client = client_with(waits)
    emulator.configure(faults={"500": 1.0})

    with pytest.raises(ServerError, match=r"HTTP 500 on GET /rest/v1.0/projects") as caught:
        list(client.iter_projects())

    assert len(waits.delays) == 4
    assert caught.value.action == ErrorAction.RETRY


def test_a_429_waits_until_the_rate_limit_resets(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient]
) -> None:
    emulator.configure(rate_limit_spike_window=2)
    waits = Waits(emulator, heal_after=1)
    client = client_with(waits)
    emulator.configure(faults={"429": 1.0})

    assert client.me().id

    assert len(waits.delays) == 1
    assert 1.0 <= waits.delays[0] <= 3.5


def test_a_429_with_a_reset_too_far_away_is_raised_for_the_caller_to_schedule(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient]
) -> None:
    emulator.configure(rate_limit_spike_window=3600)
    waits = Waits(emulator, heal_after=None)
    client = client_with(waits)
    emulator.configure(faults={"429": 1.0})

    with pytest.raises(RateLimitError, match="rate limit was reached on GET /rest/v1.0/me") as caught:
        client.me()
    assert waits.delays == []
    assert caught.value.retry_after is not None
    assert 3590 <= caught.value.retry_after <= 3602


def _manpower(notes: str) -> ManpowerLogInput:
    return ManpowerLogInput(date=DAY, num_workers=3, num_hours="8", notes=notes)


def _logs_with(client: ProcoreClient, project_id: int, notes: str) -> int:
    logs = client.iter_manpower_logs(project_id=project_id, start=DAY, end=DAY)
    return sum(1 for log in logs if log.notes == notes)


@pytest.mark.parametrize("fault", ["lost_response", "500"])
def test_a_create_whose_answer_is_lost_is_not_repeated(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient], fault: str
) -> None:
    waits = Waits(emulator, heal_after=None)
    client = client_with(waits)
    project_id = emulator.project_id()
    emulator.configure(faults={fault: 1.0})

    with pytest.raises(OutcomeUnknownError, match="check Procore for the record before sending it again") as caught:
        client.create_manpower_log(project_id=project_id, log=_manpower(f"lost {fault}"))

    emulator.configure(faults={fault: 0})
    assert waits.delays == []
    assert caught.value.action == ErrorAction.RECONCILE
    assert caught.value.sent == {"manpower_log": _manpower(f"lost {fault}").payload()}
    assert caught.value.path == "/rest/v1.0/projects/{project_id}/manpower_logs"
    assert emulator.stats()["POST /rest/v1.0/projects/{project_id}/manpower_logs"] == 1
    created = _logs_with(client, project_id, f"lost {fault}")
    assert created == (1 if fault == "lost_response" else 0)  # the lost answer's write did happen


def test_a_create_refused_with_503_is_sent_again(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient]
) -> None:
    waits = Waits(emulator, heal_after=2)
    client = client_with(waits)
    project_id = emulator.project_id()
    emulator.configure(faults={"503": 1.0})

    log = client.create_manpower_log(project_id=project_id, log=_manpower("after load shedding"))

    assert log.notes == "after load shedding"
    assert len(waits.delays) == 2
    assert _logs_with(client, project_id, "after load shedding") == 1


def test_a_request_that_could_not_connect_is_retried_even_for_a_create(
    emulator: Emulator, client_with: Callable[[Waits], ProcoreClient]
) -> None:
    waits = Waits(emulator, heal_after=None)
    client = client_with(waits)
    client.http.base_url = httpx.URL("http://127.0.0.1:9")  # nothing listens on the discard port

    with pytest.raises(ProcoreConnectionError, match="Could not reach Procore for POST"):
        client.create_manpower_log(project_id=emulator.project_id(), log=_manpower("never sent"))
    assert len(waits.delays) == 4


class WithoutRetryAfter(CountingTransport):
    """The network drops `Retry-After` from every answer (a gateway's own 503 carries none)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.headers.pop("Retry-After", None)
        return response


def test_a_create_answered_503_without_retry_after_is_not_sent_again_but_left_to_reconcile(
    settings: Settings, engine: Engine, emulator: Emulator, service_client: ProcoreClient
) -> None:
    waits = Waits(emulator, heal_after=None)
    client = open_client(settings, engine, transport=WithoutRetryAfter(), sleep=waits)
    project_id = emulator.project_id()
    emulator.configure(faults={"503": 1.0})

    with pytest.raises(OutcomeUnknownError, match=r"answer was lost \(HTTP 503\)") as caught:
        client.create_manpower_log(project_id=project_id, log=_manpower("503 without a hint"))

    emulator.configure(faults={"503": 0})
    assert waits.delays == []
    assert caught.value.action == ErrorAction.RECONCILE
    assert emulator.stats()["POST /rest/v1.0/projects/{project_id}/manpower_logs"] == 1


def test_a_read_answered_503_without_retry_after_is_still_retried(
    settings: Settings, engine: Engine, emulator: Emulator, service_client: ProcoreClient
) -> None:
    waits = Waits(emulator, heal_after=2)
    client = open_client(settings, engine, transport=WithoutRetryAfter(), sleep=waits)
    emulator.configure(faults={"503": 1.0})

    assert list(client.iter_projects())
    assert len(waits.delays) == 2
