"""The root of every error this product raises, grouped by what the caller should do."""

from __future__ import annotations

from typing import ClassVar


class ProcoreConnectError(Exception):
    """Root of our errors. Messages say what went wrong and what to fix, and never hold secrets."""

    retriable: ClassVar[bool] = False


class ConfigurationError(ProcoreConnectError):
    """The product is set up wrongly (settings, missing connection); an admin must fix it."""


class ValidationError(ProcoreConnectError):
    """Input a person gave (form, CSV row) is not acceptable; nothing was changed."""


class NotFoundError(ProcoreConnectError):
    """A record the caller named does not exist (or no longer exists)."""


class PermissionDenied(ProcoreConnectError):
    """The signed-in person lacks the permission the action needs."""


class MappingError(ProcoreConnectError):
    """A local record has no Procore counterpart yet; map it on Data mapping or import it."""
