"""Procore API errors, each declaring what the caller should do (`ErrorAction`): retry, give up, reconnect,
fix the data, reconcile, or accept that the record is missing.

Every message names the request (method and path template, never a full URL with ids or secrets)
and says what to do. Bodies are redacted and cut to a fixed length before they are kept.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from core.errors import ErrorAction as ErrorAction  # declared with the root error, re-exported for Procore callers
from core.errors import NotFoundError, ProcoreConnectError
from core.procore.constants import MAX_BODY_EXCERPT
from core.procore.redaction import excerpt, redact
from core.procore.retries import hinted_wait

SETUP_PAGE = "Procore setup"


class ProcoreAPIError(ProcoreConnectError):
    """Something went wrong talking to Procore."""

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        self.method = method
        self.path = path
        self.message = redact(message)
        super().__init__(self.message)

    @property
    def request_label(self) -> str:
        """`GET /rest/v1.0/projects/{project_id}/manpower_logs`, or an empty string."""
        return f"{self.method} {self.path}" if self.method and self.path else ""


class ProcoreStatusError(ProcoreAPIError):
    """Procore answered with an error status."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        path: str,
        body: str = "",
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = excerpt(body, MAX_BODY_EXCERPT)
        self.request_id = request_id
        super().__init__(message, method=method, path=path)


class BadRequestError(ProcoreStatusError):
    """400: Procore could not read the request (missing or malformed parameter)."""

    action = ErrorAction.FIX_DATA


class AuthenticationError(ProcoreStatusError):
    """401: Procore refused the access token even after a refresh."""

    action = ErrorAction.RECONNECT


class PermissionDeniedError(ProcoreStatusError):
    """403: the Procore user or app lacks permission, the tool is off, or the project is not permitted."""


class ProcoreNotFoundError(ProcoreStatusError, NotFoundError):
    """404: the record does not exist, or the Procore user cannot see it."""

    action = ErrorAction.MISSING


class ConflictError(ProcoreStatusError):
    """409: Procore already has a record with this key (for example the same origin_id)."""

    action = ErrorAction.FIX_DATA


class UnprocessableEntityError(ProcoreStatusError):
    """422: Procore refused the data (a business rule, a locked or approved record)."""

    action = ErrorAction.FIX_DATA

    def __init__(self, message: str, *, field_errors: dict[str, list[str]], **kwargs: Any) -> None:
        self.field_errors = field_errors
        super().__init__(message, **kwargs)


class RateLimitError(ProcoreStatusError):
    """429: too many requests; wait until the limit resets."""

    action = ErrorAction.RETRY

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(ProcoreStatusError):
    """5xx: Procore failed or shed load; the same request may work later."""

    action = ErrorAction.RETRY


class ProcoreConnectionError(ProcoreAPIError):
    """Procore could not be reached (DNS, refused connection, dropped connection)."""

    action = ErrorAction.RETRY


class ProcoreTimeoutError(ProcoreConnectionError):
    """Procore did not answer in time."""


class OutcomeUnknownError(ProcoreAPIError):
    """A write was sent but its answer was lost: Procore may or may not have applied it.

    It was not retried, because repeating a create can duplicate it. Look the record up in Procore
    (for example by project, date and key fields, or origin_id) before sending it again.
    """

    action = ErrorAction.RECONCILE

    def __init__(
        self, message: str, *, method: str, path: str, sent: Any = None, status_code: int | None = None
    ) -> None:
        self.sent = redact(sent)
        self.status_code = status_code
        super().__init__(message, method=method, path=path)


class UnexpectedResponseError(ProcoreAPIError):
    """Procore answered 2xx with something we cannot read (not JSON, or not the documented shape)."""


class PaginationLoopError(ProcoreAPIError):
    """A paginated list pointed back at a page we already read (or off Procore's host)."""


class ReconnectRequired(ProcoreAPIError):
    """The stored authorization no longer works (refresh token used, revoked or unreadable)."""

    action = ErrorAction.RECONNECT

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} Reconnect Procore on the {SETUP_PAGE} page.")


class InvalidOAuthState(ProcoreConnectError):
    """The `state` returned by Procore's sign-in is unknown, already used or expired; start again."""


STATUS_ERRORS: dict[int, type[ProcoreStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: ProcoreNotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response, *, method: str, path: str) -> ProcoreStatusError:
    """The error for a non-2xx Procore answer to `method path` (path is the template, not the URL)."""
    status = response.status_code
    field_errors = field_errors_from_body(response)
    detail = "; ".join(
        ", ".join(msgs) if key == "base" else f"{key}: {', '.join(msgs)}" for key, msgs in field_errors.items()
    )
    label = f"{method} {path}"
    common: dict[str, Any] = {
        "status_code": status,
        "method": method,
        "path": path,
        "body": response.text,
        "request_id": response.headers.get("X-Request-Id"),
    }
    message = _message_for(status, label, excerpt(detail, 300) if detail else "")
    if status == 422:
        return UnprocessableEntityError(message, field_errors=field_errors, **common)
    if status == 429:
        wait = hinted_wait(response.headers, now=time.time())
        if wait is not None:
            message += f" It resets in about {max(0, round(wait))} s."
        return RateLimitError(message, retry_after=wait, **common)
    cls = STATUS_ERRORS.get(status) or (ServerError if status >= 500 else ProcoreStatusError)
    return cls(message, **common)


def _message_for(status: int, label: str, detail: str) -> str:
    said = f" Procore said: {detail}." if detail else ""
    if status == 400:
        return f"Procore could not read {label}.{said} Check the values sent."
    if status == 401:
        return f"Procore refused our access token for {label}.{said} Reconnect Procore on the {SETUP_PAGE} page."
    if status == 403:
        return (
            f"Procore denied {label}.{said} Give the connected Procore user (or the app's service account) "
            "access to this company, project and tool in Procore, or add the project to the app's permitted projects."
        )
    if status == 404:
        return f"Procore found nothing at {label}, or the connected Procore user cannot see it.{said}"
    if status == 409:
        return f"Procore already has a matching record for {label}.{said} Link to it instead of creating another."
    if status == 422:
        return f"Procore refused the data sent to {label}.{said} Correct it and send again."
    if status == 429:
        return f"Procore's rate limit was reached on {label}. Try again after the limit resets."
    if status >= 500:
        return f"Procore failed with HTTP {status} on {label}.{said} Try again later."
    return f"Procore answered HTTP {status} to {label}.{said}"


def field_errors_from_body(response: httpx.Response) -> dict[str, list[str]]:
    """Procore's error details as {field: [messages]} ("base" for messages about the whole record)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return {"base": [text]} if text and len(text) < 1000 and "<" not in text else {}
    if not isinstance(body, dict):
        return {"base": [str(body)]} if body else {}
    errors = body.get("errors", body.get("error_description") or body.get("message") or body.get("error"))
    if isinstance(errors, dict):
        return {str(key): [str(m) for m in (v if isinstance(v, list) else [v])] for key, v in errors.items()}
    if isinstance(errors, list):
        return {"base": [str(m) for m in errors]}
    return {"base": [str(errors)]} if errors else {}
