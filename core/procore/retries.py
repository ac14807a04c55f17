"""When to retry a Procore request and how long to wait first: the only place that decides.

* 429 and 503 (and 408) were refused before any work was done: retried for every method, after
  `Retry-After`, else `X-Rate-Limit-Reset` (429), else exponential back-off.
* Other 5xx: retried for reads; for writes the outcome is unknown, so the caller gets
  `OutcomeUnknownError` instead of a blind repeat.
* Connection errors that prove nothing was sent (connect failed or timed out, no pooled connection):
  retried for every method. Errors after sending (read timeout, dropped connection): reads only.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping

import httpx

from core.procore import constants

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED_BEFORE_WORK = frozenset({408, 429, 503})
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
NEVER_RETRY_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.UnsupportedProtocol, httpx.ProxyError)


def is_write(method: str) -> bool:
    return method.upper() not in READ_METHODS


def _should_retry(response: httpx.Response, *, method: str) -> bool:
    """True when the same request may simply be sent again after a wait."""
    status = response.status_code
    if status in REFUSED_BEFORE_WORK:
        return True
    return status >= 500 and not is_write(method)


def _should_retry_error(error: httpx.TransportError, *, method: str) -> bool:
    """True when a transport error leaves the request safe to send again."""
    if isinstance(error, NEVER_RETRY_ERRORS):
        return False
    if isinstance(error, NOT_SENT_ERRORS):
        return True
    return not is_write(method)


def outcome_unknown(error: httpx.TransportError | None, response: httpx.Response | None, *, method: str) -> bool:
    """True when a write may have been applied although we could not see its answer."""
    if not is_write(method):
        return False
    if error is not None:
        return not isinstance(error, NOT_SENT_ERRORS + NEVER_RETRY_ERRORS)
    return response is not None and response.status_code >= 500 and response.status_code not in REFUSED_BEFORE_WORK


def _retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None,
    *,
    now: float,
    random: Callable[[], float],
) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 1).

    Procore's own hints win: `Retry-After` (seconds or an HTTP date), then `X-Rate-Limit-Reset`
    (Unix seconds, rounded, so a little slack is added). Otherwise exponential back-off with jitter.
    """
    hinted = hinted_wait(headers or {}, now=now)
    if hinted is not None:
        return max(0.0, hinted)
    backoff = min(constants.INITIAL_BACKOFF * 2 ** (attempt - 1), constants.MAX_BACKOFF)
    return float(backoff * (1 - constants.JITTER * random()))


def hinted_wait(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds Procore asks us to wait (`Retry-After`, or the reset of an exhausted window), if it says."""
    retry_after = headers.get("Retry-After") or headers.get("retry-after")
    if retry_after:
        seconds = _parse_retry_after(retry_after, now=now)
        if seconds is not None:
            return seconds
    reset = headers.get("X-Rate-Limit-Reset") or headers.get("x-rate-limit-reset")
    remaining = headers.get("X-Rate-Limit-Remaining") or headers.get("x-rate-limit-remaining")
    if reset and remaining is not None and remaining.strip() == "0":
        try:
            return float(reset) - now + constants.RATE_LIMIT_SLACK
        except ValueError:
            return None
    return None


def _parse_retry_after(value: str, *, now: float) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - now
