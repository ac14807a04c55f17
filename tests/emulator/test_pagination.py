from __future__ import annotations

import re

import httpx

from tests.emulator.conftest import Emu


def _links(answer: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers.get("link", ""))}


def _people(api: httpx.Client, emu: Emu, **params: str | int) -> httpx.Response:
    return api.get(f"/rest/v1.0/companies/{emu.company_id}/people", params=params)


def test_link_total_and_per_page_across_pages(emu: Emu, api: httpx.Client) -> None:
    total = len(_people(api, emu, per_page=1000).json())
    first = _people(api, emu, per_page=10)
    assert first.headers["total"] == str(total)
    assert first.headers["per-page"] == "10"
    links = _links(first)
    assert set(links) == {"next", "last"}
    assert links["next"].startswith(emu.base_url + "/rest/v1.0/companies/")
    seen = [p["id"] for p in first.json()]
    url, pages = links["next"], 1
    while url:
        page = api.get(url)
        pages += 1
        seen += [p["id"] for p in page.json()]
        rels = _links(page)
        assert {"first", "prev"} <= set(rels)
        url = rels.get("next", "")
        if url:
            assert "last" in rels
    assert pages == -(-total // 10)
    assert len(seen) == len(set(seen)) == total


def test_last_page_has_no_next(emu: Emu, api: httpx.Client) -> None:
    last = _links(_people(api, emu, per_page=10))["last"]
    rels = _links(api.get(last))
    assert "next" not in rels
    assert set(rels) == {"first", "prev"}


def test_default_per_page_is_100(emu: Emu, api: httpx.Client) -> None:
    assert _people(api, emu).headers["per-page"] == "100"


def test_per_page_above_maximum_is_clamped(emu: Emu, api: httpx.Client) -> None:
    emu.configure(max_per_page=7)
    answer = _people(api, emu, per_page=500)
    assert answer.headers["per-page"] == "7"
    assert len(answer.json()) == 7


def test_single_page_has_no_link_header(emu: Emu, api: httpx.Client) -> None:
    answer = api.get("/rest/v1.0/vendors", params={"company_id": emu.company_id})
    assert "link" not in answer.headers
    assert answer.headers["total"] == "5"


def test_company_time_types_are_not_paginated(emu: Emu, api: httpx.Client) -> None:
    answer = api.get(f"/rest/v1.0/companies/{emu.company_id}/timecard_time_types", params={"per_page": 2})
    assert len(answer.json()) == 6
    assert "link" not in answer.headers
    assert "total" not in answer.headers
