"""Stored Procore connections: encrypted tokens, saved atomically, rotated under compare-and-swap.

Procore's refresh tokens are single-use. So a refresh is claimed first (`claim_refresh`: a lease set
only if the row still has the version we read), and the rotated pair is written only if the version
is still ours (`save_rotated`), bumping it. Whoever loses either race reloads the row and uses the
winner's tokens. A per-process lock in front keeps threads of one process from even trying twice.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select

from core.db import session_scope, utcnow
from core.models.procore import DEFAULT_SLOT, GrantType, ProcoreConnection, ProcoreConnectionBase
from core.procore.encryption import TokenCipher
from core.procore.redaction import register_secret


@dataclass(frozen=True)
class StoredToken:
    """A connection's decrypted token as authlib wants it, with the row version it came from."""

    connection_id: int
    version: int
    token: dict[str, Any]
    grant_type: GrantType
    claimed_until: datetime | None
    reconnect_reason: str | None = None  # set: the authorization is dead until a person reconnects


# One lock per engine and slot. The app has one engine per database per process (core.db.get_engine),
# so this serialises the threads of a process; other processes (or engines) meet at the database.
_locks: weakref.WeakKeyDictionary[Engine, dict[str, threading.Lock]] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def _process_lock(engine: Engine, slot: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(engine, {}).setdefault(slot, threading.Lock())


class TokenStore:
    """Reads and writes one connection slot's tokens; safe across threads and processes."""

    def __init__(
        self,
        *,
        engine: Engine,
        cipher: TokenCipher,
        slot: str = DEFAULT_SLOT,
        lock: threading.Lock | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.slot = slot
        self.lock = lock or _process_lock(engine, slot)
        self.now = now
        self.refreshes = 0  # token-endpoint refreshes this store saved (a metric for tests and logs)

    def load(self) -> StoredToken | None:
        with Session(self.engine) as session:
            row = session.exec(select(ProcoreConnection).where(col(ProcoreConnection.slot) == self.slot)).first()
            return self._decrypt(row) if row is not None else None

    def connection(self) -> ProcoreConnection | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.exec(select(ProcoreConnection).where(col(ProcoreConnection.slot) == self.slot)).first()

    def replace(self, *, details: ProcoreConnectionBase, token: dict[str, Any]) -> ProcoreConnection:
        """Store a new connection in this slot (replacing any previous one) in one transaction."""
        with session_scope(self.engine) as session:
            existing = session.exec(select(ProcoreConnection).where(col(ProcoreConnection.slot) == self.slot)).first()
            version = existing.version + 1 if existing else 1
            if existing is not None:
                session.delete(existing)
                session.flush()
            row = ProcoreConnection.model_validate(
                {**details.model_dump(), "slot": self.slot, "version": version, **self._encrypted(token)}
            )
            session.add(row)
            session.flush()
            session.refresh(row)
            return row

    def claim_refresh(self, *, version: int, lease_seconds: float) -> bool:
        """Take the refresh lease if the row is still at `version` and nobody holds a live lease."""
        now = self.now()
        claimed_until = col(ProcoreConnection.refresh_claimed_until)
        statement = (
            update(ProcoreConnection)
            .where(col(ProcoreConnection.slot) == self.slot, col(ProcoreConnection.version) == version)
            .where(claimed_until.is_(None) | (claimed_until < now))
            .values(refresh_claimed_until=now + timedelta(seconds=lease_seconds))
        )
        return self._execute(statement)

    def save_rotated(self, *, version: int, token: dict[str, Any]) -> bool:
        """Write a new token pair if the row is still at `version`; bumps the version, drops the lease."""
        statement = (
            update(ProcoreConnection)
            .where(col(ProcoreConnection.slot) == self.slot, col(ProcoreConnection.version) == version)
            .values(
                **self._encrypted(token),
                version=version + 1,
                refresh_claimed_until=None,
                updated_at=self.now(),
            )
        )
        saved = self._execute(statement)
        if saved:
            self.refreshes += 1
        return saved

    def release_claim(self, *, version: int) -> None:
        statement = (
            update(ProcoreConnection)
            .where(col(ProcoreConnection.slot) == self.slot, col(ProcoreConnection.version) == version)
            .values(refresh_claimed_until=None)
        )
        self._execute(statement)

    def mark_reconnect(self, *, version: int, reason: str) -> bool:
        """Mark the connection (still at `version`) as needing a reconnect; drops the refresh lease."""
        statement = (
            update(ProcoreConnection)
            .where(col(ProcoreConnection.slot) == self.slot, col(ProcoreConnection.version) == version)
            .values(reconnect_reason=reason[:500], reconnect_needed_at=self.now(), refresh_claimed_until=None)
        )
        return self._execute(statement)

    def update_company(self, *, company_id: int | None, company_name: str | None) -> bool:
        statement = (
            update(ProcoreConnection)
            .where(col(ProcoreConnection.slot) == self.slot)
            .values(company_id=company_id, company_name=company_name, updated_at=self.now())
        )
        return self._execute(statement)

    def delete(self) -> bool:
        return self._execute(delete(ProcoreConnection).where(col(ProcoreConnection.slot) == self.slot))

    def _execute(self, statement: Any) -> bool:
        with session_scope(self.engine) as session:
            result = cast(CursorResult[Any], session.execute(statement))
            return bool(result.rowcount)

    def _encrypted(self, token: dict[str, Any]) -> dict[str, Any]:
        refresh = token.get("refresh_token")
        expires_at = token.get("expires_at")
        if expires_at is None:
            expires_at = int(self.now().timestamp()) + int(token.get("expires_in") or 0)
        lifetime = token.get("expires_in")
        return {
            "access_token_encrypted": self.cipher.encrypt(str(token["access_token"])),
            "refresh_token_encrypted": self.cipher.encrypt(str(refresh)) if refresh else None,
            "expires_at": datetime.fromtimestamp(int(expires_at), tz=UTC),
            "token_lifetime": int(lifetime) if lifetime else None,
        }

    def _decrypt(self, row: ProcoreConnection) -> StoredToken:
        access = self.cipher.decrypt(row.access_token_encrypted)
        refresh = self.cipher.decrypt(row.refresh_token_encrypted) if row.refresh_token_encrypted else None
        register_secret(access)
        register_secret(refresh)
        token: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_at": int(row.expires_at.timestamp()),
        }
        if refresh:
            token["refresh_token"] = refresh
        if row.token_lifetime:
            token["expires_in"] = row.token_lifetime
        assert row.id is not None
        return StoredToken(
            connection_id=row.id,
            version=row.version,
            token=token,
            grant_type=GrantType(row.grant_type),
            claimed_until=row.refresh_claimed_until,
            reconnect_reason=row.reconnect_reason,
        )
