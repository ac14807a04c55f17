"""The stored Procore connection (encrypted tokens) and pending OAuth browser states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Enum, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, utcnow

DEFAULT_SLOT = "default"


def _instant(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _big_id(*, nullable: bool = True) -> Column[int]:
    return Column(BigInteger(), nullable=nullable)


class GrantType(StrEnum):
    """How the connection obtained its tokens."""

    AUTHORIZATION_CODE = "authorization_code"
    CLIENT_CREDENTIALS = "client_credentials"


def _grant_type_column() -> Column[GrantType]:
    # Stored as its value in a plain VARCHAR (no database enum type to migrate later).
    kind = Enum(GrantType, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])
    return Column(kind, nullable=False)


class ProcoreConnectionBase(SQLModel):
    slot: str = Field(
        default=DEFAULT_SLOT,
        max_length=50,
        description="Names the connection; the product uses one ('default') but the table allows more.",
    )
    environment: str = Field(max_length=50, description="Label such as 'Emulator', 'Sandbox' or 'Production'.")
    api_url: str = Field(max_length=300)
    login_url: str = Field(max_length=300)
    client_id: str = Field(max_length=200, description="The Procore app the tokens were issued to.")
    grant_type: GrantType = Field(sa_column=_grant_type_column())
    procore_user_id: int | None = Field(default=None, sa_column=_big_id())
    procore_user_name: str | None = Field(default=None, max_length=200)
    procore_user_login: str | None = Field(default=None, max_length=200)
    company_id: int | None = Field(
        default=None, sa_column=_big_id(), description="The Procore company chosen on Procore setup."
    )
    company_name: str | None = Field(default=None, max_length=200)


class ProcoreConnection(ProcoreConnectionBase, table=True):
    """One Procore connection. Tokens are Fernet ciphertexts; `version` guards token rotation."""

    __tablename__ = "procore_connection"
    __table_args__ = (UniqueConstraint("slot", name="uq_procore_connection_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    access_token_encrypted: str = Field(max_length=4000)
    refresh_token_encrypted: str | None = Field(default=None, max_length=4000)
    expires_at: datetime = Field(sa_column=_instant())
    version: int = Field(default=1, description="Bumped on every token change; compare-and-swap target.")
    refresh_claimed_until: datetime | None = Field(
        default=None,
        sa_column=_instant(nullable=True),
        description="While set in the future, one worker (thread or process) is refreshing the tokens.",
    )
    token_lifetime: int | None = Field(
        default=None, description="Seconds the access token was issued for (Procore's expires_in)."
    )
    reconnect_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Set when the stored authorization stopped working (a refresh answer lost, a refresh token "
        "refused): a person must reconnect. A new connection replaces the row and so clears it.",
    )
    reconnect_needed_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_instant())


class OAuthState(SQLModel, table=True):
    """A pending browser sign-in: the `state` we sent to Procore, stored hashed, usable once."""

    __tablename__ = "oauth_state"

    state_hash: str = Field(primary_key=True, max_length=64, description="SHA-256 of the state, hex.")
    redirect_uri: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_instant())
    expires_at: datetime = Field(sa_column=_instant(index=True))
    consumed_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
