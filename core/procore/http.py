"""The request path every Procore call takes: pacing, auth, one retry layer, errors, parsing, pages.

`ProcoreHTTP` is the base of `ProcoreClient`; resource mixins call `_get`, `_list`, `_write` and
never loop on errors themselves.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from core.errors import ConfigurationError
from core.procore import constants
from core.procore.auth import ProcoreOAuth2Client
from core.procore.errors import (
    OutcomeUnknownError,
    ProcoreConnectionError,
    ProcoreTimeoutError,
    UnexpectedResponseError,
    error_from_response,
)
from core.procore.pacing import RateLimitPacer
from core.procore.pagination import iter_pages
from core.procore.redaction import excerpt, redact
from core.procore.retries import _retry_delay, _should_retry, _should_retry_error, outcome_unknown

logger = logging.getLogger("core.procore")

M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, Any]


class ProcoreHTTP:
    """Sends requests to Procore's REST API through an authlib client, with pacing and retries."""

    def __init__(
        self,
        http_client: ProcoreOAuth2Client,
        *,
        company_id: int | None = None,
        company_header_on_account_calls: bool = False,
        pacer: RateLimitPacer | None = None,
        per_page: int = constants.DEFAULT_PER_PAGE,
        max_attempts: int = constants.MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.http = http_client
        self.company_id = company_id
        self.company_header_on_account_calls = company_header_on_account_calls
        self.pacer = pacer or RateLimitPacer()
        self.per_page = per_page
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ProcoreHTTP:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- building blocks used by the resource methods ----------------------------------------

    def _company(self, company_id: int | None) -> int:
        chosen = company_id if company_id is not None else self.company_id
        if chosen is None:
            raise ConfigurationError("No Procore company is selected; choose one on Procore setup.")
        return chosen

    def _get(
        self,
        model: type[M],
        path: str,
        *,
        company_id: int | None,
        params: Params | None = None,
        account_call: bool = False,
        **ids: Any,
    ) -> M:
        response = self._send("GET", path, ids=ids, params=params, company_id=company_id, account_call=account_call)
        return self._parse(model, _json(response, "GET", path), "GET", path)

    def _list(
        self,
        model: type[M],
        path: str,
        *,
        company_id: int | None,
        params: Params | None = None,
        per_page: int | None = None,
        account_call: bool = False,
        **ids: Any,
    ) -> Iterator[M]:
        """Every item of a paginated list, page after page, as `model` instances."""
        url = self._path(path, company_id, ids) if not account_call else path

        def fetch(page_url: str, query: Params | None) -> httpx.Response:
            return self._send("GET", path, url=page_url, params=query, company_id=company_id, account_call=account_call)

        size = per_page or self.per_page
        for page in iter_pages(fetch, path=url, params=_clean(params or {}), per_page=size, path_template=path):
            for item in page:
                yield self._parse(model, item, "GET", path)

    def _write(
        self,
        method: str,
        path: str,
        *,
        company_id: int | None,
        body: dict[str, Any] | None = None,
        params: Params | None = None,
        **ids: Any,
    ) -> Any:
        """Send a POST/PATCH/DELETE and return its JSON (None for an empty body)."""
        response = self._send(method, path, ids=ids, params=params, body=body, company_id=company_id)
        return _json(response, method, path) if response.content.strip() else None

    def _path(self, path: str, company_id: int | None, ids: Mapping[str, Any]) -> str:
        """`path` with its ids filled in; `{company_id}` is the company the request is for."""
        if "{company_id}" in path:
            return path.format(company_id=self._company(company_id), **ids)
        return path.format(**ids)

    def _parse(self, model: type[M], data: Any, method: str, path: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
            raise UnexpectedResponseError(
                f"Procore's answer to {method} {path} does not have the expected shape ({problems}).",
                method=method,
                path=path,
            ) from None

    # -- the one request loop ---------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        company_id: int | None,
        ids: Mapping[str, Any] | None = None,
        url: str | None = None,
        params: Params | None = None,
        body: dict[str, Any] | None = None,
        account_call: bool = False,
    ) -> httpx.Response:
        """Send one logical request, retrying only where `core.procore.retries` allows."""
        target = url or self._path(path, company_id, ids or {})
        headers = self._headers(company_id, account_call=account_call)
        reauthorized = False
        attempt = 1
        while True:
            version = self.http.version
            response, error = self._send_once(method, target, params=params, body=body, headers=headers)
            if response is not None and response.is_success:
                return response
            if self._should_reauthorize(response, reauthorized):
                reauthorized = True
                logger.debug("retrying %s %s with a refreshed token: HTTP 401", method, path)
                self.http.force_refresh(failed_version=version)
                continue
            delay = self._retry_wait(method, attempt, response, error)
            if delay is None:
                raise self._failure(method, path, response, error, body)
            self._log_retry(method, path, attempt, delay, response, error)
            self._sleep(delay)
            attempt += 1

    def _send_once(
        self, method: str, target: str, *, params: Params | None, body: Any, headers: dict[str, str]
    ) -> tuple[httpx.Response | None, httpx.TransportError | None]:
        self.pacer.acquire()
        seen: httpx.Headers | None = None
        try:
            response = self.http.request(method, target, params=params, json=body, headers=headers)
        except httpx.TransportError as error:
            return None, error
        else:
            seen = response.headers
            return response, None
        finally:
            self.pacer.observe(seen)  # also when a token refresh inside the request failed

    def _should_reauthorize(self, response: httpx.Response | None, already: bool) -> bool:
        """A 401 gets one more try with a newer token (stored by another worker, or refreshed now)."""
        return response is not None and response.status_code == 401 and not already and self.http.store is not None

    def _log_retry(
        self,
        method: str,
        path: str,
        attempt: int,
        delay: float,
        response: httpx.Response | None,
        error: httpx.TransportError | None,
    ) -> None:
        reason = f"HTTP {response.status_code}" if response is not None else type(error).__name__
        logger.debug(
            "retrying %s %s (attempt %d of %d) in %.2f s: %s",
            method,
            redact(path),
            attempt + 1,
            self.max_attempts,
            delay,
            redact(reason),
        )

    def _retry_wait(
        self, method: str, attempt: int, response: httpx.Response | None, error: httpx.TransportError | None
    ) -> float | None:
        if attempt >= self.max_attempts:
            return None
        if response is not None and not _should_retry(response, method=method):
            return None
        if error is not None and not _should_retry_error(error, method=method):
            return None
        headers = response.headers if response is not None else None
        delay = _retry_delay(attempt, headers, now=self._clock(), random=self._jitter)
        return delay if delay <= constants.MAX_RETRY_WAIT else None

    def _failure(
        self, method: str, path: str, response: httpx.Response | None, error: httpx.TransportError | None, body: Any
    ) -> Exception:
        if outcome_unknown(error, response, method=method):
            cause = f"HTTP {response.status_code}" if response is not None else type(error).__name__
            return OutcomeUnknownError(
                f"{method} {path} was sent but its answer was lost ({cause}); Procore may have applied it. "
                "It was not repeated: check Procore for the record before sending it again.",
                method=method,
                path=path,
                sent=body,
                status_code=response.status_code if response is not None else None,
            )
        if error is not None:
            cls = ProcoreTimeoutError if isinstance(error, httpx.TimeoutException) else ProcoreConnectionError
            message = f"Could not reach Procore for {method} {path} ({type(error).__name__}). Try again later."
            return cls(message, method=method, path=path)
        assert response is not None
        return error_from_response(response, method=method, path=path)

    def _headers(self, company_id: int | None, *, account_call: bool) -> dict[str, str]:
        if not account_call:
            return {"Procore-Company-Id": str(self._company(company_id))}
        # /me and /companies: Procore wants the header only from service accounts (client credentials).
        default = self.company_id if self.company_header_on_account_calls else None
        chosen = company_id if company_id is not None else default
        return {"Procore-Company-Id": str(chosen)} if chosen is not None else {}


def _clean(params: Params) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


def _json(response: httpx.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponseError(
            f"Procore's answer to {method} {path} is not JSON: {excerpt(response.text, 200)!r}",
            method=method,
            path=path,
        ) from None
