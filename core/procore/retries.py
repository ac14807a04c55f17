"""When to retry a Procore request and how long to wait first: the only place that decides.

* Reads are retried after 408, 429 and any 5xx: reading twice changes nothing.
* Writes are sent again without looking only after answers Procore documents as refused before
  any work: 429, and 503 with `Retry-After`. Every other failed answer to a write (500, 502, 504,
  a 503 without `Retry-After`, 408) leaves its outcome unknown: the caller gets
  `OutcomeUnknownError` and reconciles (looks in Procore) before sending it again.
* Connection errors that prove nothing was sent (connect failed or timed out, no pooled connection):
  retried for every method. Errors after sending (read timeout, dropped connection): reads only;
  for a write they too leave the outcome unknown.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping

import httpx

from core.procore import constants

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRIED_READ_STATUSES = frozenset({408, 429})  # and every 5xx
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
NEVER_RETRY_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.UnsupportedProtocol, httpx.ProxyError)


def is_write(method: str) -> bool:
    return method.upper() not in READ_METHODS


def refused_before_work(response: httpx.Response) -> bool:
    """True for the answers Procore documents as sent before any work: 429, and 503 with `Retry-After`."""
    status = response.status_code
    return status == 429 or (status == 503 and "retry-after" in response.headers)


def _should_retry(response: httpx.Response, *, method: str) -> bool:
    """True when the same request may simply be sent again after a wait."""
    if is_write(method):
        return refused_before_work(response)
    return response.status_code in RETRIED_READ_STATUSES or response.status_code >= 500


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
    if response is None or refused_before_work(response):
        return False
    return response.status_code >= 500 or response.status_code == 408


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
