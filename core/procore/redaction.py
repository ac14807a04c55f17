"""`redact()`: the one gate every URL, body and header passes before it reaches a log, an error or the UI.

It removes OAuth tokens, client secrets, authorization codes and `Authorization` headers in three
ways: values of sensitive keys (query strings, form bodies, JSON text, dicts), bearer credentials,
and any exact secret value registered with `register_secret()` when we obtained or configured it.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

MASK = "***"

# Keys whose values are secrets wherever they appear. `code` and `state` only count in URLs and form
# bodies (OAuth parameters); in JSON `code` is a cost code, which error messages must keep.
_SECRET_KEYS = ("access_token", "refresh_token", "client_secret", "id_token", "password", "token", "assertion")
_FORM_ONLY_KEYS = ("code", "code_verifier", "state")
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})

_FORM_PATTERN = re.compile(
    r"(?P<key>(?<![\w-])(?:" + "|".join(_SECRET_KEYS + _FORM_ONLY_KEYS) + r"))=(?P<value>[^&\s#\"']+)",
    re.IGNORECASE,
)
_JSON_PATTERN = re.compile(
    r"(?P<key>\"(?:" + "|".join(_SECRET_KEYS) + r")\"\s*:\s*)(?P<value>\"(?:[^\"\\]|\\.)*\")",
    re.IGNORECASE,
)
_BEARER_PATTERN = re.compile(r"(?P<scheme>\b(?:Bearer|Basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE)

_MAX_SECRETS = 256
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words
_secrets: deque[str] = deque(maxlen=_MAX_SECRETS)
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value (token, client secret) so `redact()` masks it wherever it shows up."""
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value not in _secrets:
            _secrets.append(value)


def redact(value: Any) -> Any:
    """A copy of `value` (text, URL, headers, dict or list) with every secret replaced by `***`."""
    if isinstance(value, str):
        return _redact_text(value)
    if isinstance(value, bytes):
        return _redact_text(value.decode("utf-8", errors="replace"))
    if isinstance(value, Mapping):
        return {key: _redact_item(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _redact_item(key: str, item: Any) -> Any:
    lowered = key.lower()
    if lowered in _SECRET_HEADERS or lowered in _SECRET_KEYS or lowered in ("code_verifier",):
        return MASK if item not in (None, "") else item
    return redact(item)


def _redact_text(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BEARER_PATTERN.sub(lambda m: m.group("scheme") + MASK, text)
    text = _FORM_PATTERN.sub(lambda m: m.group("key") + "=" + MASK, text)
    return _JSON_PATTERN.sub(lambda m: m.group("key") + '"' + MASK + '"', text)


def excerpt(text: str, limit: int) -> str:
    """`text` redacted, then cut to `limit` characters (with a marker when cut)."""
    cleaned = _redact_text(text).strip()
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[:limit] + f"… ({len(cleaned) - limit} more characters)"
