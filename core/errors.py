"""The root of every error this product raises, and what a caller should do about each kind.

Each error class declares its `action`; code that handles errors branches once on it
(`error.action`) rather than on chains of classes or status codes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorAction(StrEnum):
    """What the caller should do about an error."""

    RETRY = "retry"  # try again later; nothing is wrong with the request
    GIVE_UP = "give_up"  # this request cannot succeed as sent; report it
    RECONNECT = "reconnect"  # an admin must reconnect Procore on Procore setup
    FIX_DATA = "fix_data"  # the data was refused; correct it and send again
    RECONCILE = "reconcile"  # a write may have happened; look in Procore before sending again
    MISSING = "missing"  # the record is not there (or cannot be seen): there is nothing to change


class ProcoreConnectError(Exception):
    """Root of our errors. Messages say what went wrong and what to fix, and never hold secrets."""

    action: ClassVar[ErrorAction] = ErrorAction.GIVE_UP


class ConfigurationError(ProcoreConnectError):
    """The product is set up wrongly (settings, missing connection); an admin must fix it."""


class ValidationError(ProcoreConnectError):
    """Input a person gave (form, CSV row) is not acceptable; nothing was changed."""

    action = ErrorAction.FIX_DATA


class NotFoundError(ProcoreConnectError):
    """A record the caller named does not exist (or no longer exists), here or in Procore."""

    action = ErrorAction.MISSING


class PermissionDenied(ProcoreConnectError):
    """The signed-in person lacks the permission the action needs."""


class MappingError(ProcoreConnectError):
    """A local record has no Procore counterpart yet; map it on Data mapping or import it."""

    action = ErrorAction.FIX_DATA
