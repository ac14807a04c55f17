"""Error responses in the shapes Procore and its OAuth server use."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

MISSING_COMPANY_HEADER = (
    "Missing Procore-Company-Id header! Every request must include the Procore-Company-Id header "
    "with the ID of the company the request is for. See "
    "https://developers.procore.com/documentation/tutorial-mpz"
)
RATE_LIMITED = (
    "You have surpassed the max number of requests for an hour. Please wait until your limit resets."
)
INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection "
    "URI used in the authorization request, or was issued to another client."
)
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


class ApiError(Exception):
    """Raised by handlers; turned into a response by the REST gateway."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> Response:
        if isinstance(self.body, str):
            return PlainTextResponse(self.body, self.status, headers=self.headers)
        return JSONResponse(self.body, self.status, headers=self.headers)


def not_found() -> ApiError:
    return ApiError(404, {"errors": "404 Not Found"})


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"errors": message})


def unprocessable(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(422, {"errors": errors})


def locked(message: str) -> ApiError:
    return ApiError(422, {"errors": {"base": [message]}, "message": message})


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)
