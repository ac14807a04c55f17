"""Page through Procore lists: follow `Link: rel="next"`, else `Total` + `Per-Page`; refuse loops.

`iter_pages()` is a generator of raw pages (JSON arrays). It stops when Procore gives no next page,
and raises `PaginationLoopError` when a next page points back at one already read, leaves Procore's
host (it would carry our token elsewhere) or runs past a hard page cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from core.procore.constants import MAX_PAGES
from core.procore.errors import PaginationLoopError, UnexpectedResponseError
from core.procore.redaction import redact

logger = logging.getLogger(__name__)

# Fetches one page: (url or path, query params or None) -> response with a 2xx status.
FetchPage = Callable[[str, Mapping[str, Any] | None], httpx.Response]


def iter_pages(
    fetch: FetchPage,
    *,
    path: str,
    params: Mapping[str, Any],
    per_page: int,
    path_template: str,
) -> Iterator[list[Any]]:
    """Yield each page's items, first page requested as `path?{params}&page=1&per_page=N`.

    Args:
        fetch: sends one GET (with retries) and returns the response.
        path: the first page's path or URL.
        params: the list's filters; `page` and `per_page` are added.
        per_page: page size to ask for (Procore may cap it).
        path_template: the list's path template, used in errors and logs.
    """
    label = f"GET {path_template}"
    response = fetch(path, {**params, "page": 1, "per_page": per_page})
    seen = {_page_key(response.request.url)}
    for _ in range(MAX_PAGES):
        yield _items(response, path_template)
        next_url = next_page_url(response)
        if next_url is None:
            return
        _check_next(next_url, response.request.url, seen, path_template)
        response = fetch(str(next_url), None)
    raise PaginationLoopError(
        f"{label} returned more than {MAX_PAGES} pages; stopped.", method="GET", path=path_template
    )


def next_page_url(response: httpx.Response) -> httpx.URL | None:
    """The next page's URL from `Link` rel="next", else from `Total`/`Per-Page`, else None."""
    link = response.links.get("next")
    if link and link.get("url"):
        return response.request.url.join(link["url"])
    if "Link" in response.headers:
        return None  # Link present without a next: this is the last page
    return _next_from_total(response)


def _next_from_total(response: httpx.Response) -> httpx.URL | None:
    try:
        total = int(response.headers["Total"])
        per_page = int(response.headers["Per-Page"])
    except (KeyError, ValueError):
        return None
    url = response.request.url
    page = int(url.params.get("page", "1") or 1)
    if per_page <= 0 or page * per_page >= total:
        return None
    return url.copy_set_param("page", page + 1).copy_set_param("per_page", per_page)


def _check_next(next_url: httpx.URL, current: httpx.URL, seen: set[str], path_template: str) -> None:
    label = f"GET {path_template}"
    if (next_url.scheme, next_url.host, next_url.port) != (current.scheme, current.host, current.port):
        raise PaginationLoopError(
            f"{label} pointed its next page at another host ({redact(str(next_url.host))}); stopped to keep "
            "our token from leaving Procore.",
            method="GET",
            path=path_template,
        )
    key = _page_key(next_url)
    if key in seen:
        raise PaginationLoopError(
            f"{label} pointed its next page back at a page already read ({redact(key)}); stopped to avoid a loop.",
            method="GET",
            path=path_template,
        )
    seen.add(key)
    logger.debug("next page of %s: %s", label, redact(key))


def _page_key(url: httpx.URL) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(url.params.multi_items()))
    return f"{url.path}?{query}"


def _items(response: httpx.Response, path_template: str) -> list[Any]:
    label = f"GET {path_template}"
    try:
        body = response.json()
    except ValueError as error:
        message = f"{label} answered with something that is not JSON."
        raise UnexpectedResponseError(message, method="GET", path=path_template) from error
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return list(body["data"])  # v2 envelope
    if not isinstance(body, list):
        message = f"{label} answered with a JSON {type(body).__name__}, not a list."
        raise UnexpectedResponseError(message, method="GET", path=path_template)
    return body
