"""Who may do what: roles, permissions and the users table used with st.login."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=50)
    __table_args__ = (UniqueConstraint("name", name="uq_role_name"),)


class Permission(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    __table_args__ = (UniqueConstraint("code", name="uq_permission_code"),)


class RolePermission(SQLModel, table=True):
    __tablename__ = "role_permission"
    role_id: int = Field(foreign_key="role.id", primary_key=True, ondelete="CASCADE")
    permission_id: int = Field(foreign_key="permission.id", primary_key=True, ondelete="CASCADE")


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(default="", max_length=200)
    role_id: int = Field(foreign_key="role.id", ondelete="RESTRICT")
    active: bool = True
    __table_args__ = (UniqueConstraint("email", name="uq_app_user_email"),)
