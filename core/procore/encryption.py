"""Encryption at rest for Procore tokens (Fernet), and where its key comes from.

The key is `TOKEN_ENCRYPTION_KEY` (a Fernet key; several comma-separated keys allow rotation: the
first encrypts, all decrypt). Locally, when it is unset, a key file `data_dir/token.key` (mode 0600)
is created on first use and reused afterwards.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.config import Settings
from core.errors import ConfigurationError
from core.procore.errors import ReconnectRequired

KEY_FILE_NAME = "token.key"
_KEY_HELP = (
    "Set TOKEN_ENCRYPTION_KEY to a Fernet key, made with: "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


class TokenCipher:
    """Encrypts and decrypts token strings with one or more Fernet keys."""

    def __init__(self, keys: list[bytes]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as error:
            raise ConfigurationError(f"The token encryption key is not a valid Fernet key. {_KEY_HELP}") from error

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken as error:
            raise ReconnectRequired(
                "The stored Procore tokens cannot be read with the current encryption key (was it changed?)."
            ) from error


def cipher_from_settings(settings: Settings) -> TokenCipher:
    """The cipher for `settings`: the configured key(s), else (local only) the key file in `data_dir`."""
    if settings.token_encryption_key is not None:
        raw = settings.token_encryption_key.get_secret_value()
        keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
        if not keys:
            raise ConfigurationError(f"TOKEN_ENCRYPTION_KEY is empty. {_KEY_HELP}")
        return TokenCipher(keys)
    if settings.environment != "local":
        raise ConfigurationError(f"TOKEN_ENCRYPTION_KEY must be set outside the local environment. {_KEY_HELP}")
    return TokenCipher([load_or_create_key_file(Path(settings.data_dir) / KEY_FILE_NAME)])


def load_or_create_key_file(path: Path) -> bytes:
    """Read the key at `path`, creating it (mode 0600) if missing; safe when processes race to create it."""
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".token-key-")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
        with contextlib.suppress(FileExistsError):  # another process created the file first
            os.link(temporary, path)  # atomic
    finally:
        os.unlink(temporary)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if not key:
        raise ConfigurationError(
            f"The key file {path} is empty; delete it to create a new one (then reconnect Procore)."
        )
    return key
