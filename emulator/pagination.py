"""``page``/``per_page`` slicing with Procore's ``Link``, ``Total`` and ``Per-Page`` headers."""

from __future__ import annotations

import math
from typing import Any, TypeVar

from starlette.requests import Request

DEFAULT_PER_PAGE = 100
T = TypeVar("T")


def _positive_int(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number > 0 else default


def page_params(request: Request, max_per_page: int) -> tuple[int, int]:
    page = _positive_int(request.query_params.get("page"), 1)
    per_page = _positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE)
    return page, min(per_page, max_per_page)


def link_header(request: Request, page: int, per_page: int, last: int) -> str | None:
    """rel first/prev on pages after the first, next/last on pages before the last."""
    rels: list[tuple[str, int]] = []
    if page > 1:
        rels += [("first", 1), ("prev", min(page - 1, last))]
    if page < last:
        rels += [("next", page + 1), ("last", last)]
    if not rels:
        return None
    links = [
        f'<{request.url.include_query_params(page=number, per_page=per_page)}>; rel="{rel}"'
        for rel, number in rels
    ]
    return ", ".join(links)


def paginate(
    request: Request, items: list[T], max_per_page: int, *, links: bool = True
) -> tuple[list[T], dict[str, str]]:
    page, per_page = page_params(request, max_per_page)
    last = max(1, math.ceil(len(items) / per_page))
    headers: dict[str, Any] = {"Total": str(len(items)), "Per-Page": str(per_page)}
    if links:
        link = link_header(request, page, per_page, last)
        if link:
            headers["Link"] = link
    start = (page - 1) * per_page
    return items[start : start + per_page], headers
