"""Access control: the permissions the product knows, default roles, and who the person is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from sqlmodel import Session, col, select

from core.errors import PermissionDenied, ValidationError
from core.models import Permission, Role, RolePermission, User
from core.models.ids import saved_id


class Perm(StrEnum):
    """Every permission, by its stored code."""

    PROCORE_SETUP = "procore_setup"
    DATA_MAPPING = "procore_data_mapping"
    PUBLISH = "publish_to_procore"
    FORCE_PUBLISH = "force_publish"
    PAYROLL = "payroll"
    EDIT_TIME_LOGS = "edit_time_logs"
    ROLE_PERMISSIONS = "role_permissions"
    AUTOMATION = "automation"


PERMISSION_NAMES: dict[Perm, str] = {
    Perm.PROCORE_SETUP: "Procore setup",
    Perm.DATA_MAPPING: "Procore Connect data mapping",
    Perm.PUBLISH: "Publish to Procore",
    Perm.FORCE_PUBLISH: "Force publish",
    Perm.PAYROLL: "Payroll",
    Perm.EDIT_TIME_LOGS: "Edit time logs",
    Perm.ROLE_PERMISSIONS: "Role permissions",
    Perm.AUTOMATION: "Automation",
}

ADMIN = "Admin"
DEFAULT_ROLES: dict[str, frozenset[Perm]] = {
    ADMIN: frozenset(Perm),
    "Project manager": frozenset({Perm.DATA_MAPPING, Perm.PUBLISH, Perm.FORCE_PUBLISH, Perm.EDIT_TIME_LOGS}),
    "Payroll": frozenset({Perm.PAYROLL, Perm.PUBLISH, Perm.EDIT_TIME_LOGS}),
    "Viewer": frozenset(),
}

LOCAL_ADMIN_EMAIL = "admin@localhost"
COMMAND_LINE_EMAIL = "command-line@localhost"


@dataclass(frozen=True)
class Identity:
    """The person using the app, with the permissions of their role."""

    email: str
    name: str
    role: str
    permissions: frozenset[Perm]
    local_mode: bool = False

    def can(self, permission: Perm) -> bool:
        return permission in self.permissions

    def require(self, permission: Perm) -> None:
        """Raise PermissionDenied unless this person holds `permission`."""
        if not self.can(permission):
            raise PermissionDenied(
                f"Your role ({self.role}) lacks the '{PERMISSION_NAMES[permission]}' permission; "
                "an admin can grant it on Administration > Role permissions."
            )


def ensure_defaults(session: Session) -> None:
    """Create missing permissions, and the default roles with their defaults on first start.

    A permission added in a later release is granted to the default roles that
    should have it; grants an admin changed later are left as they are.
    """
    existing = {p.code: p for p in session.exec(select(Permission))}
    new_codes = [perm for perm in Perm if perm.value not in existing]
    for perm in new_codes:
        existing[perm.value] = Permission(code=perm.value, name=PERMISSION_NAMES[perm])
        session.add(existing[perm.value])
    roles = {r.name: r for r in session.exec(select(Role))}
    for name in DEFAULT_ROLES:
        if name not in roles:
            roles[name] = Role(name=name)
            session.add(roles[name])
    session.flush()
    grants = {(g.role_id, g.permission_id) for g in session.exec(select(RolePermission))}
    for name, perms in DEFAULT_ROLES.items():
        for perm in perms:
            key = (saved_id(roles[name]), saved_id(existing[perm.value]))
            if key not in grants and (perm in new_codes or not _role_has_grants(session, roles[name])):
                session.add(RolePermission(role_id=key[0], permission_id=key[1]))
                grants.add(key)
    session.flush()


def _role_has_grants(session: Session, role: Role) -> bool:
    return session.exec(select(RolePermission).where(RolePermission.role_id == role.id)).first() is not None


def role_permissions(session: Session, *, role_name: str) -> frozenset[Perm]:
    """The permissions a role holds now."""
    rows = session.exec(
        select(Permission.code)
        .join(RolePermission, col(RolePermission.permission_id) == col(Permission.id))
        .join(Role, col(Role.id) == col(RolePermission.role_id))
        .where(Role.name == role_name)
    )
    return frozenset(Perm(code) for code in rows if code in Perm._value2member_map_)


def permission_matrix(session: Session) -> dict[str, frozenset[Perm]]:
    """Every role and the permissions it holds, roles in a stable order."""
    roles = session.exec(select(Role).order_by(col(Role.id))).all()
    return {role.name: role_permissions(session, role_name=role.name) for role in roles}


def set_permission_matrix(session: Session, *, matrix: dict[str, frozenset[Perm]], actor: Identity) -> None:
    """Replace which role holds which permission.

    Refuses (changing nothing) unless `actor` may manage role permissions, and
    refuses a matrix that would leave the Admin role unable to manage them.
    """
    actor.require(Perm.ROLE_PERMISSIONS)
    if Perm.ROLE_PERMISSIONS not in matrix.get(ADMIN, frozenset()):
        raise ValidationError("The Admin role must keep 'Role permissions', or nobody could change them again.")
    roles = {r.name: r for r in session.exec(select(Role))}
    unknown = set(matrix) - set(roles)
    if unknown:
        raise ValidationError(f"Unknown roles: {', '.join(sorted(unknown))}")
    permissions = {p.code: p for p in session.exec(select(Permission))}
    for name, perms in matrix.items():
        role_id = saved_id(roles[name])
        for grant in session.exec(select(RolePermission).where(RolePermission.role_id == role_id)):
            session.delete(grant)
        session.flush()
        for perm in perms:
            session.add(RolePermission(role_id=role_id, permission_id=saved_id(permissions[perm.value])))
    session.flush()


def local_admin(session: Session) -> Identity:
    """The single local user when no sign-in provider is configured: an Admin."""
    return Identity(
        email=LOCAL_ADMIN_EMAIL,
        name="Local admin",
        role=ADMIN,
        permissions=role_permissions(session, role_name=ADMIN),
        local_mode=True,
    )


def identity_for(session: Session, *, email: str) -> Identity | None:
    """The signed-in person's identity, or None when their e-mail is not a registered, active user."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        return None
    role = session.get(Role, user.role_id)
    assert role is not None  # noqa: S101 - guaranteed by the foreign key
    return Identity(
        email=user.email,
        name=user.name or user.email,
        role=role.name,
        permissions=role_permissions(session, role_name=role.name),
    )


def save_user(
    session: Session, *, email: str, role_name: str, actor: Identity, name: str = "", active: bool = True
) -> User:
    """Create or update the user with `email` (stored lower-case) in role `role_name`.

    Raises:
        PermissionDenied: `actor` may not manage role permissions (nothing changes).
        ValidationError: the e-mail address or the role is not valid.
    """
    actor.require(Perm.ROLE_PERMISSIONS)
    email = email.strip().lower()
    if "@" not in email or len(email) < 3:
        raise ValidationError(f"'{email}' is not an e-mail address")
    role = session.exec(select(Role).where(Role.name == role_name)).first()
    if role is None:
        raise ValidationError(f"Unknown role '{role_name}'; roles are {', '.join(DEFAULT_ROLES)}")
    user = session.exec(select(User).where(User.email == email)).first() or User(email=email, role_id=saved_id(role))
    user.role_id, user.active = saved_id(role), active
    user.name = name or user.name
    session.add(user)
    session.flush()
    return user


def users_frame(session: Session) -> pd.DataFrame:
    """Registered users with their roles."""
    query = select(User, Role).join(Role, col(Role.id) == col(User.role_id)).order_by(col(User.email))
    rows = session.exec(query).all()
    return pd.DataFrame(
        [{"email": u.email, "name": u.name, "role": r.name, "active": u.active} for u, r in rows],
        columns=["email", "name", "role", "active"],
    )


def command_line(session: Session) -> Identity:
    """Whoever runs `python -m core`: shell access to the server is Admin access."""
    return Identity(
        email=COMMAND_LINE_EMAIL,
        name="Command line",
        role=ADMIN,
        permissions=role_permissions(session, role_name=ADMIN),
        local_mode=True,
    )
