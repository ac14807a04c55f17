from __future__ import annotations

import pytest
from sqlmodel import Session

from core import access
from core.access import Perm
from core.errors import PermissionDenied, ValidationError
from tests.conftest import identity_with_role


def test_default_roles_hold_the_expected_permissions(session: Session) -> None:
    matrix = access.permission_matrix(session)
    assert list(matrix) == ["Admin", "Project manager", "Payroll", "Viewer"]
    assert matrix["Admin"] == frozenset(Perm)
    assert Perm.FORCE_PUBLISH in matrix["Project manager"]
    assert Perm.PAYROLL not in matrix["Project manager"]
    assert Perm.PAYROLL in matrix["Payroll"]
    assert matrix["Viewer"] == frozenset()


def test_admin_changes_a_role_and_it_survives_ensure_defaults(session: Session) -> None:
    admin = access.local_admin(session)
    matrix = access.permission_matrix(session)
    matrix["Viewer"] = frozenset({Perm.PUBLISH})
    access.set_permission_matrix(session, matrix=matrix, actor=admin)
    access.ensure_defaults(session)
    session.commit()
    assert access.role_permissions(session, role_name="Viewer") == frozenset({Perm.PUBLISH})


def test_viewer_may_not_change_role_permissions(session: Session) -> None:
    viewer = identity_with_role(session, "Viewer")
    with pytest.raises(PermissionDenied, match="Role permissions"):
        access.set_permission_matrix(session, matrix=access.permission_matrix(session), actor=viewer)


def test_admin_cannot_lock_everyone_out(session: Session) -> None:
    matrix = access.permission_matrix(session)
    matrix["Admin"] = frozenset({Perm.PUBLISH})
    with pytest.raises(ValidationError, match="must keep 'Role permissions'"):
        access.set_permission_matrix(session, matrix=matrix, actor=access.local_admin(session))


def test_users_map_email_to_role(session: Session) -> None:
    admin = access.local_admin(session)
    access.save_user(session, email=" Pat@Example.com ", role_name="Payroll", name="Pat", actor=admin)
    identity = access.identity_for(session, email="pat@example.com")
    assert identity is not None
    assert identity.role == "Payroll"
    assert identity.can(Perm.PAYROLL)
    assert access.identity_for(session, email="stranger@example.com") is None
    access.save_user(session, email="pat@example.com", role_name="Payroll", active=False, actor=admin)
    assert access.identity_for(session, email="pat@example.com") is None
    with pytest.raises(ValidationError, match="Unknown role"):
        access.save_user(session, email="x@example.com", role_name="Boss", actor=admin)


def test_only_a_role_permissions_holder_may_add_users(session: Session) -> None:
    manager = identity_with_role(session, "Project manager")
    with pytest.raises(PermissionDenied, match="lacks the 'Role permissions' permission"):
        access.save_user(session, email="new@example.com", role_name="Admin", actor=manager)
    assert access.identity_for(session, email="new@example.com") is None
