from __future__ import annotations

import math
import time
from datetime import date

import httpx
import pytest

from core.procore.auth import new_oauth_client
from core.procore.client import ProcoreClient
from core.procore.errors import PaginationLoopError
from core.procore.inputs import BulkTimecardEntryInput
from tests.core.procore.conftest import CountingTransport, Emulator

PEOPLE = "/rest/v1.0/companies/{company_id}/people"
PAGE = "https://api.procore.test/rest/v1.0/companies/1/people"


def test_lists_more_than_a_thousand_records_page_by_page(
    emulator: Emulator, service_client: ProcoreClient, transport: CountingTransport
) -> None:
    emulator.reset(employees=1200, job_sites=1)
    path = PEOPLE.format(company_id=emulator.company_id)
    total = int(emulator.control.get(path, headers=_auth(service_client, emulator)).headers["Total"])
    assert total > 1000

    people = list(service_client.iter_people(per_page=100))

    assert len(people) == total == len({person.id for person in people})
    assert transport.sent[("GET", path)] == math.ceil(total / 100)


def test_follows_total_and_per_page_when_procore_sends_no_link(
    emulator: Emulator, service_client: ProcoreClient, transport: CountingTransport
) -> None:
    project_id = emulator.project_id()
    people = [p for p in service_client.iter_people(employees_only=True)][:5]
    day = date(2026, 3, 2)
    entries = [
        BulkTimecardEntryInput(project_id=project_id, party_id=person.id, date=day, hours="8")
        for person in people
    ]
    chunks = service_client.bulk_create_company_timecard_entries(entries=entries)
    created = [entry for chunk in chunks for entry in chunk]
    assert len(created) == 5

    rows = list(service_client.iter_company_timesheets(start=day, end=day, per_page=2))

    assert sorted(row.party.id for row in rows if row.party and row.party.id) == sorted(person.id for person in people)
    assert transport.sent[("GET", f"/rest/v1.0/companies/{emulator.company_id}/timesheets")] == 3


def _auth(client: ProcoreClient, emulator: Emulator) -> dict[str, str]:
    token = client.http.token["access_token"]
    return {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(emulator.company_id)}


def _fake_procore(links: dict[int, str]) -> ProcoreClient:
    """A client on a tiny fake server whose page N answers one item and the given Link header."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        headers = {"Link": links[page]} if page in links else {}
        return httpx.Response(200, json=[{"id": page, "first_name": f"P{page}"}], headers=headers)

    http = new_oauth_client(
        login_url="https://login.procore.test",
        client_id="app",
        client_secret="secret-of-app",
        token={"access_token": "token-abc-123", "token_type": "bearer", "expires_at": int(time.time()) + 3600},
        transport=httpx.MockTransport(handler),
        base_url="https://api.procore.test",
    )
    return ProcoreClient(http, company_id=1)


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ({1: f'<{PAGE}?page=1&per_page=100>; rel="next"'}, "already read"),
        (
            {
                1: f'<{PAGE}?page=2&per_page=100>; rel="next"',
                2: f'<{PAGE}?per_page=100&page=1>; rel="next"',
            },
            "already read",
        ),
        ({1: '<https://elsewhere.test/rest/v1.0/companies/1/people?page=2>; rel="next"'}, "another host"),
    ],
    ids=["next-is-itself", "next-goes-back", "next-leaves-procore"],
)
def test_a_malformed_next_link_stops_with_an_error(links: dict[int, str], message: str) -> None:
    client = _fake_procore(links)

    with pytest.raises(PaginationLoopError, match=message):
        list(client.iter_people())


def test_relative_next_links_are_followed_until_the_last_page() -> None:
    client = _fake_procore(
        {
            1: '</rest/v1.0/companies/1/people?page=2&per_page=100>; rel="next"',
            2: '</rest/v1.0/companies/1/people?page=3&per_page=100>; rel="next", <x>; rel="first"',
            3: '</rest/v1.0/companies/1/people?page=1&per_page=100>; rel="first"',
        }
    )

    assert [person.id for person in client.iter_people()] == [1, 2, 3]
